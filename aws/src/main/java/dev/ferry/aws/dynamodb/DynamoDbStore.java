package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.n;
import static dev.ferry.aws.dynamodb.Items.s;

import dev.ferry.core.Store;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.StateType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * {@link Store} on one DynamoDB table (layout: docs/architecture.md, "DynamoDB table"). Each
 * entity lives under the key it is read by most, as its JSON document; a pointer item under its
 * other key, and uniqueness is an {@code attribute_not_exists} put in the same transaction.
 * Reads of single items are strongly consistent; lists come from global secondary indexes,
 * which are eventually consistent (an item written a moment ago may be missing from a list),
 * and the documents of a page are then read by key, so what a list returns is current.
 */
public final class DynamoDbStore implements Store {
    public static final Duration DEFAULT_LOG_RETENTION = Duration.ofDays(30);
    public static final Duration DEFAULT_WORKER_RETENTION = Duration.ofDays(7);

    private static final String CONDITION_FAILED = "ConditionalCheckFailed";
    /** Cancellation codes that say "try again", not "your condition is false". */
    private static final Set<String> RETRYABLE = Set.of("TransactionConflict", "ThrottlingError",
            "ProvisionedThroughputExceeded", "RequestLimitExceeded");
    private static final String LAST_LOG = Keys.logLine(Long.MAX_VALUE);

    private final DynamoDbClient client;
    private final String table;
    private final Duration logRetention;
    private final Duration workerRetention;
    private final Clock clock;
    private final Backoff backoff;
    private final Batches batches;

    public DynamoDbStore(DynamoDbClient client, String tableName) {
        this(client, tableName, DEFAULT_LOG_RETENTION, DEFAULT_WORKER_RETENTION, Clock.SYSTEM);
    }

    /** Log lines and workers get a {@code ttl} that far after they are written; the clock says when that is. */
    public DynamoDbStore(DynamoDbClient client, String tableName, Duration logRetention, Duration workerRetention,
                         Clock clock) {
        this(client, tableName, logRetention, workerRetention, clock, Backoff.DEFAULT);
    }

    DynamoDbStore(DynamoDbClient client, String tableName, Duration logRetention, Duration workerRetention,
                  Clock clock, Backoff backoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.table = Objects.requireNonNull(tableName, "tableName");
        this.logRetention = positive(logRetention, "logRetention");
        this.workerRetention = positive(workerRetention, "workerRetention");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.batches = new Batches(client, tableName, backoff);
    }

    /** Creates the table with its indexes (on-demand billing, TTL on) and waits until it is active. */
    public static void createTable(DynamoDbClient client, String tableName) {
        Tables.create(client, tableName);
    }

    // ------------------------------------------------------------------ work pools and their queues

    @Override
    public boolean createPool(WorkPool pool, WorkQueue defaultQueue) {
        if (!Objects.equals(defaultQueue.poolId(), pool.id())) {
            throw new IllegalArgumentException("default queue " + defaultQueue.id() + " belongs to pool "
                    + defaultQueue.poolId() + ", not to the new pool " + pool.id());
        }
        List<CancellationReason> refused = transact(List.of(
                // two pools of one name
                put(Items.pool(pool), Expr.absent()),
                // ids are fresh: these three only refuse a reused one (which would adopt another pool's items)
                put(Items.poolPointer(pool), Expr.absent()),
                put(Items.queue(defaultQueue), Expr.absent()),
                put(Items.queuePointer(defaultQueue), Expr.absent())));
        if (refused == null) return true;
        if (failed(refused, 0)) return false;
        throw new IllegalStateException("work pool id " + pool.id() + " or queue id " + defaultQueue.id()
                + " is already in use; ids must be unique");
    }

    @Override
    public Optional<WorkPool> pool(String name) {
        return get(Keys.pool(name)).map(item -> Items.revised(item, WorkPool.class));
    }

    @Override
    public List<WorkPool> pools() {
        return partition(Keys.poolsPartition(), null).stream().map(item -> Items.revised(item, WorkPool.class)).toList();
    }

    @Override
    public Write<WorkPool> updatePool(WorkPool next) {
        WorkPool stored = next.withRevision(next.revision() + 1);
        // an edit that did not see the latest one must not overwrite it; nor a pool created anew under the name
        Expr current = Expr.idIs(next.id()).and(Expr.revision(next.revision()));
        try {
            client.putItem(b -> b.tableName(table).item(Items.pool(stored)).conditionExpression(current.expression())
                    .expressionAttributeNames(current.names()).expressionAttributeValues(current.values())
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Write.Applied<>(stored);
        } catch (ConditionalCheckFailedException e) {
            Optional<WorkPool> old = e.hasItem() && !e.item().isEmpty()
                    ? Optional.of(Items.revised(e.item(), WorkPool.class)) : Optional.empty();
            return new Write.Stale<>(old.filter(p -> p.id().equals(next.id())).orElse(null));
        }
    }

    @Override
    public void deletePool(String poolId) {
        Optional<Map<String, AttributeValue>> pointer = get(Keys.poolPointer(poolId));
        if (pointer.isPresent()) {
            // The pointer goes first: queues and workers are written only while it exists, so none
            // can slip in behind the sweep below.
            List<CancellationReason> refused = transact(List.of(
                    delete(Keys.pool(Items.string(pointer.get(), Items.NAME)), Expr.idIs(poolId)),
                    delete(Keys.poolPointer(poolId), Expr.none())));
            if (refused != null) deleteItem(Keys.poolPointer(poolId));
        }
        // Called again after a crash half-way through, this finishes the job: whatever is left goes.
        List<WriteRequest> deletes = new ArrayList<>();
        for (Map<String, AttributeValue> item : partition(Keys.poolPartition(poolId), null)) {
            deletes.add(deleteRequest(Keys.key(item.get(Keys.PK).s(), item.get(Keys.SK).s())));
            if (item.get(Keys.SK).s().startsWith(Keys.QUEUE_PREFIX)) {
                deletes.add(deleteRequest(Keys.queuePointer(Items.string(item, Items.ID))));
            }
        }
        batches.write(deletes);
    }

    @Override
    public boolean createQueue(WorkQueue queue) {
        List<CancellationReason> refused = transact(List.of(
                // two queues of one name in a pool
                put(Items.queue(queue), Expr.absent()),
                // a queue created while its pool is being deleted would outlive it
                check(Keys.poolPointer(queue.poolId()), Expr.present()),
                // ids are fresh: this only refuses a reused one
                put(Items.queuePointer(queue), Expr.absent())));
        if (refused == null) return true;
        if (failed(refused, 0)) return false;
        if (failed(refused, 1)) throw new IllegalStateException("work pool " + queue.poolId() + " no longer exists");
        throw new IllegalStateException("work queue id " + queue.id() + " is already in use; ids must be unique");
    }

    @Override
    public Optional<WorkQueue> queue(String poolId, String name) {
        return get(Keys.queue(poolId, name)).map(Items::queue);
    }

    @Override
    public List<WorkQueue> queues(String poolId) {
        List<WorkQueue> queues = new ArrayList<>(partition(Keys.poolPartition(poolId), Keys.QUEUE_PREFIX).stream()
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
            Map<String, AttributeValue> after = client.updateItem(b -> b.tableName(table)
                    .key(Keys.queue(next.poolId(), next.name()))
                    .updateExpression("SET #doc = :doc, #rev = :next")
                    .conditionExpression(current.expression())
                    .expressionAttributeNames(merge(current.names(), Map.of("#doc", Items.DOC, "#rev", Items.REVISION)))
                    .expressionAttributeValues(merge(current.values(), Map.of(":doc", s(Json.string(written)),
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
        Optional<Map<String, AttributeValue>> pointer = get(Keys.queuePointer(queueId));
        if (pointer.isEmpty()) return;
        Map<String, AttributeValue> key = Keys.queue(Items.string(pointer.get(), Items.POOL_ID),
                Items.string(pointer.get(), Items.NAME));
        // another queue that took the name meanwhile stays
        if (transact(List.of(delete(key, Expr.idIs(queueId)), delete(Keys.queuePointer(queueId), Expr.none()))) != null) {
            deleteItem(Keys.queuePointer(queueId));
        }
    }

    @Override
    public void markPolled(List<String> queueIds, Instant at) {
        if (queueIds.isEmpty()) return;
        List<Map<String, AttributeValue>> pointers = batches.get(queueIds.stream().map(Keys::queuePointer).toList());
        for (Map<String, AttributeValue> pointer : pointers) {
            Expr exists = Expr.idIs(idOf(pointer.get(Keys.PK).s()));
            try {
                client.updateItem(b -> b.tableName(table)
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

    // ------------------------------------------------------------------ workers

    @Override
    public void saveWorker(Worker worker) {
        long ttl = clock.now().plus(workerRetention).getEpochSecond();
        // A heartbeat racing the deletion of its pool is dropped: it must not leave an orphan worker behind.
        transact(List.of(
                check(Keys.poolPointer(worker.poolId()), Expr.present()),
                put(Items.worker(worker, ttl), Expr.none())));
    }

    @Override
    public List<Worker> workers(String poolId) {
        return partition(Keys.poolPartition(poolId), Keys.WORKER_PREFIX).stream()
                .map(item -> Items.read(item, Worker.class)).toList();
    }

    // ------------------------------------------------------------------ deployments

    @Override
    public boolean createDeployment(Deployment deployment) {
        List<CancellationReason> refused = transact(List.of(
                // two first deploys of one flow/name racing must not make two deployments
                put(Items.deploymentName(deployment), Expr.absent()),
                put(Items.deployment(deployment), Expr.absent())));
        if (refused == null) return true;
        if (failed(refused, 0)) {
            // A name pointing nowhere (left by a crash between the two deletes) is no deployment: clear it, try again.
            Optional<String> owner = get(Keys.deploymentName(deployment.flowName(), deployment.name()))
                    .map(item -> Items.string(item, Items.ID));
            if (owner.isEmpty() || deployment(owner.get()).isPresent()) return false;
            try {
                deleteItem(Keys.deploymentName(deployment.flowName(), deployment.name()), Expr.idIs(owner.get()));
            } catch (ConditionalCheckFailedException e) {
                return false; // taken again meanwhile
            }
            return createDeployment(deployment);
        }
        throw new IllegalStateException("deployment id " + deployment.id() + " is already in use; ids must be unique");
    }

    @Override
    public Optional<Deployment> deployment(String id) {
        return get(Keys.deployment(id)).map(item -> Items.revised(item, Deployment.class));
    }

    @Override
    public Optional<Deployment> deployment(String flowName, String name) {
        return get(Keys.deploymentName(flowName, name))
                .flatMap(pointer -> deployment(Items.string(pointer, Items.ID)))
                .filter(d -> d.flowName().equals(flowName) && d.name().equals(name));
    }

    @Override
    public Page<Deployment> deployments(String workPoolName, int limit, String cursor) {
        checkLimit(limit);
        String after = cursor == null ? null : Cursors.decode(cursor, Cursors.DEPLOYMENTS, s -> s.contains(Keys.PAIR));
        String index = workPoolName == null ? Keys.KIND : Keys.POOL;
        String partition = workPoolName == null ? Keys.deploymentsKind() : Keys.deploymentsOfPool(workPoolName);
        List<Map<String, AttributeValue>> hits = queryIndex(index, partition, after, false, Expr.none(), limit + 1);
        List<Map<String, AttributeValue>> page = hits.subList(0, Math.min(limit, hits.size()));
        Map<String, Deployment> byKey = new HashMap<>();
        for (Map<String, AttributeValue> item : batches.get(page.stream().map(DynamoDbStore::tableKey).toList())) {
            Deployment d = Items.revised(item, Deployment.class);
            byKey.put(d.id(), d);
        }
        List<Deployment> items = page.stream()
                .map(hit -> byKey.get(idOf(hit.get(Keys.PK).s())))
                // the index lags the table: drop what was deleted or moved to another pool meanwhile
                .filter(d -> d != null && (workPoolName == null || workPoolName.equals(d.workPoolName())))
                .toList();
        String next = hits.size() > limit ? Cursors.encode(Cursors.DEPLOYMENTS, page.get(limit - 1).get(Keys.sk(index)).s()) : null;
        return new Page<>(items, next);
    }

    @Override
    public Write<Deployment> updateDeployment(Deployment next) {
        Deployment stored = next.withRevision(next.revision() + 1);
        // an edit that did not see the latest one must not overwrite it, nor bring a deleted deployment back
        Expr current = Expr.revision(next.revision());
        try {
            client.putItem(b -> b.tableName(table).item(Items.deployment(stored)).conditionExpression(current.expression())
                    .expressionAttributeNames(current.names()).expressionAttributeValues(current.values())
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Write.Applied<>(stored);
        } catch (ConditionalCheckFailedException e) {
            return new Write.Stale<>(e.hasItem() && !e.item().isEmpty() ? Items.revised(e.item(), Deployment.class) : null);
        }
    }

    @Override
    public Write<Deployment> deleteDeployment(Deployment seen) {
        Map<String, AttributeValue> name = Keys.deploymentName(seen.flowName(), seen.name());
        List<CancellationReason> refused = transact(List.of(
                // a delete that did not see the latest edit must not throw that edit away unseen
                delete(Keys.deployment(seen.id()), Expr.revision(seen.revision())),
                // another deployment that took the name meanwhile keeps it
                delete(name, Expr.idIs(seen.id()))));
        if (refused == null) return new Write.Applied<>(seen);
        if (failed(refused, 0)) return new Write.Stale<>(deployment(seen.id()).orElse(null));
        try {
            deleteItem(Keys.deployment(seen.id()), Expr.revision(seen.revision()));
            return new Write.Applied<>(seen);
        } catch (ConditionalCheckFailedException e) {
            return new Write.Stale<>(deployment(seen.id()).orElse(null));
        }
    }

    // ------------------------------------------------------------------ flow runs

    @Override
    public FlowRun createRun(FlowRun run) {
        Objects.requireNonNull(run.created(), "run.created");
        if (run.idempotencyKey() == null || run.deploymentId() == null) {
            try {
                // a reused id must not overwrite another run
                putItem(Items.run(run), Expr.absent());
                return run;
            } catch (ConditionalCheckFailedException e) {
                throw new IllegalStateException("flow run id " + run.id() + " is already in use; ids must be unique");
            }
        }
        Map<String, AttributeValue> key = new HashMap<>(Keys.idempotencyKey(run.deploymentId(), run.idempotencyKey()));
        key.put(Items.RUN_ID, s(run.id()));
        List<CancellationReason> refused = transact(List.of(
                // a schedule firing delivered twice (or a client retrying) must create one run
                put(key, Expr.absent(), ReturnValuesOnConditionCheckFailure.ALL_OLD),
                put(Items.run(run), Expr.absent())));
        if (refused == null) return run;
        if (!failed(refused, 0)) {
            throw new IllegalStateException("flow run id " + run.id() + " is already in use; ids must be unique");
        }
        Map<String, AttributeValue> holder = refused.get(0).hasItem() && !refused.get(0).item().isEmpty()
                ? refused.get(0).item()
                : get(Keys.idempotencyKey(run.deploymentId(), run.idempotencyKey())).orElseThrow();
        String existing = Items.string(holder, Items.RUN_ID);
        return run(existing).orElseThrow(() -> new IllegalStateException("idempotency key '" + run.idempotencyKey()
                + "' of deployment " + run.deploymentId() + " names flow run " + existing + ", which does not exist"));
    }

    @Override
    public Optional<FlowRun> run(String id) {
        return get(Keys.run(id)).map(item -> Items.read(item, FlowRun.class));
    }

    @Override
    public Page<FlowRun> runs(RunFilter filter, int limit, String cursor) {
        checkLimit(limit);
        RunFilter f = filter == null ? RunFilter.ALL : filter;
        Set<StateType> states = f.states() == null ? Set.of() : f.states();
        String after = cursor == null ? null : Cursors.decode(cursor, Cursors.RUNS, Keys::isRunOrder);
        String index;
        List<String> partitions;
        if (f.deploymentId() != null) {
            index = Keys.DEPLOYMENT;
            partitions = List.of(Keys.runsOfDeployment(f.deploymentId()));
        } else if (f.workPoolName() != null) {
            index = Keys.POOL;
            partitions = List.of(Keys.runsOfPool(f.workPoolName()));
        } else if (!states.isEmpty()) {
            index = Keys.STATE;
            partitions = states.stream().map(t -> Keys.runsInState(t.name())).toList();
        } else {
            index = Keys.KIND;
            partitions = List.of(Keys.runsKind());
        }
        Expr where = runFilter(f, states, index);
        // One query per partition (several only for several states), merged newest first.
        List<Map<String, AttributeValue>> hits = new ArrayList<>();
        for (String partition : partitions) hits.addAll(queryIndex(index, partition, after, true, where, limit + 1));
        String sortKey = Keys.sk(index);
        hits.sort(Comparator.comparing((Map<String, AttributeValue> hit) -> hit.get(sortKey).s()).reversed());
        List<Map<String, AttributeValue>> page = hits.subList(0, Math.min(limit, hits.size()));
        Map<String, FlowRun> byId = new HashMap<>();
        for (Map<String, AttributeValue> item : batches.get(page.stream().map(DynamoDbStore::tableKey).toList())) {
            FlowRun run = Items.read(item, FlowRun.class);
            byId.put(run.id(), run);
        }
        List<FlowRun> items = page.stream()
                .map(hit -> byId.get(idOf(hit.get(Keys.PK).s())))
                // the index lags the table: drop runs that left the filter meanwhile
                .filter(run -> run != null && matches(run, f, states))
                .toList();
        String next = hits.size() > limit ? Cursors.encode(Cursors.RUNS, page.get(limit - 1).get(sortKey).s()) : null;
        return new Page<>(items, next);
    }

    @Override
    public int activeRuns(String poolId, String queueId) {
        Map<String, String> names = new HashMap<>(Map.of("#pk", Keys.pk(Keys.ACTIVE)));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", s(Keys.activeInPool(poolId))));
        String condition = "#pk = :pk";
        if (queueId != null) {
            condition += " AND begins_with(#sk, :queue)";
            names.put("#sk", Keys.sk(Keys.ACTIVE));
            values.put(":queue", s(queueId + "#"));
        }
        int count = 0;
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).indexName(Keys.ACTIVE)
                    .keyConditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values)
                    .select(Select.COUNT);
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = client.query(request.build());
            count += response.count();
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return count;
    }

    @Override
    public RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots) {
        Objects.requireNonNull(slots, "slots");
        Map<String, AttributeValue> item = Items.run(next);
        if (slots instanceof SlotChange.None) return writeRunAlone(next, item, expectedVersion);
        boolean acquire = slots instanceof SlotChange.Acquire;
        List<Counter> counters = Counter.of(acquire ? ((SlotChange.Acquire) slots).slots() : ((SlotChange.Release) slots).slots());
        for (int attempt = 1; ; attempt++) {
            List<TransactWriteItem> items = new ArrayList<>();
            items.add(TransactWriteItem.builder().put(runPut(item, expectedVersion)).build());
            for (Counter c : counters) items.add(TransactWriteItem.builder().update(acquire ? c.acquire(table) : c.release(table)).build());
            List<CancellationReason> refused = transact(items);
            if (refused == null) return new RunWrite.Applied(next);
            if (failed(refused, 0)) return new RunWrite.Stale(current(refused.get(0), next.id()));
            if (acquire) {
                for (int i = 0; i < counters.size(); i++) {
                    if (failed(refused, i + 1)) return new RunWrite.LimitReached(counters.get(i).key());
                }
            } else {
                // A counter already at zero has nothing to give back (the run's slot was released
                // before, or never counted): write the rest rather than fail the whole transition.
                List<Counter> kept = new ArrayList<>();
                boolean changed = false;
                for (int i = 0; i < counters.size(); i++) {
                    Counter c = counters.get(i);
                    long giveBack = c.amount();
                    if (failed(refused, i + 1)) {
                        CancellationReason reason = refused.get(i + 1);
                        giveBack = reason.hasItem() ? Math.min(c.amount(), Items.number(reason.item(), Items.USED, 0)) : 0;
                    }
                    changed |= giveBack != c.amount();
                    if (giveBack > 0) kept.add(c.withAmount(giveBack));
                }
                counters = kept;
                if (changed && attempt < backoff.maxAttempts()) continue;
            }
            throw new IllegalStateException("writing flow run " + next.id() + " was cancelled: " + codes(refused));
        }
    }

    @Override
    public int slotsInUse(String slotKey) {
        return get(Keys.slot(slotKey)).map(item -> (int) Items.number(item, Items.USED, 0)).orElse(0);
    }

    // ------------------------------------------------------------------ cursors and task definitions: small named values

    private static final String CURSOR = "schedule-cursor/";
    private static final String TASK_DEFINITION = "ecs:task-definition:";

    @Override
    public Optional<Instant> cursor(String deploymentId, String slug) {
        return value(CURSOR + deploymentId + "/" + slug).map(Instant::parse);
    }

    @Override
    public void putCursor(String deploymentId, String slug, Instant handled) {
        putValue(CURSOR + deploymentId + "/" + slug, handled.toString());
    }

    @Override
    public void deleteCursor(String deploymentId, String slug) {
        deleteValue(CURSOR + deploymentId + "/" + slug);
    }

    @Override
    public Optional<String> taskDefinition(String contentHash) {
        return value(TASK_DEFINITION + contentHash);
    }

    @Override
    public void rememberTaskDefinition(String contentHash, String arn) {
        putValue(TASK_DEFINITION + contentHash, arn);
    }

    @Override
    public void forgetTaskDefinition(String contentHash) {
        deleteValue(TASK_DEFINITION + contentHash);
    }

    private Optional<String> value(String key) {
        return get(Keys.namedValue(key)).map(item -> item.get(Items.VALUE).s());
    }

    private void putValue(String key, String value) {
        Map<String, AttributeValue> item = new HashMap<>(Keys.namedValue(key));
        item.put(Items.VALUE, AttributeValue.fromS(value));
        client.putItem(b -> b.tableName(table).item(item));
    }

    private void deleteValue(String key) {
        client.deleteItem(b -> b.tableName(table).key(Keys.namedValue(key)));
    }

    // ------------------------------------------------------------------ logs

    @Override
    public void appendLogs(String runId, List<LogLine> lines) {
        if (lines.isEmpty()) return;
        long ttl = clock.now().plus(logRetention).getEpochSecond();
        // One counter per run hands out the numbers; a failed batch below leaves a gap, never a repeat.
        Map<String, AttributeValue> counted = client.updateItem(b -> b.tableName(table).key(Keys.logSequence(runId))
                .updateExpression("ADD #seq :n SET #ttl = :ttl")
                .expressionAttributeNames(Map.of("#seq", Items.SEQ, "#ttl", Items.TTL))
                .expressionAttributeValues(Map.of(":n", n(lines.size()), ":ttl", n(ttl)))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        long seq = Items.number(counted, Items.SEQ, lines.size()) - lines.size();
        List<WriteRequest> puts = new ArrayList<>(lines.size());
        for (LogLine line : lines) {
            seq++;
            LogLine stored = new LogLine(seq, line.timestamp(), line.stream(), line.message());
            puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(Items.logLine(runId, stored, ttl)).build()).build());
        }
        batches.write(puts);
    }

    @Override
    public List<LogLine> logs(String runId, long afterSeq, int limit) {
        checkLimit(limit);
        if (afterSeq == Long.MAX_VALUE) return List.of();
        String from = Keys.logLine(Math.max(afterSeq + 1, 0));
        List<LogLine> lines = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("#pk = :pk AND #sk BETWEEN :from AND :to")
                    .expressionAttributeNames(Map.of("#pk", Keys.PK, "#sk", Keys.SK))
                    .expressionAttributeValues(Map.of(":pk", s(Keys.runPartition(runId)), ":from", s(from), ":to", s(LAST_LOG)))
                    .limit(limit - lines.size());
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = client.query(request.build());
            response.items().forEach(item -> lines.add(Items.logLine(item)));
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null && lines.size() < limit);
        return lines;
    }

    // ------------------------------------------------------------------ runs: helpers

    private RunWrite writeRunAlone(FlowRun next, Map<String, AttributeValue> item, long expectedVersion) {
        try {
            client.putItem(b -> {
                Put put = runPut(item, expectedVersion);
                b.tableName(table).item(item).conditionExpression(put.conditionExpression())
                        .expressionAttributeNames(put.expressionAttributeNames())
                        .expressionAttributeValues(put.expressionAttributeValues())
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            });
            return new RunWrite.Applied(next);
        } catch (ConditionalCheckFailedException e) {
            FlowRun current = e.hasItem() && !e.item().isEmpty() ? Items.read(e.item(), FlowRun.class) : run(next.id()).orElse(null);
            // Exactly what we wrote: the SDK retried a write whose first answer was lost, and the
            // first attempt landed. A transaction needs no such check: its request token makes a retry a no-op.
            if (next.equals(current)) return new RunWrite.Applied(next);
            return new RunWrite.Stale(current);
        }
    }

    private Put runPut(Map<String, AttributeValue> item, long expectedVersion) {
        return Put.builder().tableName(table).item(item)
                // two writers that read the same version (two claims of one run): only the first may win
                .conditionExpression("#v = :expected")
                .expressionAttributeNames(Map.of("#v", Items.VERSION))
                .expressionAttributeValues(Map.of(":expected", n(expectedVersion)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    private FlowRun current(CancellationReason reason, String runId) {
        if (reason.hasItem() && !reason.item().isEmpty()) return Items.read(reason.item(), FlowRun.class);
        return run(runId).orElse(null);
    }

    private static Expr runFilter(RunFilter f, Set<StateType> states, String index) {
        List<String> terms = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        if (!states.isEmpty() && !Keys.STATE.equals(index)) {
            List<String> placeholders = new ArrayList<>();
            int i = 0;
            for (StateType t : states) {
                placeholders.add(":state" + i);
                values.put(":state" + i++, s(t.name()));
            }
            names.put("#state", Items.STATE_TYPE);
            terms.add("#state IN (" + String.join(", ", placeholders) + ")");
        }
        if (f.deploymentId() != null && !Keys.DEPLOYMENT.equals(index)) {
            names.put("#deployment", Items.DEPLOYMENT_ID);
            values.put(":deployment", s(f.deploymentId()));
            terms.add("#deployment = :deployment");
        }
        if (f.workPoolName() != null && !Keys.POOL.equals(index)) {
            names.put("#pool", Items.WORK_POOL_NAME);
            values.put(":pool", s(f.workPoolName()));
            terms.add("#pool = :pool");
        }
        if (f.workQueueName() != null) {
            names.put("#queue", Items.WORK_QUEUE_NAME);
            values.put(":queue", s(f.workQueueName()));
            terms.add("#queue = :queue");
        }
        return terms.isEmpty() ? Expr.none() : new Expr(String.join(" AND ", terms), names, values);
    }

    private static boolean matches(FlowRun run, RunFilter f, Set<StateType> states) {
        return (states.isEmpty() || states.contains(run.stateType()))
                && (f.deploymentId() == null || f.deploymentId().equals(run.deploymentId()))
                && (f.workPoolName() == null || f.workPoolName().equals(run.workPoolName()))
                && (f.workQueueName() == null || f.workQueueName().equals(run.workQueueName()));
    }

    /**
     * Up to {@code want} items of one index partition after {@code after} (newest first when
     * {@code descending}), with {@code where} applied by DynamoDB; pages through as needed.
     */
    private List<Map<String, AttributeValue>> queryIndex(String index, String partition, String after, boolean descending,
                                                         Expr where, int want) {
        Map<String, String> names = new HashMap<>(where.names());
        names.put("#ipk", Keys.pk(index));
        Map<String, AttributeValue> values = new HashMap<>(where.values());
        values.put(":ipk", s(partition));
        String condition = "#ipk = :ipk";
        if (after != null) {
            names.put("#isk", Keys.sk(index));
            values.put(":after", s(after));
            condition += descending ? " AND #isk < :after" : " AND #isk > :after";
        }
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            // With a filter, Limit counts items read, not items kept: read more per call.
            int limit = where.isEmpty() ? want - found.size() : Math.max(want, 100);
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).indexName(index)
                    .keyConditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values)
                    .scanIndexForward(!descending).limit(limit);
            if (!where.isEmpty()) request.filterExpression(where.expression());
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = client.query(request.build());
            found.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (found.size() < want && start != null);
        return found.size() > want ? found.subList(0, want) : found;
    }

    // ------------------------------------------------------------------ table helpers

    private Optional<Map<String, AttributeValue>> get(Map<String, AttributeValue> key) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    /** Every item of a base-table partition (whose sort key starts with {@code prefix}), strongly consistent. */
    private List<Map<String, AttributeValue>> partition(String pk, String prefix) {
        Map<String, String> names = new HashMap<>(Map.of("#pk", Keys.PK));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", s(pk)));
        String condition = "#pk = :pk";
        if (prefix != null) {
            condition += " AND begins_with(#sk, :prefix)";
            names.put("#sk", Keys.SK);
            values.put(":prefix", s(prefix));
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values);
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = client.query(request.build());
            items.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    private void putItem(Map<String, AttributeValue> item, Expr condition) {
        client.putItem(b -> {
            b.tableName(table).item(item).conditionExpression(condition.expression());
            if (!condition.names().isEmpty()) b.expressionAttributeNames(condition.names());
            if (!condition.values().isEmpty()) b.expressionAttributeValues(condition.values());
        });
    }

    private void deleteItem(Map<String, AttributeValue> key) {
        client.deleteItem(b -> b.tableName(table).key(key));
    }

    private void deleteItem(Map<String, AttributeValue> key, Expr condition) {
        client.deleteItem(b -> b.tableName(table).key(key).conditionExpression(condition.expression())
                .expressionAttributeNames(condition.names()).expressionAttributeValues(condition.values()));
    }

    /**
     * Runs one transaction. Null when it committed; else the cancellation reasons, one per item
     * in order, when a condition was false. Cancellations that only say "busy" (another
     * transaction on the same item, throttling) are tried again after a backoff.
     */
    private List<CancellationReason> transact(List<TransactWriteItem> items) {
        for (int attempt = 1; ; attempt++) {
            try {
                // A fresh token per attempt: the SDK's own retries of this request reuse it, so a
                // commit whose answer was lost is not applied twice (DynamoDB remembers it for 10 minutes).
                String token = UUID.randomUUID().toString();
                client.transactWriteItems(b -> b.transactItems(items).clientRequestToken(token));
                return null;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                if (reasons.stream().anyMatch(r -> CONDITION_FAILED.equals(r.code()))) return reasons;
                boolean busy = !reasons.isEmpty() && reasons.stream()
                        .allMatch(r -> r.code() == null || "None".equals(r.code()) || RETRYABLE.contains(r.code()));
                if (!busy || attempt >= backoff.maxAttempts()) throw e;
                backoff.pause(attempt - 1);
            }
        }
    }

    private TransactWriteItem put(Map<String, AttributeValue> item, Expr condition) {
        return put(item, condition, ReturnValuesOnConditionCheckFailure.NONE);
    }

    private TransactWriteItem put(Map<String, AttributeValue> item, Expr condition, ReturnValuesOnConditionCheckFailure onFailure) {
        Put.Builder put = Put.builder().tableName(table).item(item);
        if (onFailure != ReturnValuesOnConditionCheckFailure.NONE) put.returnValuesOnConditionCheckFailure(onFailure);
        if (!condition.isEmpty()) {
            put.conditionExpression(condition.expression());
            if (!condition.names().isEmpty()) put.expressionAttributeNames(condition.names());
            if (!condition.values().isEmpty()) put.expressionAttributeValues(condition.values());
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    private TransactWriteItem delete(Map<String, AttributeValue> key, Expr condition) {
        Delete.Builder delete = Delete.builder().tableName(table).key(key);
        if (!condition.isEmpty()) {
            delete.conditionExpression(condition.expression());
            if (!condition.names().isEmpty()) delete.expressionAttributeNames(condition.names());
            if (!condition.values().isEmpty()) delete.expressionAttributeValues(condition.values());
        }
        return TransactWriteItem.builder().delete(delete.build()).build();
    }

    private TransactWriteItem check(Map<String, AttributeValue> key, Expr condition) {
        ConditionCheck.Builder check = ConditionCheck.builder().tableName(table).key(key)
                .conditionExpression(condition.expression());
        if (!condition.names().isEmpty()) check.expressionAttributeNames(condition.names());
        if (!condition.values().isEmpty()) check.expressionAttributeValues(condition.values());
        return TransactWriteItem.builder().conditionCheck(check.build()).build();
    }

    private static WriteRequest deleteRequest(Map<String, AttributeValue> key) {
        return WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build();
    }

    private static Map<String, AttributeValue> tableKey(Map<String, AttributeValue> indexItem) {
        return Keys.key(indexItem.get(Keys.PK).s(), indexItem.get(Keys.SK).s());
    }

    /** The id in a {@code KIND#id} partition key. */
    private static String idOf(String pk) {
        return pk.substring(pk.indexOf('#') + 1);
    }

    private static boolean failed(List<CancellationReason> reasons, int index) {
        return index < reasons.size() && CONDITION_FAILED.equals(reasons.get(index).code());
    }

    private static String codes(List<CancellationReason> reasons) {
        return reasons.stream().map(CancellationReason::code).toList().toString();
    }

    private static <K, V> Map<K, V> merge(Map<K, V> a, Map<K, V> b) {
        Map<K, V> merged = new HashMap<>(a);
        merged.putAll(b);
        return merged;
    }

    private static void checkLimit(int limit) {
        if (limit < 1) throw new IllegalArgumentException("page limit must be at least 1 (got " + limit + ")");
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive (got " + d + ")");
        return d;
    }

    /** A condition expression with its placeholders. */
    record Expr(String expression, Map<String, String> names, Map<String, AttributeValue> values) {
        static Expr none() {
            return new Expr(null, Map.of(), Map.of());
        }

        static Expr absent() {
            return new Expr("attribute_not_exists(#pk)", Map.of("#pk", Keys.PK), Map.of());
        }

        static Expr present() {
            return new Expr("attribute_exists(#pk)", Map.of("#pk", Keys.PK), Map.of());
        }

        /** The item exists and is the entity with this id (not another one under the same name). */
        static Expr idIs(String id) {
            return new Expr("#id = :id", Map.of("#id", Items.ID), Map.of(":id", s(id)));
        }

        /**
         * The item exists and still has this revision. Items written before revisions existed
         * have none, and read as revision 0.
         */
        static Expr revision(long revision) {
            if (revision == 0) {
                return new Expr("attribute_exists(#pk) AND attribute_not_exists(#rev)",
                        Map.of("#pk", Keys.PK, "#rev", Items.REVISION), Map.of());
            }
            return new Expr("#rev = :rev", Map.of("#rev", Items.REVISION), Map.of(":rev", n(revision)));
        }

        Expr and(Expr other) {
            return new Expr(expression + " AND " + other.expression, merge(names, other.names), merge(values, other.values));
        }

        boolean isEmpty() {
            return expression == null;
        }
    }

    /** One concurrency counter of a slot change; a key named twice counts twice, in one update. */
    record Counter(String key, Integer limit, long amount) {
        static List<Counter> of(List<Slot> slots) {
            Map<String, Counter> merged = new LinkedHashMap<>();
            for (Slot slot : slots) {
                merged.merge(slot.key(), new Counter(slot.key(), slot.limit(), 1), (a, b) -> new Counter(a.key,
                        a.limit == null ? b.limit : b.limit == null ? a.limit : Integer.valueOf(Math.min(a.limit, b.limit)),
                        a.amount + b.amount));
            }
            return List.copyOf(merged.values());
        }

        Counter withAmount(long value) {
            return new Counter(key, limit, value);
        }

        Update acquire(String table) {
            Update.Builder update = Update.builder().tableName(table).key(Keys.slot(key))
                    .updateExpression("SET #used = if_not_exists(#used, :zero) + :n")
                    .expressionAttributeNames(Map.of("#used", Items.USED));
            if (limit == null) {
                return update.expressionAttributeValues(Map.of(":zero", n(0), ":n", n(amount))).build();
            }
            Map<String, AttributeValue> values = Map.of(":zero", n(0), ":n", n(amount), ":limit", n(limit));
            return update.expressionAttributeValues(values)
                    // a claim must not take a slot past the limit (two claims racing for the last free slot);
                    // with a limit of 0 even a counter never used refuses, so no attribute_not_exists there
                    .conditionExpression(limit > 0 ? "attribute_not_exists(#used) OR #used < :limit" : "#used < :limit")
                    .build();
        }

        Update release(String table) {
            return Update.builder().tableName(table).key(Keys.slot(key))
                    .updateExpression("SET #used = #used - :n")
                    // a counter must never go below zero (a slot released twice), or the limit would let one run too many in
                    .conditionExpression("#used >= :n")
                    .expressionAttributeNames(Map.of("#used", Items.USED))
                    .expressionAttributeValues(Map.of(":n", n(amount)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build();
        }
    }
}
