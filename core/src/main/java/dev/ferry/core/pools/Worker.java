package dev.ferry.core.pools;

import java.time.Duration;
import java.time.Instant;

public record Worker(String poolId, String pool, String name, Instant lastHeartbeatTime, int heartbeatIntervalSeconds) {

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

    public enum Status { ONLINE, OFFLINE }
}
