package dev.ferry.core.pools;

import dev.ferry.core.common.Clock;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventSink;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns polls, heartbeats and the passing of time into the status events of queues, pools and
 * workers ({@link PoolEvents}). Nothing here is stored besides the events: a status is a function
 * of the last poll or heartbeat and the clock, so a change is found by comparing those.
 *
 * <p>Becoming READY or ONLINE happens at a poll or heartbeat that finds the one before it expired
 * (or none): the event's id comes from that previous value, so concurrent pollers that read the
 * same one make the same event. Becoming NOT_READY or OFFLINE happens by time passing, at the
 * instant the last poll or heartbeat expires; {@link #sweep} (the janitor's) finds those.
 */
public final class Liveness {
    /**
     * How far back a sweep looks for a poll or heartbeat that expired. The AWS janitor runs every
     * minute (embedded: every 5 s), so three minutes is every expiry seen by at least two sweeps
     * even when one invocation is skipped or late; overlapping sweeps make the same ids, which the
     * store keeps once. An expiry can still not be missed for want of a sweep: the poll or heartbeat
     * that ends it (within this window) emits it too, under the same id, before its ready or online.
     */
    public static final Duration LOOKBACK = Duration.ofMinutes(3);
    private static final Logger LOG = Logger.getLogger(Liveness.class.getName());

    private final PoolStore store;
    private final EventSink events;
    private final Clock clock;
    /**
     * Ids this instance published by a sweep, with the expiry they are about: the next sweeps, which
     * see the same expiry for {@link #LOOKBACK}, skip them, so a steady state writes nothing. Lost
     * with the process (a new Lambda container): the store's dedup covers the sweeps after that.
     */
    private final Map<String, Instant> swept = new ConcurrentHashMap<>();

    public Liveness(PoolStore store, EventSink events, Clock clock) {
        this.store = store;
        this.events = Objects.requireNonNull(events, "events");
        this.clock = clock;
    }

    /**
     * Records a poll of {@code due} (as last read) at {@code at}, then publishes READY for each that
     * was not ready before it (and the NOT_READY it ends, if recent). Returns the queues as polled.
     */
    List<WorkQueue> polled(WorkPool pool, List<WorkQueue> due, Instant at) {
        store.markPolled(due.stream().map(WorkQueue::id).toList(), at);
        for (WorkQueue q : due) {
            if (q.isPaused() || q.status(at) == Readiness.READY) continue;
            Instant expired = q.readyUntil();
            if (recent(expired, at)) {
                events.publish(PoolEvents.queue(pool, q, Readiness.NOT_READY, PoolEvents.expired(expired), expired, q.lastPolled()));
            }
            events.publish(PoolEvents.queue(pool, q, Readiness.READY, PoolEvents.after(q.lastPolled()), at, at));
        }
        return due.stream().map(q -> q.polledAt(at)).toList();
    }

    /**
     * Saves the heartbeat, then publishes the worker ONLINE and its pool READY where this heartbeat made them so.
     *
     * @param before the pool's workers as the caller just read them, this heartbeat not yet saved
     */
    void heartbeat(WorkPool pool, Worker beat, List<Worker> before) {
        Instant at = beat.lastHeartbeatTime();
        store.saveWorker(beat);
        Optional<Worker> previous = before.stream().filter(w -> w.name().equals(beat.name())).findFirst();
        if (previous.isEmpty() || previous.get().status(at) == Worker.Status.OFFLINE) {
            Worker last = previous.orElse(null);
            if (last != null && recent(last.onlineUntil(), at)) {
                events.publish(PoolEvents.worker(pool, last, Worker.Status.OFFLINE, PoolEvents.expired(last.onlineUntil()),
                        last.onlineUntil()));
            }
            events.publish(PoolEvents.worker(pool, beat, Worker.Status.ONLINE,
                    PoolEvents.after(last == null ? null : last.lastHeartbeatTime()), at));
        }
        if (!pool.isPaused() && before.stream().noneMatch(w -> w.status(at) == Worker.Status.ONLINE)) {
            // every worker that heartbeats now reads the same "ready until" for the pool: one event
            Instant readyUntil = readyUntil(before);
            if (recent(readyUntil, at)) {
                events.publish(PoolEvents.pool(pool, Readiness.NOT_READY, PoolEvents.expired(readyUntil), readyUntil));
            }
            events.publish(PoolEvents.pool(pool, Readiness.READY, PoolEvents.after(readyUntil), at));
        }
    }

    /** The events of an edit that paused or resumed the queue (its status then: PAUSED, READY or NOT_READY). */
    void queueEdited(WorkPool pool, WorkQueue before, WorkQueue after) {
        if (before.isPaused() == after.isPaused()) return;
        Instant now = clock.now();
        events.publish(PoolEvents.queue(pool, after, after.status(now), PoolEvents.revision(after.revision()), now,
                after.lastPolled()));
    }

    void poolEdited(WorkPool before, WorkPool after) {
        if (before.isPaused() == after.isPaused()) return;
        Instant now = clock.now();
        Readiness status = after.isPaused() ? Readiness.PAUSED : status(after, store.workers(after.id()), now);
        events.publish(PoolEvents.pool(after, status, PoolEvents.revision(after.revision()), now));
    }

    static Readiness status(WorkPool pool, List<Worker> workers, Instant now) {
        if (pool.isPaused()) return Readiness.PAUSED;
        return workers.stream().anyMatch(w -> w.status(now) == Worker.Status.ONLINE) ? Readiness.READY : Readiness.NOT_READY;
    }

    /** What one sweep published (or tried to: an id stored before is dropped by the store). */
    public record Sweep(int queuesNotReady, int poolsNotReady, int workersOffline) {
        public int total() {
            return queuesNotReady + poolsNotReady + workersOffline;
        }
    }

    /**
     * Publishes NOT_READY and OFFLINE for the polls and heartbeats that expired within
     * {@link #LOOKBACK}, each once per instance. Reads every pool's queues and workers; writes
     * nothing when nothing expired.
     */
    public Sweep sweep() {
        Instant now = clock.now();
        swept.values().removeIf(until -> until.isBefore(now.minus(LOOKBACK)));
        int queues = 0;
        int pools = 0;
        int workers = 0;
        for (WorkPool pool : store.pools()) {
            try {
                for (WorkQueue q : store.queues(pool.id())) {
                    Instant until = q.readyUntil();
                    if (!q.isPaused() && expiredRecently(until, now)
                            && once(PoolEvents.queue(pool, q, Readiness.NOT_READY, PoolEvents.expired(until), until, q.lastPolled()), until)) {
                        queues++;
                    }
                }
                List<Worker> all = store.workers(pool.id());
                for (Worker w : all) {
                    Instant until = w.onlineUntil();
                    if (expiredRecently(until, now)
                            && once(PoolEvents.worker(pool, w, Worker.Status.OFFLINE, PoolEvents.expired(until), until), until)) {
                        workers++;
                    }
                }
                Instant until = readyUntil(all);
                if (!pool.isPaused() && expiredRecently(until, now)
                        && once(PoolEvents.pool(pool, Readiness.NOT_READY, PoolEvents.expired(until), until), until)) {
                    pools++;
                }
            } catch (RuntimeException e) {
                // one pool deleted under the sweep, or a throttled read, must not hide the others' changes
                LOG.log(Level.WARNING, "could not look at the liveness of work pool " + pool.name(), e);
            }
        }
        return new Sweep(queues, pools, workers);
    }

    private boolean once(Event event, Instant until) {
        if (swept.containsKey(event.id())) return false;
        events.publish(event);
        swept.put(event.id(), until);
        return true;
    }

    /** The last instant one of these workers is ONLINE by its last heartbeat; null without workers. */
    private static Instant readyUntil(List<Worker> workers) {
        return workers.stream().map(Worker::onlineUntil).max(Comparator.naturalOrder()).orElse(null);
    }

    private static boolean expiredRecently(Instant until, Instant now) {
        return until != null && now.isAfter(until) && recent(until, now);
    }

    /**
     * An expiry a poll or heartbeat ends is published with it only when recent: an older one the
     * sweeps had their window for, and an event from weeks ago would be past its retention.
     */
    private static boolean recent(Instant until, Instant now) {
        return until != null && !until.isBefore(now.minus(LOOKBACK));
    }
}
