package dev.ferry.core.pools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The events of a work queue, work pool or worker changing status, Prefect's with {@code ferry.}:
 * {@code ferry.work-queue.ready}, {@code .not-ready}, {@code .paused}; the same for
 * {@code ferry.work-pool.}; {@code ferry.worker.online}, {@code .offline}. Each id is derived from
 * what made the change (the poll or heartbeat before it, the one that expired, the revision an
 * edit stored), never drawn at random: whoever sees the same change makes the same event, and the
 * store keeps one.
 */
public final class PoolEvents {
    public static final String QUEUE = "ferry.work-queue.";
    public static final String POOL = "ferry.work-pool.";
    public static final String WORKER = "ferry.worker.";
    public static final String POOL_TYPE = "ferry.work-pool.type";

    private PoolEvents() {}

    /** Why a status changed, as the id knows it: the same cause always gives the same id. */
    static String after(Instant previous) {
        return "after/" + (previous == null ? "never" : previous.toString());
    }

    static String expired(Instant until) {
        return "expired/" + until;
    }

    static String revision(long revision) {
        return "revision/" + revision;
    }

    static Event queue(WorkPool pool, WorkQueue queue, Readiness status, String cause, Instant occurred, Instant lastPolled) {
        String kind = kebab(status.name());
        ObjectNode payload = Json.MAPPER.createObjectNode().put("status", status.name())
                .put("last_polled", lastPolled == null ? null : lastPolled.toString());
        return new Event(id("ferry.work-queue/" + queue.id() + "/" + kind + "/" + cause), occurred, QUEUE + kind,
                Resource.of(QUEUE + queue.id(), queue.name()), List.of(related(pool)), payload, null, null);
    }

    static Event pool(WorkPool pool, Readiness status, String cause, Instant occurred) {
        String kind = kebab(status.name());
        ObjectNode payload = Json.MAPPER.createObjectNode().put("status", status.name());
        return new Event(id("ferry.work-pool/" + pool.id() + "/" + kind + "/" + cause), occurred, POOL + kind,
                Resource.of(POOL + pool.id(), pool.name()).with(POOL_TYPE, pool.type().wire()), List.of(), payload, null, null);
    }

    /** @param worker the heartbeat that made it ONLINE, or the last one before it went OFFLINE */
    static Event worker(WorkPool pool, Worker worker, Worker.Status status, String cause, Instant occurred) {
        String kind = kebab(status.name());
        ObjectNode payload = Json.MAPPER.createObjectNode().put("status", status.name())
                .put("last_heartbeat_time", worker.lastHeartbeatTime().toString())
                .put("heartbeat_interval_seconds", worker.heartbeatIntervalSeconds());
        return new Event(id("ferry.worker/" + pool.id() + "/" + worker.name() + "/" + kind + "/" + cause), occurred,
                WORKER + kind, Resource.of(workerId(pool.id(), worker.name()), worker.name()), List.of(related(pool)),
                payload, null, null);
    }

    /** A worker is known by its pool and its name (it has no id of its own): {@code ferry.worker.<pool id>.<name>}. */
    public static String workerId(String poolId, String workerName) {
        return WORKER + poolId + "." + workerName;
    }

    private static Resource related(WorkPool pool) {
        return Resource.related(POOL + pool.id(), pool.name(), "work-pool").with(POOL_TYPE, pool.type().wire());
    }

    private static String kebab(String status) {
        return status.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String id(String key) {
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
