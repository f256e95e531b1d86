package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Expr.merge;
import static dev.ferry.aws.dynamodb.Items.n;
import static dev.ferry.aws.dynamodb.Items.s;
import static dev.ferry.aws.dynamodb.Table.failed;

import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Write;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * {@link PoolStore} in Ferry's table (layout: docs/architecture.md, "DynamoDB table"). A pool lives
 * under its name, with a pointer under its id; its queues and workers live in the pool's own
 * partition, so deleting the pool finds them. Uniqueness is an {@code attribute_not_exists} put
 * in the same transaction.
 */
public final class DynamoDbPools implements PoolStore {
    public static final Duration DEFAULT_WORKER_RETENTION = Duration.ofDays(7);

    private final Table table;
    private final Duration workerRetention;
    private final Clock clock;

    public DynamoDbPools(DynamoDbClient client, String tableName) {
        this(new Table(client, tableName), DEFAULT_WORKER_RETENTION, Clock.SYSTEM);
    }

    /** A worker gets a {@code ttl} {@code workerRetention} after its last heartbeat; the clock says when that is. */
    DynamoDbPools(Table table, Duration workerRetention, Clock clock) {
        this.table = Objects.requireNonNull(table, "table");
        this.workerRetention = Table.positive(workerRetention, "workerRetention");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public boolean createPool(WorkPool pool, WorkQueue defaultQueue) {
        if (!Objects.equals(defaultQueue.poolId(), pool.id())) {
            throw new IllegalArgumentException("default queue " + defaultQueue.id() + " belongs to pool "
                    + defaultQueue.poolId() + ", not to the new pool " + pool.id());
        }
        List<CancellationReason> refused = table.transact(List.of(
                // two pools of one name
                table.put(Items.pool(pool), Expr.absent()),
                // ids are fresh: these three only refuse a reused one (which would adopt another pool's items)
                table.put(Items.poolPointer(pool), Expr.absent()),
                table.put(Items.queue(defaultQueue), Expr.absent()),
                table.put(Items.queuePointer(defaultQueue), Expr.absent())));
        if (refused == null) return true;
        if (failed(refused, 0)) return false;
        throw new IllegalStateException("work pool id " + pool.id() + " or queue id " + defaultQueue.id()
                + " is already in use; ids must be unique");
    }

    @Override
    public Optional<WorkPool> pool(String name) {
        return table.get(Keys.pool(name)).map(item -> Items.revised(item, WorkPool.class));
    }

    @Override
    public List<WorkPool> pools() {
        return table.partition(Keys.poolsPartition(), null).stream().map(item -> Items.revised(item, WorkPool.class)).toList();
    }

    @Override
    public Write<WorkPool> updatePool(WorkPool next) {
        WorkPool stored = next.withRevision(next.revision() + 1);
        // an edit that did not see the latest one must not overwrite it; nor a pool created anew under the name
        Expr current = Expr.idIs(next.id()).and(Expr.revision(next.revision()));
        return table.putRevision(Items.pool(stored), current, stored, item -> {
            WorkPool old = Items.revised(item, WorkPool.class);
            return old.id().equals(next.id()) ? old : null;
        });
    }

    @Override
    public void deletePool(String poolId) {
        Optional<Map<String, AttributeValue>> pointer = table.get(Keys.poolPointer(poolId));
        if (pointer.isPresent()) {
            // The pointer goes first: queues and workers are written only while it exists, so none
            // can slip in behind the sweep below.
            List<CancellationReason> refused = table.transact(List.of(
                    table.delete(Keys.pool(Items.string(pointer.get(), Items.NAME)), Expr.idIs(poolId)),
                    table.delete(Keys.poolPointer(poolId), Expr.none())));
            if (refused != null) table.deleteItem(Keys.poolPointer(poolId));
        }
        // Called again after a crash half-way through, this finishes the job: whatever is left goes.
        List<WriteRequest> deletes = new ArrayList<>();
        for (Map<String, AttributeValue> item : table.partition(Keys.poolPartition(poolId), null)) {
            deletes.add(Table.deleteRequest(Table.tableKey(item)));
            if (item.get(Keys.SK).s().startsWith(Keys.QUEUE_PREFIX)) {
                deletes.add(Table.deleteRequest(Keys.queuePointer(Items.string(item, Items.ID))));
            }
        }
        table.batches.write(deletes);
    }

    @Override
    public boolean createQueue(WorkQueue queue) {
        List<CancellationReason> refused = table.transact(List.of(
                // two queues of one name in a pool
                table.put(Items.queue(queue), Expr.absent()),
                // a queue created while its pool is being deleted would outlive it
                table.check(Keys.poolPointer(queue.poolId()), Expr.present()),
                // ids are fresh: this only refuses a reused one
                table.put(Items.queuePointer(queue), Expr.absent())));
        if (refused == null) return true;
        if (failed(refused, 0)) return false;
        if (failed(refused, 1)) throw new IllegalStateException("work pool " + queue.poolId() + " no longer exists");
        throw new IllegalStateException("work queue id " + queue.id() + " is already in use; ids must be unique");
    }

    @Override
    public Optional<WorkQueue> queue(String poolId, String name) {
        return table.get(Keys.queue(poolId, name)).map(Items::queue);
    }

    @Override
    public List<WorkQueue> queues(String poolId) {
        List<WorkQueue> queues = new ArrayList<>(table.partition(Keys.poolPartition(poolId), Keys.QUEUE_PREFIX).stream()
                .map(Items::queue).toList());
        // The partition comes in name order (UTF-8 bytes, as SQLite sorts); a stable sort keeps it within a priority.
        queues.sort(Comparator.comparingInt(WorkQueue::priority));
        return queues;
    }

    @Override
    public Write<WorkQueue> updateQueue(WorkQueue next) {
        WorkQueue written = next.withRevision(next.revision() + 1);
        // an edit that did not see the latest one must not overwrite it; nor a queue created anew under the name
        Expr current = Expr.idIs(next.id()).and(Expr.revision(next.revision()));
        try {
            // an update, not a put: last_polled is the polls' own attribute
            Map<String, AttributeValue> after = table.client.updateItem(b -> b.tableName(table.name)
                    .key(Keys.queue(next.poolId(), next.name()))
                    .updateExpression("SET #doc = :doc, #rev = :next")
                    .conditionExpression(current.expression())
                    .expressionAttributeNames(merge(current.names(), Map.of("#doc", Items.DOC, "#rev", Items.REVISION)))
                    .expressionAttributeValues(merge(current.values(), Map.of(":doc", s(Documents.write(written)),
                            ":next", n(written.revision()))))
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
            return new Write.Applied<>(Items.queue(after));
        } catch (ConditionalCheckFailedException e) {
            Optional<WorkQueue> old = e.hasItem() && !e.item().isEmpty() ? Optional.of(Items.queue(e.item())) : Optional.empty();
            return new Write.Stale<>(old.filter(q -> q.id().equals(next.id())).orElse(null));
        }
    }

    @Override
    public void deleteQueue(String queueId) {
        Optional<Map<String, AttributeValue>> pointer = table.get(Keys.queuePointer(queueId));
        if (pointer.isEmpty()) return;
        Map<String, AttributeValue> key = Keys.queue(Items.string(pointer.get(), Items.POOL_ID),
                Items.string(pointer.get(), Items.NAME));
        // another queue that took the name meanwhile stays
        if (table.transact(List.of(table.delete(key, Expr.idIs(queueId)),
                table.delete(Keys.queuePointer(queueId), Expr.none()))) != null) {
            table.deleteItem(Keys.queuePointer(queueId));
        }
    }

    @Override
    public void markPolled(List<String> queueIds, Instant at) {
        if (queueIds.isEmpty()) return;
        List<Map<String, AttributeValue>> pointers = table.batches.get(queueIds.stream().map(Keys::queuePointer).toList());
        for (Map<String, AttributeValue> pointer : pointers) {
            Expr exists = Expr.idIs(Table.idOf(pointer.get(Keys.PK).s()));
            try {
                table.client.updateItem(b -> b.tableName(table.name)
                        .key(Keys.queue(Items.string(pointer, Items.POOL_ID), Items.string(pointer, Items.NAME)))
                        .updateExpression("SET #lp = :at")
                        // a poll racing the queue's deletion must not leave a document-less item behind
                        .conditionExpression(exists.expression())
                        .expressionAttributeNames(merge(exists.names(), Map.of("#lp", Items.LAST_POLLED)))
                        .expressionAttributeValues(merge(exists.values(), Map.of(":at", s(at.toString())))));
            } catch (ConditionalCheckFailedException e) {
                // deleted meanwhile: nothing to mark
            }
        }
    }

    @Override
    public void saveWorker(Worker worker) {
        long ttl = clock.now().plus(workerRetention).getEpochSecond();
        // A heartbeat racing the deletion of its pool is dropped: it must not leave an orphan worker behind.
        table.transact(List.of(
                table.check(Keys.poolPointer(worker.poolId()), Expr.present()),
                table.put(Items.worker(worker, ttl), Expr.none())));
    }

    @Override
    public List<Worker> workers(String poolId) {
        return table.partition(Keys.poolPartition(poolId), Keys.WORKER_PREFIX).stream()
                .map(item -> Items.read(item, Worker.class)).toList();
    }
}
