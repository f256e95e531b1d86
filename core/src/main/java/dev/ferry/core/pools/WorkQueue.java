package dev.ferry.core.pools;

import java.time.Duration;
import java.time.Instant;

/**
 * A work queue. {@code lastPolled} is kept apart from the rest (a poll is a blind write that must
 * not race an edit); {@code revision} versions the rest, as {@link WorkPool#revision()} does.
 */
public record WorkQueue(
        String id,
        String poolId,
        String pool,
        String name,
        String description,
        int priority,
        Integer concurrencyLimit,
        boolean isPaused,
        Instant lastPolled,
        Instant created,
        Instant updated,
        long revision) {

    /** A queue polled within this window is READY. */
    public static final Duration READINESS_WINDOW = Duration.ofSeconds(60);

    public Readiness status(Instant now) {
        if (isPaused) return Readiness.PAUSED;
        Instant until = readyUntil();
        return until != null && !now.isAfter(until) ? Readiness.READY : Readiness.NOT_READY;
    }

    /** The last instant the last poll keeps the queue READY (when not paused); null when never polled. */
    public Instant readyUntil() {
        return lastPolled == null ? null : lastPolled.plus(READINESS_WINDOW);
    }

    public WorkQueue with(String newDescription, int newPriority, Integer newLimit, boolean paused, Instant now) {
        return new WorkQueue(id, poolId, pool, name, newDescription, newPriority, newLimit, paused, lastPolled, created, now, revision);
    }

    public WorkQueue withRevision(long stored) {
        return new WorkQueue(id, poolId, pool, name, description, priority, concurrencyLimit, isPaused, lastPolled,
                created, updated, stored);
    }

    public WorkQueue polledAt(Instant at) {
        return new WorkQueue(id, poolId, pool, name, description, priority, concurrencyLimit, isPaused, at, created,
                updated, revision);
    }
}
