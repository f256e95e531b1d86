package dev.ferry.core.pools;

import java.time.Duration;
import java.time.Instant;

/**
 * @param registeredBy the hash of the API key that first heartbeat as this worker (null: no key, or
 *                     the server's admin key), to bound how many workers one key registers; never shown
 */
public record Worker(String poolId, String pool, String name, Instant lastHeartbeatTime, int heartbeatIntervalSeconds,
                     String registeredBy) {

    public static final int DEFAULT_HEARTBEAT_SECONDS = 30;
    /** A worker that missed this many heartbeats in a row is OFFLINE. */
    public static final int MISSED_HEARTBEATS_OFFLINE = 3;

    public Status status(Instant now) {
        return now.isAfter(onlineUntil()) ? Status.OFFLINE : Status.ONLINE;
    }

    /** The last instant this heartbeat keeps the worker ONLINE; after it, it is OFFLINE. */
    public Instant onlineUntil() {
        return lastHeartbeatTime.plus(Duration.ofSeconds((long) heartbeatIntervalSeconds * MISSED_HEARTBEATS_OFFLINE));
    }

    /** The same worker, heard from again at {@code at}. */
    public Worker beat(Instant at, int intervalSeconds) {
        return new Worker(poolId, pool, name, at, intervalSeconds, registeredBy);
    }

    public enum Status { ONLINE, OFFLINE }
}
