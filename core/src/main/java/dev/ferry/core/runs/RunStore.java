package dev.ferry.core.runs;

import dev.ferry.core.common.Page;
import java.util.Optional;

/**
 * Where flow runs and the concurrency counters they hold are kept. Every method is atomic on its
 * own; a run is written only on the version it was read at ({@link #writeRun}), its slot counters
 * moving in the same atomic write, so two writers can never both win and limits hold.
 */
public interface RunStore {

    /**
     * Inserts a run. When the run has an idempotency key and its deployment already has a run
     * with that key, nothing is written and that run is returned.
     */
    FlowRun createRun(FlowRun run);

    Optional<FlowRun> run(String id);

    /** Runs newest first. */
    Page<FlowRun> runs(RunFilter filter, int limit, String cursor);

    /** How many runs of the pool (or of the queue, when {@code queueId} is set) are not terminal. */
    int activeRuns(String poolId, String queueId);

    /**
     * Writes {@code next} if the stored run still has {@code expectedVersion}, applying
     * {@code slots} in the same atomic write.
     */
    RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots);

    /** The current value of a concurrency counter (0 if never used). */
    int slotsInUse(String slotKey);
}
