package dev.ferry.core.runs;

import static dev.ferry.core.testing.Fixtures.claim;
import static dev.ferry.core.testing.Fixtures.deployment;
import static dev.ferry.core.testing.Fixtures.pool;
import static dev.ferry.core.testing.Fixtures.queue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RunStore} adapter's {@link RunStore#activity} must answer: runs counted by
 * state type in the bucket of their expected start, filtered as the runs list filters, read through
 * the creation-time index with its look-back and its bound. An adapter's test subclasses this and
 * supplies {@link #newRuns()}.
 */
public abstract class RunActivityContract {
    private static final Instant W = Instant.parse("2026-03-01T12:00:00Z");
    private static final ActivityWindow THREE_HOURS = new ActivityWindow(W, W.plus(Duration.ofHours(3)), Duration.ofHours(1), 100);

    /** A fresh, empty store. Called once per test. */
    protected abstract RunStore newRuns();

    private RunStore store;
    private final WorkPool poolA = pool("pool-a");
    private final WorkQueue queueA = queue(poolA, WorkPool.DEFAULT_QUEUE, 1);
    private final WorkQueue urgentA = queue(poolA, "urgent", 1);
    private final WorkPool poolB = pool("pool-b");
    private final WorkQueue queueB = queue(poolB, WorkPool.DEFAULT_QUEUE, 1);
    private final Deployment nightly = deployment("etl", "nightly", "pool-a");
    private final Deployment hourly = deployment("etl", "hourly", "pool-b");

    @BeforeEach
    void freshStore() {
        store = newRuns();
    }

    @Test
    void activity_countsEachRunByStateType_inTheBucketOfItsExpectedStart() {
        // given: runs in each of the three hours, one exactly at since, one scheduled a while ahead
        add(poolA, queueA, nightly, W, W, StateType.COMPLETED);
        add(poolA, queueA, nightly, W.plusSeconds(600), W.plusSeconds(600), StateType.COMPLETED);
        add(poolA, queueA, nightly, W.plusSeconds(1200), W.plusSeconds(1200), StateType.FAILED);
        add(poolA, queueA, nightly, W.plusSeconds(4200), W.plusSeconds(4200), StateType.RUNNING);
        add(poolA, queueA, nightly, W.plusSeconds(3599), W.plusSeconds(3600), StateType.CRASHED);
        add(poolA, queueA, nightly, W.minus(Duration.ofHours(2)), W.plusSeconds(7800), StateType.SCHEDULED);

        RunActivity activity = store.activity(THREE_HOURS, RunFilter.ALL);

        assertThat(activity.buckets()).containsExactly(
                counts(StateType.COMPLETED, 2, StateType.FAILED, 1),
                counts(StateType.RUNNING, 1, StateType.CRASHED, 1),
                counts(StateType.SCHEDULED, 1));
        assertThat(activity.total()).isEqualTo(6);
        assertThat(activity.failureRate()).isEqualTo(2 / 4.0);
        assertThat(activity.truncated()).isFalse();
    }

    @Test
    void activity_leavesOutRuns_expectedBeforeSinceOrFromUntilOn() {
        // a backfilled run: created in the window, expected before it
        add(poolA, queueA, nightly, W.plusSeconds(600), W.minusSeconds(1), StateType.COMPLETED);
        // until is exclusive
        add(poolA, queueA, nightly, W.plus(Duration.ofHours(3)), W.plus(Duration.ofHours(3)), StateType.SCHEDULED);
        // created in the window, expected after it
        add(poolA, queueA, nightly, W.plusSeconds(60), W.plus(Duration.ofHours(5)), StateType.SCHEDULED);
        add(poolA, queueA, nightly, W.plusMillis(10_799_999), W.plusMillis(10_799_999), StateType.PENDING);

        RunActivity activity = store.activity(THREE_HOURS, RunFilter.ALL);

        assertThat(activity.buckets()).containsExactly(counts(), counts(), counts(StateType.PENDING, 1));
        assertThat(activity.failureRate()).isNull();
    }

    @Test
    void activity_countsRunsAsTheyAreNow() {
        FlowRun run = add(poolA, queueA, nightly, W.plusSeconds(60), W.plusSeconds(60), StateType.SCHEDULED);
        FlowRun claimed = claim(run, "worker-1");
        assertThat(store.writeRun(claimed, run.version(), SlotChange.NONE)).isInstanceOf(RunWrite.Applied.class);

        assertThat(store.activity(THREE_HOURS, RunFilter.ALL).buckets().get(0)).isEqualTo(counts(StateType.PENDING, 1));
    }

    @Test
    void activity_filtersByDeploymentPoolQueueAndState_asTheRunsListDoes() {
        add(poolA, queueA, nightly, W.plusSeconds(60), W.plusSeconds(60), StateType.COMPLETED);
        add(poolA, urgentA, nightly, W.plusSeconds(120), W.plusSeconds(120), StateType.FAILED);
        add(poolB, queueB, hourly, W.plusSeconds(180), W.plusSeconds(180), StateType.COMPLETED);
        add(poolB, queueB, hourly, W.plusSeconds(240), W.plusSeconds(240), StateType.RUNNING);

        assertThat(store.activity(THREE_HOURS, new RunFilter(Set.of(), nightly.id(), null, null)).totals())
                .isEqualTo(counts(StateType.COMPLETED, 1, StateType.FAILED, 1));
        assertThat(store.activity(THREE_HOURS, new RunFilter(Set.of(), null, "pool-b", null)).totals())
                .isEqualTo(counts(StateType.COMPLETED, 1, StateType.RUNNING, 1));
        assertThat(store.activity(THREE_HOURS, new RunFilter(Set.of(), null, "pool-a", "urgent")).totals())
                .isEqualTo(counts(StateType.FAILED, 1));
        assertThat(store.activity(THREE_HOURS, new RunFilter(Set.of(StateType.COMPLETED), null, null, null)).totals())
                .isEqualTo(counts(StateType.COMPLETED, 2));
        assertThat(store.activity(THREE_HOURS, new RunFilter(Set.of(), null, "no-such-pool", null)).total()).isZero();
    }

    @Test
    void activity_readsRunsCreatedUpToTheLookBackBeforeSince_andNoOlder() {
        Instant edge = W.minus(ActivityWindow.LOOKBACK);
        add(poolA, queueA, nightly, edge, W.plusSeconds(60), StateType.SCHEDULED);
        add(poolA, queueA, nightly, edge.minusMillis(1), W.plusSeconds(60), StateType.SCHEDULED);

        assertThat(store.activity(THREE_HOURS, RunFilter.ALL).total()).isEqualTo(1);
    }

    @Test
    void activity_readsAtMostItsBound_newestCreatedFirst_andSaysItWasTruncated() {
        ActivityWindow two = new ActivityWindow(W, W.plus(Duration.ofHours(3)), Duration.ofHours(1), 2);
        add(poolA, queueA, nightly, W.plusSeconds(60), W.plusSeconds(60), StateType.FAILED);
        add(poolA, queueA, nightly, W.plusSeconds(3700), W.plusSeconds(3700), StateType.COMPLETED);
        add(poolA, queueA, nightly, W.plusSeconds(7300), W.plusSeconds(7300), StateType.COMPLETED);

        RunActivity truncated = store.activity(two, RunFilter.ALL);
        RunActivity whole = store.activity(THREE_HOURS, RunFilter.ALL);

        assertThat(truncated.truncated()).isTrue();
        assertThat(truncated.buckets()).containsExactly(counts(), counts(StateType.COMPLETED, 1), counts(StateType.COMPLETED, 1));
        assertThat(whole.truncated()).isFalse();
        assertThat(whole.total()).isEqualTo(3);
        assertThat(store.activity(new ActivityWindow(W, W.plus(Duration.ofHours(3)), Duration.ofHours(1), 3), RunFilter.ALL)
                .truncated()).as("exactly the bound is not truncated").isFalse();
    }

    @Test
    void activity_ofAnEmptyStore_isEveryBucketAtZero() {
        RunActivity activity = store.activity(new ActivityWindow(W, W.plusSeconds(3601), Duration.ofMinutes(30), 10), RunFilter.ALL);

        assertThat(activity.buckets()).hasSize(3).allSatisfy(b -> assertThat(b).isEqualTo(counts()));
        assertThat(activity.truncated()).isFalse();
    }

    private FlowRun add(WorkPool pool, WorkQueue queue, Deployment d, Instant created, Instant expectedStart, StateType type) {
        return store.createRun(Fixtures.run(pool, queue, d, created, null, type).withScheduledStartTime(expectedStart));
    }

    /** Every state type at zero but the ones given, as (type, count) pairs. */
    private static Map<StateType, Integer> counts(Object... pairs) {
        Map<StateType, Integer> counts = new EnumMap<>(StateType.class);
        for (StateType type : StateType.values()) counts.put(type, 0);
        for (int i = 0; i < pairs.length; i += 2) counts.put((StateType) pairs[i], (Integer) pairs[i + 1]);
        return counts;
    }
}
