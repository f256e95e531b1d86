package dev.ferry.core.pools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.NameCursors;
import dev.ferry.core.common.Names;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Revisions;
import dev.ferry.core.events.EventSink;
import dev.ferry.core.jobs.JsonSchemas;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/** Work pools, their queues and their workers. */
public final class PoolService {
    public static final int MAX_NEW_WORKERS_PER_KEY = 100;
    public static final java.time.Duration NEW_WORKERS_WINDOW = java.time.Duration.ofHours(1);

    private final PoolStore store;
    private final ActiveRuns activeRuns;
    private final WorkQueues workQueues;
    private final Clock clock;
    private final Ids ids;
    private final Liveness liveness;

    /** Without events: status changes are published nowhere. */
    public PoolService(PoolStore store, ActiveRuns activeRuns, WorkQueues workQueues, Clock clock, Ids ids) {
        this(store, activeRuns, workQueues, clock, ids, EventSink.NONE);
    }

    /** @param events where queues', pools' and workers' status changes go ({@link PoolEvents}) */
    public PoolService(PoolStore store, ActiveRuns activeRuns, WorkQueues workQueues, Clock clock, Ids ids, EventSink events) {
        this.store = store;
        this.activeRuns = activeRuns;
        this.workQueues = workQueues;
        this.clock = clock;
        this.ids = ids;
        this.liveness = new Liveness(store, events, clock);
    }

    public record NewPool(String name, PoolType type, String description, ObjectNode baseJobTemplate,
                          Integer concurrencyLimit, Boolean isPaused) {}

    public record PoolChange(String description, boolean setDescription, Integer concurrencyLimit,
                             boolean setConcurrencyLimit, Boolean isPaused, ObjectNode baseJobTemplate) {}

    public record NewQueue(String name, String description, Integer priority, Integer concurrencyLimit, Boolean isPaused) {}

    public record QueueChange(String description, boolean setDescription, Integer priority, Integer concurrencyLimit,
                              boolean setConcurrencyLimit, Boolean isPaused) {}

    public WorkPool create(NewPool request) {
        Names.check("name", request.name());
        if (request.type() == null) throw BadInput.invalid("type", "'type' is required; accepted: process, ecs");
        Names.nonNegative("concurrency_limit", request.concurrencyLimit());
        ObjectNode template = request.baseJobTemplate() == null
                ? BaseJobTemplates.defaultFor(request.type())
                : checkTemplate(request.baseJobTemplate());
        Instant now = clock.now();
        WorkPool pool = new WorkPool(ids.next(), request.name(), request.type(), request.description(), template,
                request.concurrencyLimit(), Boolean.TRUE.equals(request.isPaused()), WorkPool.DEFAULT_QUEUE, now, now, 1);
        WorkQueue queue = new WorkQueue(ids.next(), pool.id(), pool.name(), WorkPool.DEFAULT_QUEUE,
                "The work pool's default queue.", 1, null, false, null, now, now, 1);
        if (store.pool(request.name()).isPresent()) throw nameTaken(request.name());
        workQueues.provision(queue);
        if (!store.createPool(pool, queue)) {
            workQueues.purge(queue.id());
            throw nameTaken(request.name());
        }
        return pool;
    }

    public WorkPool get(String name) {
        return store.pool(name).orElseThrow(() -> BadInput.notFound("work pool", name));
    }

    public List<WorkPool> list() {
        return store.pools();
    }

    /** Pools in name order, a page at a time. */
    public Page<WorkPool> list(int limit, String cursor) {
        return NameCursors.page("work_pools", store.pools(), WorkPool::name, limit, cursor);
    }

    /** Sets the fields the change names, on the pool as stored when the write lands: a concurrent edit of other fields stays. */
    public WorkPool update(String name, PoolChange change) {
        Integer limit = change.setConcurrencyLimit() ? Names.nonNegative("concurrency_limit", change.concurrencyLimit()) : null;
        ObjectNode template = change.baseJobTemplate() == null ? null : checkTemplate(change.baseJobTemplate());
        Revisions.Done<WorkPool> done = Revisions.update(get(name), pool -> {
            Instant now = clock.now();
            WorkPool p = pool;
            if (change.setDescription()) p = p.withDescription(change.description(), now);
            if (change.setConcurrencyLimit()) p = p.withConcurrencyLimit(limit, now);
            if (change.isPaused() != null) p = p.withPaused(change.isPaused(), now);
            if (template != null) p = p.withBaseJobTemplate(template, now);
            return p;
        }, store::updatePool, () -> BadInput.notFound("work pool", name));
        // only after the conditional write landed, from the revision it stored: a retried edit makes the same event
        if (done.changed()) liveness.poolEdited(done.before(), done.after());
        return done.after();
    }

    public void delete(String name) {
        WorkPool pool = get(name);
        int active = activeRuns.count(pool.id(), null);
        if (active > 0) {
            throw BadInput.conflict("name", "work pool '" + name + "' has " + active
                    + " runs that are not finished; cancel them or wait, then delete it");
        }
        for (WorkQueue queue : store.queues(pool.id())) workQueues.purge(queue.id());
        store.deletePool(pool.id());
    }

    /** A pool is READY when one of its workers is ONLINE. */
    public Readiness status(WorkPool pool) {
        if (pool.isPaused()) return Readiness.PAUSED;
        return Liveness.status(pool, store.workers(pool.id()), clock.now());
    }

    // --- queues ---

    public WorkQueue createQueue(String poolName, NewQueue request) {
        WorkPool pool = get(poolName);
        Names.check("name", request.name());
        Instant now = clock.now();
        WorkQueue queue = new WorkQueue(ids.next(), pool.id(), pool.name(), request.name(), request.description(),
                checkPriority(request.priority() == null ? 1 : request.priority()),
                Names.nonNegative("concurrency_limit", request.concurrencyLimit()),
                Boolean.TRUE.equals(request.isPaused()), null, now, now, 1);
        if (store.queue(pool.id(), request.name()).isPresent()) throw queueNameTaken(poolName, request.name());
        workQueues.provision(queue);
        if (!store.createQueue(queue)) {
            workQueues.purge(queue.id());
            throw queueNameTaken(poolName, request.name());
        }
        return queue;
    }

    public WorkQueue queue(String poolName, String queueName) {
        WorkPool pool = get(poolName);
        return store.queue(pool.id(), queueName)
                .orElseThrow(() -> BadInput.notFound("work queue", poolName + "/" + queueName));
    }

    public List<WorkQueue> queues(String poolName) {
        return store.queues(get(poolName).id());
    }

    /** A pool's queues in priority order (1 first), then by name, a page at a time. */
    public Page<WorkQueue> queues(String poolName, int limit, String cursor) {
        // priority zero-padded, so that the text order of the keys is the order of (priority, name)
        return NameCursors.page("work_queues", queues(poolName), q -> String.format("%010d %s", q.priority(), q.name()), limit,
                cursor);
    }

    /** As {@link #update}: only the named fields change, on the queue as stored when the write lands. */
    public WorkQueue updateQueue(String poolName, String queueName, QueueChange change) {
        Integer priority = change.priority() == null ? null : checkPriority(change.priority());
        Integer limit = change.setConcurrencyLimit() ? Names.nonNegative("concurrency_limit", change.concurrencyLimit()) : null;
        WorkPool pool = get(poolName);
        WorkQueue current = store.queue(pool.id(), queueName)
                .orElseThrow(() -> BadInput.notFound("work queue", poolName + "/" + queueName));
        Revisions.Done<WorkQueue> done = Revisions.update(current, q -> q.with(
                change.setDescription() ? change.description() : q.description(),
                priority == null ? q.priority() : priority,
                change.setConcurrencyLimit() ? limit : q.concurrencyLimit(),
                change.isPaused() == null ? q.isPaused() : change.isPaused(),
                clock.now()), store::updateQueue, () -> BadInput.notFound("work queue", poolName + "/" + queueName));
        if (done.changed()) liveness.queueEdited(pool, done.before(), done.after());
        return done.after();
    }

    /**
     * Records that a worker polled the {@code queues} (as it last read them) that are {@code due}
     * for recording (asked once each), publishing {@code ferry.work-queue.ready} for those the poll
     * made ready. Returns {@code queues} in their order, the polled ones as polled now, so that the
     * poller's next look compares with its own poll.
     */
    public List<WorkQueue> polled(WorkPool pool, List<WorkQueue> queues, Predicate<WorkQueue> due) {
        List<WorkQueue> marked = queues.stream().filter(due).toList();
        if (marked.isEmpty()) return queues;
        Map<String, WorkQueue> polled = new HashMap<>();
        for (WorkQueue q : liveness.polled(pool, marked, clock.now())) polled.put(q.id(), q);
        return queues.stream().map(q -> polled.getOrDefault(q.id(), q)).toList();
    }

    public void deleteQueue(String poolName, String queueName) {
        WorkQueue q = queue(poolName, queueName);
        if (WorkPool.DEFAULT_QUEUE.equals(q.name())) {
            throw BadInput.invalid("name", "the default queue of a work pool can't be deleted");
        }
        int active = activeRuns.count(q.poolId(), q.id());
        if (active > 0) {
            throw BadInput.conflict("name", "work queue '" + queueName + "' has " + active + " runs that are not finished");
        }
        workQueues.purge(q.id());
        store.deleteQueue(q.id());
    }

    // --- workers ---

    public Worker heartbeat(String poolName, String workerName, Integer intervalSeconds) {
        return heartbeat(poolName, workerName, intervalSeconds, null);
    }

    /**
     * Records a heartbeat from the key whose hash is {@code keyHash} (null: no key, or the admin key).
     * A name new to the pool is refused once the same key registered {@link #MAX_NEW_WORKERS_PER_KEY}
     * workers there that were heard from within {@link #NEW_WORKERS_WINDOW}: a worker's name is free
     * text, and each one is a stored record.
     */
    public Worker heartbeat(String poolName, String workerName, Integer intervalSeconds, String keyHash) {
        WorkPool pool = get(poolName);
        Names.check("name", workerName);
        int interval = intervalSeconds == null ? Worker.DEFAULT_HEARTBEAT_SECONDS : intervalSeconds;
        if (interval < 1 || interval > 3600) {
            throw BadInput.invalid("heartbeat_interval_seconds", "'heartbeat_interval_seconds' must be between 1 and 3600 (got " + interval + ")");
        }
        Instant now = clock.now();
        List<Worker> known = store.workers(pool.id());
        Worker worker = known.stream().filter(w -> w.name().equals(workerName)).findFirst()
                .map(w -> w.beat(now, interval)).orElse(null);
        if (worker == null) {
            Instant since = now.minus(NEW_WORKERS_WINDOW);
            long recent = known.stream().filter(w -> Objects.equals(w.registeredBy(), keyHash)
                    && w.lastHeartbeatTime().isAfter(since)).count();
            if (recent >= MAX_NEW_WORKERS_PER_KEY) {
                throw BadInput.invalid("name", "this key already registered " + recent + " workers in work pool '" + pool.name()
                        + "' that were heard from within the last hour (at most " + MAX_NEW_WORKERS_PER_KEY + "); give a "
                        + "worker a lasting name (ferry worker start --name NAME) rather than a new one each start");
            }
            worker = new Worker(pool.id(), pool.name(), workerName, now, interval, keyHash);
        }
        liveness.heartbeat(pool, worker, known);
        return worker;
    }

    public List<Worker> workers(String poolName) {
        return store.workers(get(poolName).id());
    }

    /** A pool's workers in name order, a page at a time. */
    public Page<Worker> workers(String poolName, int limit, String cursor) {
        return NameCursors.page("workers", workers(poolName), Worker::name, limit, cursor);
    }

    private static BadInput nameTaken(String name) {
        return BadInput.conflict("name", "a work pool named '" + name + "' already exists");
    }

    private static BadInput queueNameTaken(String pool, String name) {
        return BadInput.conflict("name", "work pool '" + pool + "' already has a queue named '" + name + "'");
    }

    private static int checkPriority(int priority) {
        if (priority < 1) throw BadInput.invalid("priority", "'priority' must be 1 or more (1 is the highest; got " + priority + ")");
        return priority;
    }

    private static ObjectNode checkTemplate(ObjectNode template) {
        if (!template.path("job_configuration").isObject()) {
            throw BadInput.invalid("base_job_template.job_configuration", "'base_job_template.job_configuration' must be an object");
        }
        if (template.has("variables") && !template.get("variables").isObject()) {
            // a null there was stored, then answered in breach of the API's own schema
            throw BadInput.invalid("base_job_template.variables", "'base_job_template.variables' must be a JSON schema "
                    + "object, or left out for none");
        }
        JsonSchemas.checkSchema("base_job_template.variables", template.get("variables"));
        return template;
    }
}
