package dev.ferry.core.runs;

import dev.ferry.core.common.Page;
import dev.ferry.core.events.Event;
import java.time.Instant;
import java.util.Optional;

/**
 * Where flow runs and the concurrency counters they hold are kept. Every method is atomic on its
 * own; a run is written only on the version it was read at ({@link #writeRun}), its slot counters
 * moving in the same atomic write, so two writers can never both win and limits hold. The event
 * of the state a write enters is stored in that same write, into the adapter set's
 * {@link dev.ferry.core.events.EventStore} exactly as {@code append} stores it, so no crash can
 * keep a state and lose its event.
 */
public interface RunStore {

    /**
     * Inserts a run, and {@code event} (null: none) with it. When the run has an idempotency key
     * and its deployment already has a run with that key, nothing is written, the event neither,
     * and that run is returned.
     */
    FlowRun createRun(FlowRun run, Event event);

    /** {@link #createRun(FlowRun, Event)} without an event. */
    default FlowRun createRun(FlowRun run) {
        return createRun(run, null);
    }

    Optional<FlowRun> run(String id);

    /** Runs newest first. */
    Page<FlowRun> runs(RunFilter filter, int limit, String cursor);

    /**
     * SCHEDULED runs whose {@link #dueAt} lies in {@code (after, until]}, earliest first. Served by
     * an index of SCHEDULED runs only, so the janitor reads what came due or was written since its
     * last sweep, not every run waiting for a worker.
     */
    Page<FlowRun> scheduledDue(Instant after, Instant until, int limit, String cursor);

    /**
     * When a SCHEDULED run, as written, next needs the janitor's look: the later of its scheduled
     * start and its last write. A run written with a start already passed is due at once (its send
     * may have been lost with the writer); one scheduled ahead is due at its start.
     */
    static Instant dueAt(FlowRun run) {
        Instant written = run.updated() != null ? run.updated() : run.created();
        Instant start = run.scheduledStartTime();
        if (start == null) return written;
        return written != null && written.isAfter(start) ? written : start;
    }

    /** How many runs of the pool (or of the queue, when {@code queueId} is set) are not terminal. */
    int activeRuns(String poolId, String queueId);

    /**
     * Writes {@code next} if the stored run still has {@code expectedVersion}, applying
     * {@code slots} and storing {@code event} (null: none) in the same atomic write. An event
     * whose id is stored already is dropped, as {@code append} drops it, and the run is written
     * all the same: a state entered twice at one instant makes one event id twice.
     */
    RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots, Event event);

    /** {@link #writeRun(FlowRun, long, SlotChange, Event)} without an event: a write that enters no state. */
    default RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots) {
        return writeRun(next, expectedVersion, slots, null);
    }

    /** The current value of a concurrency counter (0 if never used). */
    int slotsInUse(String slotKey);

    /**
     * How many runs, by state type, are expected to start in each bucket of {@code window}: the
     * runs created since {@link ActivityWindow#createdFrom()} that match {@code filter}, read newest
     * first up to {@link ActivityWindow#maxRuns()} (the answer says when there were more). Counted
     * by the store, through its creation-time index, not by listing the runs to the caller.
     */
    RunActivity activity(ActivityWindow window, RunFilter filter);
}
