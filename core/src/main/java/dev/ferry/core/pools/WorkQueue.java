package dev.ferry.core.pools;

import java.time.Duration;
import java.time.Instant;

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
        Instant updated) {

    /** A queue polled within this window is READY. */
    public static final Duration READINESS_WINDOW = Duration.ofSeconds(60);

    public Readiness status(Instant now) {
        if (isPaused) return Readiness.PAUSED;
        if (lastPolled != null && !lastPolled.isBefore(now.minus(READINESS_WINDOW))) return Readiness.READY;
        return Readiness.NOT_READY;
    }

    public WorkQueue with(String newDescription, int newPriority, Integer newLimit, boolean paused, Instant now) {
        return new WorkQueue(id, poolId, pool, name, newDescription, newPriority, newLimit, paused, lastPolled, created, now);
    }
}
