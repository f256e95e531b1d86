package dev.ferry.core.pools;

import dev.ferry.core.common.Write;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where work pools, their queues and their workers are kept. Embedded: SQLite. AWS: the DynamoDB
 * table. Every method is atomic on its own; {@code PoolStoreContract} proves the adapters alike.
 * Names are unique: pools by name, queues by (pool, name).
 *
 * <p>Records that can be updated carry a store-kept revision. A create stores the record as given
 * (revision 1); every update and delete names the revision it was based on, and the store writes
 * only if it still holds that one, then stores revision + 1. A stale write changes nothing and
 * returns what is stored now, so no acknowledged change is ever overwritten by one that did not see it.
 */
public interface PoolStore {

    /** Creates the pool and its default queue together. False when the name is taken. */
    boolean createPool(WorkPool pool, WorkQueue defaultQueue);

    Optional<WorkPool> pool(String name);

    List<WorkPool> pools();

    /** Replaces the pool with the same id if it still has {@code next.revision()}. */
    Write<WorkPool> updatePool(WorkPool next);

    /** Deletes the pool with its queues and workers. */
    void deletePool(String poolId);

    /** False when the pool already has a queue of that name. */
    boolean createQueue(WorkQueue queue);

    Optional<WorkQueue> queue(String poolId, String name);

    /** Queues of a pool, by priority then name. */
    List<WorkQueue> queues(String poolId);

    /** Replaces the queue with the same id if it still has {@code next.revision()}; its last poll stays as stored. */
    Write<WorkQueue> updateQueue(WorkQueue next);

    void deleteQueue(String queueId);

    /**
     * Records a poll, which is what makes a queue READY. A blind write of the poll time alone: it
     * leaves the queue's revision (and any edit racing it) alone.
     */
    void markPolled(List<String> queueIds, Instant at);

    // --- workers ---

    void saveWorker(Worker worker);

    List<Worker> workers(String poolId);
}
