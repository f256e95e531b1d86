package dev.ferry.core.runs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How many runs of each state type are expected to start in each bucket of an {@link ActivityWindow}:
 * what {@link RunStore#activity} answers.
 *
 * @param buckets one map per bucket of the window, every state type in it (0 when none)
 * @param truncated the store read its bound of {@link ActivityWindow#maxRuns()} runs and stopped:
 *                  runs created before the ones it read are not counted
 */
public record RunActivity(ActivityWindow window, List<Map<StateType, Integer>> buckets, boolean truncated) {

    public RunActivity {
        buckets = buckets.stream().map(RunActivity::complete).toList();
    }

    /** Counts per state type over the whole window, every state type in it. */
    public Map<StateType, Integer> totals() {
        Map<StateType, Integer> totals = zero();
        for (Map<StateType, Integer> b : buckets) b.forEach((type, n) -> totals.merge(type, n, Integer::sum));
        return totals;
    }

    public int total() {
        return totals().values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * The share of the window's finished runs (COMPLETED, FAILED, CANCELLED, CRASHED) that failed or
     * crashed; null when none has finished. Cancelled runs count as finished, not as failures: someone
     * chose to stop them.
     */
    public Double failureRate() {
        Map<StateType, Integer> t = totals();
        int finished = 0;
        for (StateType type : StateType.values()) if (type.isTerminal()) finished += t.get(type);
        if (finished == 0) return null;
        return (t.get(StateType.FAILED) + t.get(StateType.CRASHED)) / (double) finished;
    }

    /** Every state type in it, read-only. */
    private static Map<StateType, Integer> complete(Map<StateType, Integer> counts) {
        Map<StateType, Integer> all = zero();
        all.putAll(counts);
        return Collections.unmodifiableMap(all);
    }

    private static Map<StateType, Integer> zero() {
        Map<StateType, Integer> counts = new EnumMap<>(StateType.class);
        for (StateType type : StateType.values()) counts.put(type, 0);
        return counts;
    }

    /** Collects counts into a window's buckets; what a store's {@code activity} fills as it reads. */
    public static final class Tally {
        private final ActivityWindow window;
        private final List<Map<StateType, Integer>> buckets = new ArrayList<>();

        public Tally(ActivityWindow window) {
            this.window = window;
            for (int i = 0; i < window.buckets(); i++) buckets.add(zero());
        }

        /** Counts one run with this expected start, if the window holds it. */
        public Tally add(java.time.Instant expectedStart, StateType type) {
            return add(window.bucketOf(expectedStart), type, 1);
        }

        /** Adds {@code n} runs to bucket {@code bucket} ({@code -1}: outside the window, ignored). */
        public Tally add(int bucket, StateType type, int n) {
            if (bucket >= 0 && bucket < buckets.size()) buckets.get(bucket).merge(type, n, Integer::sum);
            return this;
        }

        public RunActivity result(boolean truncated) {
            return new RunActivity(window, buckets, truncated);
        }
    }
}
