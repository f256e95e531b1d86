package dev.ferry.core.runs;

import static dev.ferry.core.testing.Fixtures.T0;
import static dev.ferry.core.testing.Fixtures.claim;
import static dev.ferry.core.testing.Fixtures.deployment;
import static dev.ferry.core.testing.Fixtures.pool;
import static dev.ferry.core.testing.Fixtures.queue;
import static dev.ferry.core.testing.Fixtures.race;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Page;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventFeed;
import dev.ferry.core.events.EventFilter;
import dev.ferry.core.events.EventStore;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.testing.Fixtures;
import dev.ferry.core.testing.ThreadRace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RunStore} adapter must do: runs, their slot counters, active-run counts and
 * the races on them. An adapter's test subclasses this and supplies {@link #newRuns()} (and
 * {@link #newDeployments()}, for one cursor test). A run names its pool, queue and deployment by
 * id and name only; none of them need be stored.
 */
public abstract class RunStoreContract {

    /** A fresh, empty store. Called once per test. */
    protected abstract RunStore newRuns();

    /**
     * A deployment store of the same adapter, called after {@link #newRuns()}: only for a cursor
     * of another list, which runs must refuse.
     */
    protected abstract DeploymentStore newDeployments();

    /**
     * The event store of the same adapter set, over what {@link #newRuns()} made (called after
     * it): where the store writes the events it is given with its runs.
     */
    protected abstract EventStore events();

    protected RunStore store;

    @BeforeEach
    void freshStore() {
        store = newRuns();
    }

    // ------------------------------------------------------------------ flow runs

    @Test
    void createRun_storesTheRunAsGiven() {
        Setup s = setup();
        FlowRun run = run(s, T0, null);

        assertThat(store.createRun(run)).isEqualTo(run);

        assertThat(store.run(run.id())).contains(run);
    }

    @Test
    void run_isEmpty_whenUnknown() {
        assertThat(store.run("no-such-run")).isEmpty();
    }

    @Test
    void createRun_returnsTheExistingRunAndWritesNothing_whenTheDeploymentHasTheKey() {
        Setup s = setup();
        FlowRun first = store.createRun(run(s, T0, "schedule-1@2026-03-01T12:00Z"));
        FlowRun repeat = run(s, T0.plusSeconds(1), "schedule-1@2026-03-01T12:00Z");

        FlowRun returned = store.createRun(repeat);

        assertThat(returned).isEqualTo(first);
        assertThat(store.run(repeat.id())).isEmpty();
        assertThat(store.runs(RunFilter.ALL, 10, null).items()).containsExactly(first);
    }

    @Test
    void createRun_makesADifferentRun_forTheSameKeyOnAnotherDeployment() {
        Setup s = setup();
        Deployment other = deployment("etl", "other", s.pool.name());
        FlowRun first = store.createRun(run(s, T0, "key-1"));
        FlowRun second = run(s, other, T0.plusSeconds(1), "key-1", StateType.SCHEDULED);

        assertThat(store.createRun(second)).isEqualTo(second);

        assertThat(store.run(first.id())).contains(first);
        assertThat(store.run(second.id())).contains(second);
    }

    @Test
    void createRun_neverDeduplicates_runsWithoutAKey() {
        Setup s = setup();
        FlowRun a = store.createRun(run(s, T0, null));
        FlowRun b = store.createRun(run(s, T0, null));

        assertThat(store.runs(RunFilter.ALL, 10, null).items()).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void runs_areNewestFirst_andPageWithCursors() {
        Setup s = setup();
        List<FlowRun> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) created.add(store.createRun(run(s, T0.plusMillis(i), null)));

        Page<FlowRun> first = store.runs(RunFilter.ALL, 2, null);
        Page<FlowRun> second = store.runs(RunFilter.ALL, 2, first.next());
        Page<FlowRun> third = store.runs(RunFilter.ALL, 2, second.next());

        assertThat(first.items()).containsExactly(created.get(4), created.get(3));
        assertThat(second.items()).containsExactly(created.get(2), created.get(1));
        assertThat(third.items()).containsExactly(created.get(0));
        assertThat(third.next()).isNull();
    }

    @Test
    void runs_pageWithoutLossOrRepeat_whenRunsShareACreatedTime() {
        Setup s = setup();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) ids.add(store.createRun(run(s, T0, null)).id());

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Page<FlowRun> page = store.runs(RunFilter.ALL, 3, cursor);
            page.items().forEach(r -> seen.add(r.id()));
            cursor = page.next();
        } while (cursor != null);

        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();
    }

    @Test
    void runs_filterByStateDeploymentPoolAndQueue() {
        Setup s = setup();
        WorkQueue fast = queue(s.pool, "fast", 2);
        Deployment other = deployment("etl", "other", s.pool.name());
        Setup b = setup("pool-b", "report", "daily");
        FlowRun scheduled = store.createRun(run(s, s.deployment, T0.plusMillis(1), null, StateType.SCHEDULED));
        FlowRun running = store.createRun(run(s, s.deployment, T0.plusMillis(2), null, StateType.RUNNING));
        FlowRun failed = store.createRun(run(s, other, T0.plusMillis(3), null, StateType.FAILED));
        FlowRun onFast = store.createRun(Fixtures.run(s.pool, fast, s.deployment, T0.plusMillis(4), null, StateType.PENDING));
        FlowRun inB = store.createRun(run(b, T0.plusMillis(5), null));

        assertThat(list(RunFilter.inStates(Set.of(StateType.SCHEDULED))))
                .containsExactly(inB, scheduled);
        assertThat(list(RunFilter.inStates(Set.of(StateType.RUNNING, StateType.FAILED, StateType.PENDING))))
                .containsExactly(onFast, failed, running);
        assertThat(list(new RunFilter(null, other.id(), null, null))).containsExactly(failed);
        assertThat(list(new RunFilter(Set.of(), null, "pool-b", null))).containsExactly(inB);
        assertThat(list(new RunFilter(null, null, s.pool.name(), "fast"))).containsExactly(onFast);
        assertThat(list(new RunFilter(Set.of(StateType.SCHEDULED), s.deployment.id(), s.pool.name(), "default")))
                .containsExactly(scheduled);
        assertThat(list(new RunFilter(Set.of(StateType.COMPLETED), null, null, null))).isEmpty();
    }

    @Test
    void runs_withAFilter_pageWithCursors() {
        Setup s = setup();
        List<FlowRun> scheduled = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            StateType type = i % 2 == 0 ? StateType.SCHEDULED : StateType.COMPLETED;
            FlowRun r = store.createRun(run(s, s.deployment, T0.plusMillis(i), null, type));
            if (type == StateType.SCHEDULED) scheduled.add(0, r);
        }
        RunFilter filter = RunFilter.inStates(Set.of(StateType.SCHEDULED));

        Page<FlowRun> first = store.runs(filter, 2, null);
        Page<FlowRun> second = store.runs(filter, 2, first.next());

        assertThat(first.items()).containsExactlyElementsOf(scheduled.subList(0, 2));
        assertThat(second.items()).containsExactlyElementsOf(scheduled.subList(2, 3));
        assertThat(second.next()).isNull();
    }

    @Test
    void runs_refuseACursorTheyDidNotIssue() {
        DeploymentStore deployments = newDeployments();
        deployments.createDeployment(deployment("etl", "a", "pool-a"));
        deployments.createDeployment(deployment("etl", "z", "pool-a"));
        String deploymentCursor = deployments.deployments(null, 1, null).next();

        assertThatThrownBy(() -> store.runs(RunFilter.ALL, 10, "%%%garbage"))
                .isInstanceOf(BadInput.class);
        assertThatThrownBy(() -> store.runs(RunFilter.ALL, 10, deploymentCursor))
                .isInstanceOf(BadInput.class);
    }

    @Test
    void activeRuns_countsTheNonTerminalRunsOfThePoolOrOfTheQueue() {
        Setup s = setup();
        WorkQueue fast = queue(s.pool, "fast", 2);
        Setup b = setup("pool-b", "report", "daily");
        for (StateType type : StateType.values()) {
            store.createRun(run(s, s.deployment, T0, null, type));
        }
        store.createRun(Fixtures.run(s.pool, fast, s.deployment, T0, null, StateType.RUNNING));
        store.createRun(Fixtures.run(s.pool, fast, s.deployment, T0, null, StateType.COMPLETED));
        store.createRun(run(b, T0, null));
        long nonTerminal = java.util.Arrays.stream(StateType.values()).filter(t -> !t.isTerminal()).count();

        assertThat(store.activeRuns(s.pool.id(), null)).isEqualTo(nonTerminal + 1);
        assertThat(store.activeRuns(s.pool.id(), s.queue.id())).isEqualTo(nonTerminal);
        assertThat(store.activeRuns(s.pool.id(), fast.id())).isEqualTo(1);
        assertThat(store.activeRuns(b.pool.id(), null)).isEqualTo(1);
        assertThat(store.activeRuns("no-such-pool", null)).isZero();
    }

    @Test
    void activeRuns_followTheStateWrittenByWriteRun() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        assertThat(store.activeRuns(s.pool.id(), null)).isEqualTo(1);

        FlowRun done = run.entering(State.of(StateType.CANCELLED, T0.plusSeconds(1)), T0.plusSeconds(1));
        store.writeRun(done, run.version(), SlotChange.NONE);

        assertThat(store.activeRuns(s.pool.id(), null)).isZero();
        assertThat(list(RunFilter.inStates(Set.of(StateType.CANCELLED)))).containsExactly(done);
    }

    // ------------------------------------------------------------------ scheduled runs due, for the janitor

    @Test
    void scheduledDue_findsTheScheduledRunsDueInTheWindow_earliestFirst() {
        Setup s = setup();
        // created (and written) at T0, scheduled at T0 + k minutes: due at its start
        FlowRun atOne = store.createRun(scheduledAt(s, T0, T0.plusSeconds(60)));
        FlowRun atThree = store.createRun(scheduledAt(s, T0, T0.plusSeconds(180)));
        FlowRun atTwo = store.createRun(scheduledAt(s, T0, T0.plusSeconds(120)));
        store.createRun(scheduledAt(s, T0, T0.plusSeconds(240)));
        store.createRun(run(s, s.deployment, T0.plusSeconds(120), null, StateType.RUNNING));

        Page<FlowRun> due = store.scheduledDue(T0.plusSeconds(60), T0.plusSeconds(180), 10, null);

        assertThat(due.items()).as("(after, until]: the bound after is out, until is in")
                .containsExactly(atTwo, atThree);
        assertThat(due.next()).isNull();
        assertThat(store.scheduledDue(T0, T0.plusSeconds(60), 10, null).items()).containsExactly(atOne);
    }

    @Test
    void scheduledDue_ofARunWrittenAfterItsStart_isItsWrite() {
        Setup s = setup();
        // a run made late (a backfill, a run created due now): due when it was written
        FlowRun backfilled = store.createRun(scheduledAt(s, T0.plusSeconds(600), T0));

        assertThat(store.scheduledDue(T0.minusSeconds(1), T0.plusSeconds(599), 10, null).items()).isEmpty();
        assertThat(store.scheduledDue(T0.plusSeconds(599), T0.plusSeconds(600), 10, null).items()).containsExactly(backfilled);
        assertThat(RunStore.dueAt(backfilled)).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void scheduledDue_followsTheWrites_andForgetsRunsThatLeftScheduled() {
        Setup s = setup();
        FlowRun waiting = store.createRun(scheduledAt(s, T0, T0.plusSeconds(60)));
        FlowRun claimed = store.createRun(scheduledAt(s, T0, T0.plusSeconds(60)));
        Instant lateAt = T0.plusSeconds(300);
        FlowRun late = waiting.entering(new State(StateType.SCHEDULED, OrchestrationPolicy.LATE, "late", lateAt, null), lateAt);
        assertThat(store.writeRun(late, waiting.version(), SlotChange.NONE)).isInstanceOf(RunWrite.Applied.class);
        assertThat(store.writeRun(claim(claimed, "w"), claimed.version(), SlotChange.NONE)).isInstanceOf(RunWrite.Applied.class);

        assertThat(store.scheduledDue(T0, T0.plusSeconds(299), 10, null).items())
                .as("written again at 300 s: due then, no longer at its start").isEmpty();
        assertThat(store.scheduledDue(T0, lateAt, 10, null).items()).containsExactly(late);
    }

    @Test
    void scheduledDue_pagesWithoutLossOrRepeat_whenRunsShareADueTime() {
        Setup s = setup();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) ids.add(store.createRun(scheduledAt(s, T0, T0.plusSeconds(60))).id());
        ids.add(store.createRun(scheduledAt(s, T0, T0.plusSeconds(61))).id());

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Page<FlowRun> page = store.scheduledDue(T0, T0.plusSeconds(61), 3, cursor);
            page.items().forEach(r -> seen.add(r.id()));
            cursor = page.next();
        } while (cursor != null);

        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();
        assertThat(seen.get(seen.size() - 1)).as("earliest first").isEqualTo(ids.get(7));
    }

    @Test
    void scheduledDue_refusesACursorOfAnotherList() {
        Setup s = setup();
        for (int i = 0; i < 3; i++) store.createRun(run(s, T0.plusMillis(i), null));
        String listCursor = store.runs(RunFilter.ALL, 1, null).next();

        assertThatThrownBy(() -> store.scheduledDue(T0.minusSeconds(1), T0.plusSeconds(1), 10, listCursor))
                .isInstanceOf(BadInput.class);
    }

    private static FlowRun scheduledAt(Setup s, Instant created, Instant start) {
        return run(s, created, null).withScheduledStartTime(start);
    }

    // ------------------------------------------------------------------ conditional writes and slots

    @Test
    void writeRun_isApplied_whenTheVersionMatches() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun next = claim(run, "worker-1");

        RunWrite result = store.writeRun(next, run.version(), SlotChange.NONE);

        assertThat(result).isEqualTo(new RunWrite.Applied(next));
        assertThat(store.run(run.id())).contains(next);
    }

    @Test
    void writeRun_keepsTheRunsInfrastructure() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun claimed = claim(run, "ecs-dispatcher");
        store.writeRun(claimed, run.version(), SlotChange.NONE);
        FlowRun launched = claimed.launchedOn(new dev.ferry.core.runs.Infrastructure(
                dev.ferry.core.runs.Infrastructure.ECS_TASK, "ferry", "arn:aws:ecs:us-east-1:1:task/ferry/abc", "flow",
                "/ferry/tasks", "ferry/flow/abc", T0.plusSeconds(600), 600, 3L, null, null, true), T0.plusSeconds(2));

        assertThat(store.writeRun(launched, claimed.version(), SlotChange.NONE)).isEqualTo(new RunWrite.Applied(launched));

        assertThat(store.run(run.id())).contains(launched);
        assertThat(store.run(run.id()).orElseThrow().infrastructureId()).isEqualTo("arn:aws:ecs:us-east-1:1:task/ferry/abc");
    }

    @Test
    void writeRun_isStale_withTheCurrentRun_whenTheVersionMoved() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun winner = claim(run, "worker-1");
        store.writeRun(winner, run.version(), SlotChange.NONE);
        Slot poolSlot = Slot.pool(s.pool.id(), null);

        RunWrite result = store.writeRun(claim(run, "worker-2"), run.version(), new SlotChange.Acquire(List.of(poolSlot)));

        assertThat(result).isEqualTo(new RunWrite.Stale(winner));
        assertThat(store.run(run.id())).contains(winner);
        assertThat(store.slotsInUse(poolSlot.key())).isZero();
    }

    @Test
    void writeRun_isStale_withNoRun_whenTheRunDoesNotExist() {
        Setup s = setup();
        FlowRun never = run(s, T0, null);

        RunWrite result = store.writeRun(claim(never, "worker-1"), never.version(), SlotChange.NONE);

        assertThat(result).isEqualTo(new RunWrite.Stale(null));
        assertThat(store.run(never.id())).isEmpty();
    }

    @Test
    void writeRun_acquiresEverySlotOfTheAcquire() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        List<Slot> slots = slotsOf(s, 2, 2, 2);

        RunWrite result = store.writeRun(claim(run, "w"), run.version(), new SlotChange.Acquire(slots));

        assertThat(result).isInstanceOf(RunWrite.Applied.class);
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isEqualTo(1);
    }

    @Test
    void writeRun_isRefused_whenPoolSlotIsFull() {
        Setup s = setup();
        FlowRun holder = store.createRun(run(s, T0, null));
        store.writeRun(claim(holder, "w1"), holder.version(), new SlotChange.Acquire(slotsOf(s, 1, null, null)));
        FlowRun run = store.createRun(run(s, T0.plusSeconds(1), null));
        List<Slot> slots = slotsOf(s, 1, 5, 5);

        RunWrite result = store.writeRun(claim(run, "w2"), run.version(), new SlotChange.Acquire(slots));

        assertThat(result).isEqualTo(new RunWrite.LimitReached(Slot.pool(s.pool.id(), 1).key()));
        assertThat(store.run(run.id())).contains(run);
        assertThat(store.slotsInUse(slots.get(0).key())).isEqualTo(1);
        assertThat(store.slotsInUse(slots.get(1).key())).isEqualTo(1);
        assertThat(store.slotsInUse(slots.get(2).key())).isEqualTo(1);
    }

    @Test
    void writeRun_isRefusedWithoutCountingAnything_whenALaterSlotIsFull() {
        Setup s = setup();
        FlowRun holder = store.createRun(run(s, T0, null));
        store.writeRun(claim(holder, "w1"), holder.version(), new SlotChange.Acquire(slotsOf(s, null, null, null)));
        FlowRun run = store.createRun(run(s, T0.plusSeconds(1), null));
        // the first two counters have room; only the deployment's is full
        List<Slot> slots = slotsOf(s, 10, 10, 1);

        RunWrite result = store.writeRun(claim(run, "w2"), run.version(), new SlotChange.Acquire(slots));

        assertThat(result).isEqualTo(new RunWrite.LimitReached(slots.get(2).key()));
        assertThat(store.run(run.id())).contains(run);
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isEqualTo(1);
    }

    @Test
    void writeRun_namesTheFirstFullSlot_whenSeveralAreFull() {
        Setup s = setup();
        FlowRun holder = store.createRun(run(s, T0, null));
        store.writeRun(claim(holder, "w1"), holder.version(), new SlotChange.Acquire(slotsOf(s, null, null, null)));
        FlowRun run = store.createRun(run(s, T0.plusSeconds(1), null));
        List<Slot> slots = slotsOf(s, 5, 1, 1);

        RunWrite result = store.writeRun(claim(run, "w2"), run.version(), new SlotChange.Acquire(slots));

        assertThat(result).isEqualTo(new RunWrite.LimitReached(slots.get(1).key()));
    }

    @Test
    void writeRun_isRefused_whenTheLimitIsZero() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));

        RunWrite result = store.writeRun(claim(run, "w"), run.version(),
                new SlotChange.Acquire(List.of(Slot.queue(s.queue.id(), 0))));

        assertThat(result).isEqualTo(new RunWrite.LimitReached("queue:" + s.queue.id()));
        assertThat(store.slotsInUse("queue:" + s.queue.id())).isZero();
    }

    @Test
    void writeRun_withoutLimits_alwaysAcquires_butStillCounts() {
        Setup s = setup();
        List<Slot> unlimited = slotsOf(s, null, null, null);
        for (int i = 0; i < 5; i++) {
            FlowRun run = store.createRun(run(s, T0.plusSeconds(i), null));
            assertThat(store.writeRun(claim(run, "w"), run.version(), new SlotChange.Acquire(unlimited)))
                    .isInstanceOf(RunWrite.Applied.class);
        }

        for (Slot slot : unlimited) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isEqualTo(5);
    }

    @Test
    void writeRun_enforcesALimitSetLater_againstTheTrueCount() {
        Setup s = setup();
        for (int i = 0; i < 2; i++) {
            FlowRun run = store.createRun(run(s, T0.plusSeconds(i), null));
            store.writeRun(claim(run, "w"), run.version(), new SlotChange.Acquire(List.of(Slot.pool(s.pool.id(), null))));
        }
        FlowRun third = store.createRun(run(s, T0.plusSeconds(5), null));

        RunWrite result = store.writeRun(claim(third, "w"), third.version(),
                new SlotChange.Acquire(List.of(Slot.pool(s.pool.id(), 2))));

        assertThat(result).isEqualTo(new RunWrite.LimitReached("pool:" + s.pool.id()));
    }

    @Test
    void writeRun_releaseGivesTheSlotsBack() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        List<Slot> slots = slotsOf(s, 1, 1, 1);
        FlowRun claimed = claim(run, "w");
        store.writeRun(claimed, run.version(), new SlotChange.Acquire(slots));
        FlowRun done = claimed.entering(State.of(StateType.COMPLETED, T0.plusSeconds(9)), T0.plusSeconds(9));

        RunWrite result = store.writeRun(done, claimed.version(), new SlotChange.Release(slots));

        assertThat(result).isEqualTo(new RunWrite.Applied(done));
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isZero();
        FlowRun next = store.createRun(run(s, T0.plusSeconds(10), null));
        assertThat(store.writeRun(claim(next, "w"), next.version(), new SlotChange.Acquire(slots)))
                .isInstanceOf(RunWrite.Applied.class);
    }

    @Test
    void writeRun_releaseNeverGoesBelowZero() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        Slot pool = Slot.pool(s.pool.id(), 1);
        FlowRun crashed = run.entering(State.of(StateType.CRASHED, T0.plusSeconds(1)), T0.plusSeconds(1));

        store.writeRun(crashed, run.version(), new SlotChange.Release(List.of(pool, pool)));

        assertThat(store.slotsInUse(pool.key())).isZero();
        FlowRun other = store.createRun(run(s, T0.plusSeconds(2), null));
        FlowRun claimed = claim(other, "w");
        store.writeRun(claimed, other.version(), new SlotChange.Acquire(List.of(pool)));
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
    }

    @Test
    void writeRun_staleRelease_givesNothingBack() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        Slot pool = Slot.pool(s.pool.id(), 1);
        FlowRun claimed = claim(run, "w");
        store.writeRun(claimed, run.version(), new SlotChange.Acquire(List.of(pool)));
        FlowRun done = claimed.entering(State.of(StateType.COMPLETED, T0), T0);

        RunWrite result = store.writeRun(done, run.version(), new SlotChange.Release(List.of(pool)));

        assertThat(result).isEqualTo(new RunWrite.Stale(claimed));
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
    }

    @Test
    void slotsInUse_isZero_forACounterNeverUsed() {
        assertThat(store.slotsInUse("pool:never-used")).isZero();
    }

    @ThreadRace
    @Test
    void writeRun_letsExactlyOneOfEightClaimersIn_whenThePoolLimitIsOne() throws Exception {
        Setup s = setup();
        List<FlowRun> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) runs.add(store.createRun(run(s, T0.plusMillis(i), null)));
        Slot pool = Slot.pool(s.pool.id(), 1);

        List<RunWrite> results = race(runs.stream().<Callable<RunWrite>>map(r -> () ->
                store.writeRun(claim(r, "worker-" + r.id()), r.version(), new SlotChange.Acquire(List.of(pool))))
                .toList());

        assertThat(results).filteredOn(r -> r instanceof RunWrite.Applied).hasSize(1);
        assertThat(results).filteredOn(r -> r instanceof RunWrite.LimitReached).hasSize(7)
                .allSatisfy(r -> assertThat(((RunWrite.LimitReached) r).slotKey()).isEqualTo(pool.key()));
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
        assertThat(list(RunFilter.inStates(Set.of(StateType.PENDING)))).hasSize(1);
        assertThat(store.activeRuns(s.pool.id(), null)).isEqualTo(8);
    }

    @ThreadRace
    @Test
    void writeRun_appliesExactlyOneOfEightWriters_atTheSameVersion() throws Exception {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        Slot pool = Slot.pool(s.pool.id(), null);
        List<Callable<RunWrite>> writers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            FlowRun next = claim(run, "worker-" + i);
            writers.add(() -> store.writeRun(next, run.version(), new SlotChange.Acquire(List.of(pool))));
        }

        List<RunWrite> results = race(writers);

        List<RunWrite> applied = results.stream().filter(r -> r instanceof RunWrite.Applied).toList();
        assertThat(applied).hasSize(1);
        FlowRun winner = ((RunWrite.Applied) applied.get(0)).run();
        assertThat(results).filteredOn(r -> r instanceof RunWrite.Stale).hasSize(7)
                .allSatisfy(r -> assertThat(((RunWrite.Stale) r).current()).isEqualTo(winner));
        assertThat(store.run(run.id())).contains(winner);
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
    }

    // ------------------------------------------------------------------ the state's event, in the run's own write

    @Test
    void writeRun_storesTheStatesEvent_inTheSameWrite() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun claimed = claim(run, "w");
        Event pending = eventOf(claimed);

        RunWrite result = store.writeRun(claimed, run.version(), SlotChange.NONE, pending);

        // no publish after the write: once it returns, the event is stored (a crash now loses nothing)
        assertThat(result).isEqualTo(new RunWrite.Applied(claimed));
        assertThat(storedEvents()).containsExactly(pending);
        EventStore events = events();
        if (events instanceof EventFeed feed) {
            assertThat(feed.after(null, 10).events()).as("what the in-process engine follows").containsExactly(pending);
        }
    }

    @Test
    void writeRun_storesTheStatesEvent_withTheSlotsItTakesAndGivesBack() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        List<Slot> slots = slotsOf(s, 1, 1, 1);
        FlowRun claimed = claim(run, "w");
        FlowRun done = claimed.entering(State.of(StateType.COMPLETED, T0.plusSeconds(9)), T0.plusSeconds(9));

        assertThat(store.writeRun(claimed, run.version(), new SlotChange.Acquire(slots), eventOf(claimed)))
                .isEqualTo(new RunWrite.Applied(claimed));
        assertThat(store.writeRun(done, claimed.version(), new SlotChange.Release(slots), eventOf(done)))
                .isEqualTo(new RunWrite.Applied(done));

        assertThat(storedEvents()).containsExactly(eventOf(claimed), eventOf(done));
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isZero();
    }

    @Test
    void writeRun_storesNoEvent_whenTheRunIsStaleOrASlotIsFull() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        FlowRun winner = claim(run, "worker-1");
        store.writeRun(winner, run.version(), SlotChange.NONE);
        FlowRun other = store.createRun(run(s, T0.plusSeconds(1), null));
        FlowRun late = claim(run, "worker-2").entering(State.of(StateType.RUNNING, T0.plusSeconds(3)), T0.plusSeconds(3));
        FlowRun full = claim(other, "worker-3");

        RunWrite stale = store.writeRun(late, run.version(), SlotChange.NONE, eventOf(late));
        RunWrite staleWithSlots = store.writeRun(late, run.version(), new SlotChange.Release(slotsOf(s, 1, 1, 1)),
                eventOf(late));
        RunWrite limited = store.writeRun(full, other.version(),
                new SlotChange.Acquire(List.of(Slot.queue(s.queue.id(), 0))), eventOf(full));

        assertThat(stale).isEqualTo(new RunWrite.Stale(winner));
        assertThat(staleWithSlots).isEqualTo(new RunWrite.Stale(winner));
        assertThat(limited).isEqualTo(new RunWrite.LimitReached("queue:" + s.queue.id()));
        assertThat(storedEvents()).as("a refused write stores nothing").isEmpty();
    }

    @Test
    void writeRun_isApplied_andKeepsTheEventStored_whenTheEventsIdIsStoredAlready() {
        // a run that leaves a state and enters it again within one instant (a fixed clock, a coarse
        // one) makes the same event id twice: the run must still be written
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        List<Slot> slots = slotsOf(s, 1, 1, 1);
        FlowRun claimed = claim(run, "w");
        Event first = eventOf(claimed);
        assertThat(events().append(first)).isTrue();
        Event again = new Event(first.id(), first.occurred(), first.event(), first.resource(), first.related(),
                first.payload(), null, first.received().plusSeconds(5));

        RunWrite alone = store.writeRun(claimed, run.version(), SlotChange.NONE, again);
        FlowRun beat = claimed.heartbeat(T0.plusSeconds(2));
        RunWrite withSlots = store.writeRun(beat, claimed.version(), new SlotChange.Acquire(slots), again);
        FlowRun done = beat.entering(State.of(StateType.COMPLETED, T0.plusSeconds(3)), T0.plusSeconds(3));
        RunWrite releasing = store.writeRun(done, beat.version(), new SlotChange.Release(slots), again);

        assertThat(alone).isEqualTo(new RunWrite.Applied(claimed));
        assertThat(withSlots).isEqualTo(new RunWrite.Applied(beat));
        assertThat(releasing).isEqualTo(new RunWrite.Applied(done));
        assertThat(store.run(run.id())).contains(done);
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isZero();
        assertThat(storedEvents()).as("the id stored once, the first event kept").containsExactly(first);
    }

    @Test
    void createRun_storesTheRunsFirstEvent_withTheRun() {
        Setup s = setup();
        FlowRun plain = run(s, T0, null);
        FlowRun keyed = run(s, T0.plusSeconds(1), "key-1");

        store.createRun(plain, eventOf(plain));
        store.createRun(keyed, eventOf(keyed));

        assertThat(store.run(plain.id())).contains(plain);
        assertThat(store.run(keyed.id())).contains(keyed);
        assertThat(storedEvents()).containsExactly(eventOf(plain), eventOf(keyed));
    }

    @Test
    void createRun_storesNoEvent_whenTheKeyNamesAnotherRun() {
        Setup s = setup();
        FlowRun first = store.createRun(run(s, T0, "key-1"));
        FlowRun repeat = run(s, T0.plusSeconds(1), "key-1");

        assertThat(store.createRun(repeat, eventOf(repeat))).isEqualTo(first);

        assertThat(storedEvents()).isEmpty();
    }

    @Test
    void createRun_createsTheRun_whenItsEventsIdIsStoredAlready() {
        Setup s = setup();
        FlowRun plain = run(s, T0, null);
        FlowRun keyed = run(s, T0.plusSeconds(1), "key-1");
        Event taken = eventOf(plain);
        events().append(taken);
        Event reused = new Event(taken.id(), keyed.state().timestamp(), taken.event(), taken.resource(), List.of(),
                null, null, T0.plusSeconds(1));

        assertThat(store.createRun(plain, taken)).isEqualTo(plain);
        assertThat(store.createRun(keyed, reused)).isEqualTo(keyed);

        assertThat(store.run(plain.id())).contains(plain);
        assertThat(store.run(keyed.id())).contains(keyed);
        assertThat(storedEvents()).containsExactly(taken);
    }

    /** The event of the run's state, as a transition hands it to the store (received when it was written). */
    private static Event eventOf(FlowRun run) {
        Event event = RunEvents.stateChanged(run);
        return event.receivedAt(run.state().timestamp().plusMillis(1));
    }

    private List<Event> storedEvents() {
        EventFilter around = new EventFilter(T0.minus(Duration.ofDays(1)), T0.plus(Duration.ofDays(1)), List.of(), List.of(),
                java.util.Map.of(), List.of(), true);
        return events().scan(around, null, 100).matched();
    }

    // ------------------------------------------------------------------ fixtures

    /** The pool, default queue and deployment runs are made on; built, not stored. */
    protected record Setup(WorkPool pool, WorkQueue queue, Deployment deployment) {}

    protected static Setup setup() {
        return setup("pool-a", "etl", "nightly");
    }

    protected static Setup setup(String poolName, String flow, String deploymentName) {
        WorkPool pool = pool(poolName);
        return new Setup(pool, queue(pool, WorkPool.DEFAULT_QUEUE, 1), deployment(flow, deploymentName, poolName));
    }

    protected static FlowRun run(Setup s, Instant created, String idempotencyKey) {
        return Fixtures.run(s.pool, s.queue, s.deployment, created, idempotencyKey, StateType.SCHEDULED);
    }

    protected static FlowRun run(Setup s, Deployment d, Instant created, String idempotencyKey, StateType type) {
        return Fixtures.run(s.pool, s.queue, d, created, idempotencyKey, type);
    }

    /** Pool, queue and deployment slots of the setup, with these limits. */
    protected static List<Slot> slotsOf(Setup s, Integer poolLimit, Integer queueLimit, Integer deploymentLimit) {
        return List.of(Slot.pool(s.pool.id(), poolLimit), Slot.queue(s.queue.id(), queueLimit),
                Slot.deployment(s.deployment.id(), deploymentLimit));
    }

    private List<FlowRun> list(RunFilter filter) {
        return store.runs(filter, 100, null).items();
    }
}
