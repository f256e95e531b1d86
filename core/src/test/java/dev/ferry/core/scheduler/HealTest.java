package dev.ferry.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.pools.PoolService;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.schedules.Firing;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The janitor's heal after its first pass reads only what may need it: deployments written or whose
 * pause ended since the previous pass, and schedules whose expected firing is overdue. Idle
 * deployments cost no read, while a lost firing is still healed and a pause still ends on time.
 */
final class HealTest {
    private static final Instant T = Instant.parse("2026-03-01T12:10:00Z");
    private final TestClock clock = TestClock.fixed(T);
    private final InMemoryAdapters adapters = InMemoryAdapters.on(clock);
    private final CountingDeployments deployments = new CountingDeployments(adapters.deployments());
    private final ManualTimer manual = new ManualTimer();
    private final CountingTimer timer = new CountingTimer(manual);
    private Ports ports;
    private Ferry ferry;

    @BeforeEach
    void wire() {
        ports = new Ports(adapters.pools(), deployments, adapters.runs(), adapters.logs(), adapters.cursors(),
                adapters.taskDefinitions(), adapters.events(), adapters.events(), adapters.automations(),
                adapters.workQueues(), timer, adapters.checkpoints());
        ferry = Ferry.wire(ports, clock, Ids.RANDOM);
        ferry.pools().create(new PoolService.NewPool("p", PoolType.PROCESS, null, null, null, null));
    }

    @Test
    void aHealAfterTheFirst_readsNoDeployment_whenNoneNeedsIt() {
        for (int i = 0; i < 50; i++) deploy("d" + i);
        clock.advance(Duration.ofMinutes(1));
        Instant first = clock.now();
        assertThat(ferry.schedules().heal(Scheduler.LOST_AFTER, null).healed()).isZero();
        assertThat(deployments.read).as("a first pass reads them all").hasValue(50);

        for (int pass = 1; pass <= 10; pass++) {
            clock.advance(Duration.ofMinutes(1));
            deployments.read.set(0);
            timer.listed.set(0);
            Scheduler.Healed healed = ferry.schedules().heal(Scheduler.LOST_AFTER, first.minusSeconds(30));
            first = clock.now();

            assertThat(healed).isEqualTo(new Scheduler.Healed(0, true));
            assertThat(deployments.read).as("deployments read by pass " + pass).hasValue(0);
            assertThat(timer.listed).as("the timer is not listed when nothing needs it").hasValue(0);
            manual.fireDue(ferry.schedules(), clock.now()); // the hourly firings happen as armed
        }
    }

    @Test
    void aLostFiring_isHealedByTheFirstPassAfterItIsOverdue() {
        Deployment d = deploy("hourly");
        clock.advance(Duration.ofMinutes(1));
        ferry.schedules().heal(Scheduler.LOST_AFTER, null); // a janitor's first pass, before the firing was due
        Firing lost = manual.pending(d.id(), "hourly").orElseThrow();
        manual.disarm(lost.timerKey()); // the timer lost it

        Instant since = clock.now();
        int healed = 0;
        while (clock.now().isBefore(lost.at().plus(Scheduler.LOST_AFTER))) {
            clock.advance(Duration.ofMinutes(1));
            deployments.read.set(0);
            healed = ferry.schedules().heal(Scheduler.LOST_AFTER, since.minusSeconds(30)).healed();
            since = clock.now();
            if (clock.now().isBefore(lost.at().plus(Scheduler.LOST_AFTER))) {
                assertThat(healed).isZero();
                assertThat(deployments.read).as("read at " + clock.now()).hasValue(0);
            }
        }

        assertThat(healed).isEqualTo(1);
        assertThat(adapters.runs().runs(new RunFilter(null, d.id(), null, null), 10, null).items())
                .extracting(r -> r.scheduledStartTime()).containsExactly(lost.at());
        assertThat(manual.pending(d.id(), "hourly").orElseThrow().at()).isEqualTo(lost.at().plus(Duration.ofHours(1)));
    }

    @Test
    void aPauseThatEnds_isResumedOnTime_byPassesThatReadNothingElse() {
        Deployment d = deploy("paused");
        deploy("idle");
        Instant resumeAt = T.plus(Duration.ofMinutes(10));
        ferry.deployments().pause(d.id(), "maintenance", "ops", resumeAt);
        clock.advance(Duration.ofMinutes(1));
        Instant since = clock.now();
        ferry.schedules().heal(Scheduler.LOST_AFTER, null);

        for (int minute = 2; minute <= 12; minute++) {
            clock.advance(Duration.ofMinutes(1));
            deployments.read.set(0);
            int healed = ferry.schedules().heal(Scheduler.LOST_AFTER, since.minusSeconds(30)).healed();
            since = clock.now();
            boolean ended = !clock.now().isBefore(resumeAt);
            assertThat(adapters.deployments().deployment(d.id()).orElseThrow().paused()).as("paused at " + clock.now()).isEqualTo(!ended);
            if (clock.now().equals(resumeAt)) assertThat(healed).isEqualTo(1);
            // (the pass after the resume sees its write, as it sees every deployment written)
            else if (clock.now().isBefore(resumeAt)) assertThat(deployments.read).as("read at " + clock.now()).hasValue(0);
        }
        assertThat(manual.pending(d.id(), "hourly")).isPresent();
    }

    @Test
    void aJanitorInANewProcess_carriesOnFromWhereTheLastOneLeftOff() {
        for (int i = 0; i < 20; i++) deploy("d" + i);
        clock.advance(Duration.ofMinutes(1));
        ferry.janitor().sweep(); // the very first: reads everything, and says so in the checkpoints
        assertThat(adapters.checkpoints().checkpoint("janitor.healed")).contains(clock.now());
        assertThat(adapters.checkpoints().checkpoint("janitor.swept")).contains(clock.now());

        clock.advance(Duration.ofMinutes(1));
        deployments.read.set(0);
        Ferry restarted = Ferry.wire(ports, clock, Ids.RANDOM); // a cold start: a new janitor, nothing in memory
        restarted.janitor().sweep();

        assertThat(deployments.read).as("deployments a cold-started janitor reads").hasValue(0);
        assertThat(adapters.checkpoints().checkpoint("janitor.healed")).contains(clock.now());
    }

    @Test
    void aRunScheduledFarAhead_doesNotKeepTheJanitorFromRecordingWhereItLeftOff() {
        Deployment d = deploy("far");
        ferry.runs().create(d, new dev.ferry.core.runs.FlowRunService.NewRun(null, null, null,
                T.plus(Duration.ofDays(7)), null, null));
        clock.advance(Duration.ofMinutes(1));

        ferry.janitor().sweep();

        // the index holds the run, so a later sweep finds it entering the horizon without this process's memory
        assertThat(adapters.checkpoints().checkpoint("janitor.swept")).contains(clock.now());
    }

    private Deployment deploy(String name) {
        return ferry.deployments().deploy(new dev.ferry.core.deployments.DeploymentService.Deploy(name, "etl",
                "flows/etl.py:etl", "p", null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                java.util.List.of(dev.ferry.core.common.Json.tree("{\"slug\": \"hourly\", \"cron\": \"0 * * * *\", \"timezone\": \"UTC\"}")),
                null)).deployment();
    }

    /** Counts the deployments read by id or returned by a list or the heal query. */
    private static final class CountingDeployments implements DeploymentStore {
        final AtomicInteger read = new AtomicInteger();
        private final DeploymentStore delegate;

        CountingDeployments(DeploymentStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean createDeployment(Deployment deployment) {
            return delegate.createDeployment(deployment);
        }

        @Override
        public Optional<Deployment> deployment(String id) {
            read.incrementAndGet();
            return delegate.deployment(id);
        }

        @Override
        public Optional<Deployment> deployment(String flowName, String name) {
            return delegate.deployment(flowName, name);
        }

        @Override
        public Page<Deployment> deployments(String workPoolName, int limit, String cursor) {
            Page<Deployment> page = delegate.deployments(workPoolName, limit, cursor);
            read.addAndGet(page.items().size());
            return page;
        }

        @Override
        public Page<Deployment> toHeal(Instant after, Instant until, int limit, String cursor) {
            Page<Deployment> page = delegate.toHeal(after, until, limit, cursor);
            read.addAndGet(page.items().size());
            return page;
        }

        @Override
        public Write<Deployment> updateDeployment(Deployment next) {
            return delegate.updateDeployment(next);
        }

        @Override
        public Write<Deployment> deleteDeployment(Deployment seen) {
            return delegate.deleteDeployment(seen);
        }
    }

    private static final class CountingTimer implements ScheduleTimer {
        final AtomicInteger listed = new AtomicInteger();
        private final ScheduleTimer delegate;

        CountingTimer(ScheduleTimer delegate) {
            this.delegate = delegate;
        }

        @Override
        public void arm(Firing firing) {
            delegate.arm(firing);
        }

        @Override
        public void disarm(String timerKey) {
            delegate.disarm(timerKey);
        }

        @Override
        public Map<String, Instant> armed() {
            listed.incrementAndGet();
            return delegate.armed();
        }
    }
}
