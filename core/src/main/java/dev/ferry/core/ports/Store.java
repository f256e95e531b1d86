package dev.ferry.core.ports;

import dev.ferry.core.common.Write;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.LogLine;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where Ferry keeps its state. Embedded: SQLite. AWS: one DynamoDB table. Every method is
 * atomic on its own; the contract suite ({@code StoreContract}) proves both adapters alike.
 * Names are unique: pools by name, queues by (pool, name), deployments by (flow, name).
 *
 * <p>Records that can be updated carry a store-kept revision (runs: their version). A create
 * stores the record as given (revision 1); every update and delete names the revision it was
 * based on, and the store writes only if it still holds that one, then stores revision + 1. A
 * stale write changes nothing and returns what is stored now, so no acknowledged change is ever
 * overwritten by one that did not see it.
 */
public interface Store {

    // --- work pools and their queues ---

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

    // --- deployments ---

    /** Inserts the deployment; false (and nothing written) when its flow name and name are taken. */
    boolean createDeployment(Deployment deployment);

    Optional<Deployment> deployment(String id);

    Optional<Deployment> deployment(String flowName, String name);

    /** Deployments ordered by flow name then name; {@code workPoolName} null for all. */
    Page<Deployment> deployments(String workPoolName, int limit, String cursor);

    /** Replaces the deployment with the same id if it still has {@code next.revision()}. */
    Write<Deployment> updateDeployment(Deployment next);

    /** Deletes the deployment if it is still as {@code seen} (same revision); applied, it returns {@code seen}. */
    Write<Deployment> deleteDeployment(Deployment seen);

    // --- flow runs ---

    /**
     * Inserts a run. When the run has an idempotency key and its deployment already has a run
     * with that key, nothing is written and that run is returned.
     */
    FlowRun createRun(FlowRun run);

    Optional<FlowRun> run(String id);

    /** Runs newest first. */
    Page<FlowRun> runs(RunFilter filter, int limit, String cursor);

    /** How many runs of the pool (or of the queue, when {@code queueId} is set) are not terminal. */
    int activeRuns(String poolId, String queueId);

    /**
     * Writes {@code next} if the stored run still has {@code expectedVersion}, applying
     * {@code slots} in the same atomic write.
     */
    RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots);

    /** The current value of a concurrency counter (0 if never used). */
    int slotsInUse(String slotKey);

    // --- logs ---

    /** Appends lines; the store assigns increasing {@code seq} numbers per run. */
    void appendLogs(String runId, List<LogLine> lines);

    /** Lines with {@code seq > afterSeq}, oldest first. */
    List<LogLine> logs(String runId, long afterSeq, int limit);

    // --- small named values: schedule cursors, task-definition ARNs by content hash ---

    Optional<String> value(String key);

    void putValue(String key, String value);

    void deleteValue(String key);
}
