package dev.ferry.core.pools;

import dev.ferry.core.common.Write;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** {@link PoolStore} in memory, for core's unit tests; {@link InMemoryPoolsTest} holds it to the contract. */
public final class InMemoryPools implements PoolStore {
    private final Map<String, WorkPool> pools = new HashMap<>();
    private final Map<String, WorkQueue> queues = new HashMap<>();
    private final Map<WorkerKey, Worker> workers = new HashMap<>();

    private record WorkerKey(String poolId, String name) {}

    @Override
    public synchronized boolean createPool(WorkPool pool, WorkQueue defaultQueue) {
        if (!Objects.equals(defaultQueue.poolId(), pool.id())) {
            throw new IllegalArgumentException("default queue " + defaultQueue.id() + " belongs to pool "
                    + defaultQueue.poolId() + ", not to the new pool " + pool.id());
        }
        if (pool(pool.name()).isPresent()) return false;
        pools.put(pool.id(), pool);
        queues.put(defaultQueue.id(), defaultQueue);
        return true;
    }

    @Override
    public synchronized Optional<WorkPool> pool(String name) {
        return pools.values().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    @Override
    public synchronized List<WorkPool> pools() {
        return pools.values().stream().sorted(Comparator.comparing(WorkPool::name)).toList();
    }

    @Override
    public synchronized Write<WorkPool> updatePool(WorkPool next) {
        WorkPool stored = pools.get(next.id());
        if (stored == null || stored.revision() != next.revision()) return new Write.Stale<>(stored);
        WorkPool written = next.withRevision(next.revision() + 1);
        pools.put(written.id(), written);
        return new Write.Applied<>(written);
    }

    @Override
    public synchronized void deletePool(String poolId) {
        pools.remove(poolId);
        queues.values().removeIf(q -> q.poolId().equals(poolId));
        workers.keySet().removeIf(k -> k.poolId().equals(poolId));
    }

    @Override
    public synchronized boolean createQueue(WorkQueue queue) {
        if (queue(queue.poolId(), queue.name()).isPresent()) return false;
        queues.put(queue.id(), queue);
        return true;
    }

    @Override
    public synchronized Optional<WorkQueue> queue(String poolId, String name) {
        return queues.values().stream().filter(q -> q.poolId().equals(poolId) && q.name().equals(name)).findFirst();
    }

    @Override
    public synchronized List<WorkQueue> queues(String poolId) {
        return queues.values().stream().filter(q -> q.poolId().equals(poolId))
                .sorted(Comparator.comparingInt(WorkQueue::priority).thenComparing(WorkQueue::name))
                .toList();
    }

    @Override
    public synchronized Write<WorkQueue> updateQueue(WorkQueue next) {
        WorkQueue stored = queues.get(next.id());
        if (stored == null || stored.revision() != next.revision()) return new Write.Stale<>(stored);
        WorkQueue written = next.withRevision(next.revision() + 1).polledAt(stored.lastPolled());
        queues.put(written.id(), written);
        return new Write.Applied<>(written);
    }

    @Override
    public synchronized void deleteQueue(String queueId) {
        queues.remove(queueId);
    }

    @Override
    public synchronized void markPolled(List<String> queueIds, Instant at) {
        for (String id : queueIds) queues.computeIfPresent(id, (k, q) -> q.polledAt(at));
    }

    @Override
    public synchronized void saveWorker(Worker worker) {
        // as on SQLite: a heartbeat racing the deletion of its pool is dropped
        if (!pools.containsKey(worker.poolId())) return;
        workers.put(new WorkerKey(worker.poolId(), worker.name()), worker);
    }

    @Override
    public synchronized List<Worker> workers(String poolId) {
        return workers.values().stream().filter(w -> w.poolId().equals(poolId))
                .sorted(Comparator.comparing(Worker::name)).toList();
    }
}
