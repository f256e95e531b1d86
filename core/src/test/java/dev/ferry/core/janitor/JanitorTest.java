package dev.ferry.core.janitor;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.auth.InMemoryApiKeys;
import dev.ferry.core.api.Router;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Page;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.runs.Transitions;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The janitor's SCHEDULED pass reads what changed since its last sweep: a backlog nobody takes
 * costs nothing, while every run is still sent in time, healed after a lost send and marked Late
 * once. Sweeps here come every 5 s, as the embedded server makes them, or every minute, as on AWS.
 */
final class JanitorTest {
    private final TestClock clock = TestClock.fixed(T0);
    private final InMemoryAdapters adapters = InMemoryAdapters.on(clock);
    private final CountingRuns runs = new CountingRuns(adapters.runs());
    private final LossyQueues queues = new LossyQueues(adapters.workQueues());
    private Ferry ferry;
    private TestApi api;
    private String deployment;

    @BeforeEach
    void wire() {
        ManualTimer timer = new ManualTimer();
        ApiKeyService auth = new ApiKeyService(new InMemoryApiKeys(), BootstrapKey.ofKey(null), clock, Ids.RANDOM);
        Ports ports = new Ports(adapters.pools(), adapters.deployments(), runs, adapters.logs(), adapters.cursors(),
                adapters.taskDefinitions(), adapters.events(), adapters.events(), adapters.automations(), queues, timer);
        ferry = Ferry.wire(ports, clock, Ids.RANDOM, auth.runTokens());
        api = new TestApi(ferry, new Router(ferry, clock, auth), clock, timer, auth, () -> {});
        api.pool("p");
        deployment = api.deployment("p", null).get("id").asText();
    }

    @Test
    void aBacklogNobodyTakes_costsASweepNoReadAndNoSend_onceItIsLate() {
        for (int i = 0; i < 200; i++) api.run(deployment, null);
        clock.advance(Duration.ofSeconds(16));
        assertThat(ferry.janitor().sweep().late()).as("the first sweep reads every scheduled run").isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        ferry.janitor().sweep(); // sees the Late writes once more (their sends may have been lost)

        clock.advance(Duration.ofMinutes(1));
        runs.read.set(0);
        queues.sent.set(0);
        Janitor.Sweep idle = ferry.janitor().sweep();

        assertThat(idle.late()).isZero();
        assertThat(idle.redelivered()).isZero();
        assertThat(queues.sent).hasValue(0);
        assertThat(runs.read).as("scheduled runs read by a sweep over a settled backlog").hasValue(0);
    }

    @Test
    void aRunMadeAfterTheFirstSweep_isMarkedLateOnce_bySweepsEveryFiveSeconds() {
        ferry.janitor().sweep();
        String id = api.run(deployment, null).get("id").asText();

        int late = 0;
        for (int i = 0; i < 24; i++) { // two minutes
            clock.advance(Duration.ofSeconds(5));
            late += ferry.janitor().sweep().late();
            if (clock.now().isBefore(T0.plusSeconds(15))) assertThat(late).as("not late yet at " + clock.now()).isZero();
        }

        assertThat(late).isEqualTo(1);
        FlowRun run = adapters.runs().run(id).orElseThrow();
        assertThat(run.state().name()).isEqualTo("Late");
        assertThat(run.stateHistory()).filteredOn(s -> "Late".equals(s.name())).hasSize(1);
    }

    @Test
    void aRunDueLater_isMarkedLate_bySweepsEveryMinute() {
        ferry.janitor().sweep();
        String id = api.run(deployment, "{\"scheduled_start_time\": \"" + T0.plusSeconds(150) + "\"}").get("id").asText();

        int late = 0;
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(1));
            late += ferry.janitor().sweep().late();
            if (i < 2) assertThat(late).isZero();
        }

        assertThat(late).isEqualTo(1);
        assertThat(adapters.runs().run(id).orElseThrow().state().name()).isEqualTo("Late");
    }

    @Test
    void aSendLostInACrash_isHealedByTheNextSweep() {
        ferry.janitor().sweep();
        queues.losing.set(true);
        String id = api.run(deployment, null).get("id").asText();
        queues.losing.set(false);
        assertThat(api.claim("p", "w", 1)).as("the message was lost").isEmpty();

        clock.advance(Duration.ofSeconds(5));
        ferry.janitor().sweep();

        JsonNode claimed = api.claim("p", "w", 1);
        assertThat(claimed).hasSize(1);
        assertThat(claimed.get(0).at("/flow_run/id").asText()).isEqualTo(id);
    }

    @Test
    void aRunMadeFarAhead_isSentWhenItEntersTheHorizon_notOnEverySweep() {
        ferry.janitor().sweep();
        Instant start = T0.plus(Duration.ofMinutes(30));
        queues.losing.set(true); // as a queue that can't delay that long leaves it unsent
        String id = api.run(deployment, "{\"scheduled_start_time\": \"" + start + "\"}").get("id").asText();
        queues.losing.set(false);

        int sends = 0;
        while (clock.now().isBefore(start)) {
            clock.advance(Duration.ofMinutes(1));
            int sent = ferry.janitor().sweep().redelivered();
            if (clock.now().isBefore(start.minus(Janitor.SEND_AHEAD))) assertThat(sent).isZero();
            sends += sent;
        }

        assertThat(sends).as("sent on entering the horizon, not every minute of it").isEqualTo(1);
        JsonNode claimed = api.claim("p", "w", 1);
        assertThat(claimed).hasSize(1);
        assertThat(claimed.get(0).at("/flow_run/id").asText()).isEqualTo(id);
    }

    @Test
    void aRunMissingFromTheIndexOfDueRuns_scheduledFarAhead_isStillSentWhenItEntersTheHorizon() {
        Instant start = T0.plus(Duration.ofMinutes(30));
        queues.losing.set(true);
        String id = api.run(deployment, "{\"scheduled_start_time\": \"" + start + "\"}").get("id").asText();
        queues.losing.set(false);
        runs.blind.set(true); // as an item written before the store had the index
        ferry.janitor().sweep(); // the first sweep reads every scheduled run

        int sends = 0;
        while (clock.now().isBefore(start)) {
            clock.advance(Duration.ofMinutes(1));
            sends += ferry.janitor().sweep().redelivered();
        }

        assertThat(sends).isEqualTo(1);
        assertThat(api.claim("p", "w", 1).get(0).at("/flow_run/id").asText()).isEqualTo(id);
    }

    @Test
    void aJanitorStartedAfresh_readsEveryScheduledRunOnce_soNothingWrittenWhileNoneRanIsMissed() {
        ferry.janitor().sweep();
        queues.losing.set(true);
        for (int i = 0; i < 3; i++) api.run(deployment, null);
        queues.losing.set(false);
        clock.advance(Duration.ofHours(1));
        Transitions transitions = new Transitions(runs, queues, clock, e -> {});
        Janitor fresh = new Janitor(runs, adapters.pools(), queues, transitions, ferry.schedules(), clock);

        Janitor.Sweep first = fresh.sweep();

        assertThat(first.redelivered()).isEqualTo(3);
        assertThat(first.late()).isEqualTo(3);
        assertThat(api.claim("p", "w", 3)).hasSize(3);
    }

    @Test
    void aRunWhoseSendFailed_isTriedAgainByTheNextSweep() {
        ferry.janitor().sweep();
        String id = api.run(deployment, null).get("id").asText();
        queues.failing.set(true);
        for (int i = 0; i < 24; i++) { // two minutes of sweeps every 5 s: every window the run is in
            clock.advance(Duration.ofSeconds(5));
            assertThat(ferry.janitor().sweep().redelivered()).isZero();
        }
        queues.failing.set(false);
        clock.advance(Duration.ofMinutes(5)); // long past every window the run was in
        queues.sent.set(0);

        Janitor.Sweep again = ferry.janitor().sweep();

        assertThat(again.redelivered()).isEqualTo(1);
        assertThat(again.late()).isEqualTo(1);
        assertThat(adapters.runs().run(id).orElseThrow().state().name()).isEqualTo("Late");
    }

    /** Counts the runs the store hands out from lists. */
    private static final class CountingRuns implements RunStore {
        final AtomicInteger read = new AtomicInteger();
        final AtomicBoolean blind = new AtomicBoolean();
        private final RunStore delegate;

        CountingRuns(RunStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public FlowRun createRun(FlowRun run, dev.ferry.core.events.Event event) {
            return delegate.createRun(run, event);
        }

        @Override
        public Optional<FlowRun> run(String id) {
            return delegate.run(id);
        }

        @Override
        public Page<FlowRun> runs(RunFilter filter, int limit, String cursor) {
            Page<FlowRun> page = delegate.runs(filter, limit, cursor);
            read.addAndGet(page.items().size());
            return page;
        }

        @Override
        public Page<FlowRun> scheduledDue(Instant after, Instant until, int limit, String cursor) {
            Page<FlowRun> page = blind.get() ? new Page<>(List.of(), null) : delegate.scheduledDue(after, until, limit, cursor);
            read.addAndGet(page.items().size());
            return page;
        }

        @Override
        public int activeRuns(String poolId, String queueId) {
            return delegate.activeRuns(poolId, queueId);
        }

        @Override
        public RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots, dev.ferry.core.events.Event event) {
            return delegate.writeRun(next, expectedVersion, slots, event);
        }

        @Override
        public int slotsInUse(String slotKey) {
            return delegate.slotsInUse(slotKey);
        }

        @Override
        public dev.ferry.core.runs.RunActivity activity(dev.ferry.core.runs.ActivityWindow window, RunFilter filter) {
            return delegate.activity(window, filter);
        }
    }

    /** Work queues that count sends, and lose them (a crash after the write) or fail them when told. */
    private static final class LossyQueues implements WorkQueues {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicBoolean losing = new AtomicBoolean();
        final AtomicBoolean failing = new AtomicBoolean();
        private final WorkQueues delegate;

        LossyQueues(WorkQueues delegate) {
            this.delegate = delegate;
        }

        @Override
        public void provision(WorkQueue queue) {
            delegate.provision(queue);
        }

        @Override
        public void send(String queueId, String runId, Instant visibleAt) {
            if (failing.get()) throw new IllegalStateException("throttled");
            if (losing.get()) return;
            sent.incrementAndGet();
            delegate.send(queueId, runId, visibleAt);
        }

        @Override
        public Optional<Duration> maxDelay() {
            return delegate.maxDelay();
        }

        @Override
        public List<Message> receive(String queueId, int max, Duration visibility) {
            return delegate.receive(queueId, max, visibility);
        }

        @Override
        public void delete(Message message) {
            delegate.delete(message);
        }

        @Override
        public void release(Message message, Duration delay) {
            delegate.release(message, delay);
        }

        @Override
        public void await(List<String> queueIds, Instant deadline) throws InterruptedException {
            delegate.await(queueIds, deadline);
        }

        @Override
        public void purge(String queueId) {
            delegate.purge(queueId);
        }
    }
}
