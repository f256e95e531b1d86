package dev.ferry.aws.dynamodb;

import static dev.ferry.aws.dynamodb.Items.n;
import static dev.ferry.aws.dynamodb.Items.s;
import static dev.ferry.aws.dynamodb.Table.codes;
import static dev.ferry.aws.dynamodb.Table.failed;

import dev.ferry.core.common.Page;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventService;
import dev.ferry.core.events.EventStore;
import dev.ferry.core.runs.ActivityWindow;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.RunActivity;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.StateType;
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
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * {@link RunStore} in Ferry's table. A run lives under its id as its JSON document, with copies of
 * the fields the list indexes sort and filter on; an idempotency key is an item of its own, put
 * with the run in one transaction. A run's write, its slot counters and its state's event (the
 * items {@link DynamoDbEvents} stores it as, so the table's stream carries it to the automations)
 * move in one transaction, conditioned on the run's version and on each counter's limit.
 */
public final class DynamoDbRuns implements RunStore {
    private final Table table;
    private final DynamoDbEvents events;

    /** Its runs' events kept {@link EventService#DEFAULT_RETENTION} (the adapter set gives the one it is wired with). */
    public DynamoDbRuns(DynamoDbClient client, String tableName) {
        this(new Table(client, tableName));
    }

    private DynamoDbRuns(Table table) {
        this(table, new DynamoDbEvents(table, EventService.DEFAULT_RETENTION, EventStore.SCAN_BUDGET));
    }

    /** @param events the table's event store, whose items a run's state event is written as */
    DynamoDbRuns(Table table, DynamoDbEvents events) {
        this.table = Objects.requireNonNull(table, "table");
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public FlowRun createRun(FlowRun run, Event event) {
        Objects.requireNonNull(run.created(), "run.created");
        boolean keyed = run.idempotencyKey() != null && run.deploymentId() != null;
        if (!keyed && event == null) {
            try {
                // a reused id must not overwrite another run
                table.putItem(Items.run(run), Expr.absent());
                return run;
            } catch (ConditionalCheckFailedException e) {
                throw new IllegalStateException("flow run id " + run.id() + " is already in use; ids must be unique");
            }
        }
        List<TransactWriteItem> items = new ArrayList<>();
        if (keyed) {
            Map<String, AttributeValue> key = new HashMap<>(Keys.idempotencyKey(run.deploymentId(), run.idempotencyKey()));
            key.put(Items.RUN_ID, s(run.id()));
            // a schedule firing delivered twice (or a client retrying) must create one run
            items.add(table.put(key, Expr.absent(), ReturnValuesOnConditionCheckFailure.ALL_OLD));
        }
        int runAt = items.size();
        items.add(table.put(Items.run(run), Expr.absent()));
        int eventAt = items.size();
        if (event != null) items.addAll(events.writes(event));
        List<CancellationReason> refused = table.transact(items);
        if (refused == null) return run;
        if (!keyed || !failed(refused, 0)) {
            if (failed(refused, runAt)) {
                throw new IllegalStateException("flow run id " + run.id() + " is already in use; ids must be unique");
            }
            if (event == null || !failed(refused, eventAt)) {
                throw new IllegalStateException("creating flow run " + run.id() + " was cancelled: " + codes(refused));
            }
            // the event's id is stored already: dropped, as an append drops it, and the run created without it
            return createRun(run, null);
        }
        Map<String, AttributeValue> holder = refused.get(0).hasItem() && !refused.get(0).item().isEmpty()
                ? refused.get(0).item()
                : table.get(Keys.idempotencyKey(run.deploymentId(), run.idempotencyKey())).orElseThrow();
        String existing = Items.string(holder, Items.RUN_ID);
        return run(existing).orElseThrow(() -> new IllegalStateException("idempotency key '" + run.idempotencyKey()
                + "' of deployment " + run.deploymentId() + " names flow run " + existing + ", which does not exist"));
    }

    @Override
    public Optional<FlowRun> run(String id) {
        return table.get(Keys.run(id)).map(item -> Items.read(item, FlowRun.class));
    }

    @Override
    public Page<FlowRun> runs(RunFilter filter, int limit, String cursor) {
        Table.checkLimit(limit);
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
        for (String partition : partitions) hits.addAll(table.queryIndex(index, partition, after, true, where, limit + 1));
        String sortKey = Keys.sk(index);
        hits.sort(Comparator.comparing((Map<String, AttributeValue> hit) -> hit.get(sortKey).s()).reversed());
        List<Map<String, AttributeValue>> page = hits.subList(0, Math.min(limit, hits.size()));
        Map<String, FlowRun> byId = new HashMap<>();
        for (Map<String, AttributeValue> item : table.batches.get(page.stream().map(Table::tableKey).toList())) {
            FlowRun run = Items.read(item, FlowRun.class);
            byId.put(run.id(), run);
        }
        List<FlowRun> items = page.stream()
                .map(hit -> byId.get(Table.idOf(hit.get(Keys.PK).s())))
                // the index lags the table: drop runs that left the filter meanwhile
                .filter(run -> run != null && matches(run, f, states))
                .toList();
        String next = hits.size() > limit ? Cursors.encode(Cursors.RUNS, page.get(limit - 1).get(sortKey).s()) : null;
        return new Page<>(items, next);
    }

    @Override
    public Page<FlowRun> scheduledDue(Instant after, Instant until, int limit, String cursor) {
        TimeIndex.Hits hits = TimeIndex.window(table, Keys.DUE, Keys.runsDue(), after, until, limit, cursor, Cursors.RUNS_DUE);
        List<Map<String, AttributeValue>> page = hits.page();
        Map<String, FlowRun> byId = new HashMap<>();
        for (Map<String, AttributeValue> item : table.batches.get(page.stream().map(Table::tableKey).toList())) {
            FlowRun run = Items.read(item, FlowRun.class);
            byId.put(run.id(), run);
        }
        List<FlowRun> items = page.stream()
                .map(hit -> byId.get(Table.idOf(hit.get(Keys.PK).s())))
                // the index lags the table: drop runs that left SCHEDULED, or the window, meanwhile
                .filter(run -> run != null && run.stateType() == StateType.SCHEDULED
                        && RunStore.dueAt(run).isAfter(after) && !RunStore.dueAt(run).isAfter(until))
                .toList();
        return new Page<>(items, hits.next());
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
            QueryRequest.Builder request = QueryRequest.builder().tableName(table.name).indexName(Keys.ACTIVE)
                    .keyConditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values)
                    .select(Select.COUNT);
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = table.client.query(request.build());
            count += response.count();
            start = Table.next(response);
        } while (start != null);
        return count;
    }

    /**
     * One {@code TransactWriteItems} when there are counters to move or an event to store: the run's
     * put, an update per distinct counter, then the event's {@link DynamoDbEvents#WRITES} items. At
     * most 1 + 3 + 2 items, far inside the 100 a transaction may hold.
     */
    @Override
    public RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots, Event event) {
        Objects.requireNonNull(slots, "slots");
        Map<String, AttributeValue> item = Items.run(next);
        if (slots instanceof SlotChange.None && event == null) return writeRunAlone(next, item, expectedVersion);
        boolean acquire = slots instanceof SlotChange.Acquire;
        List<Counter> counters = slots instanceof SlotChange.Acquire a ? Counter.of(a.slots())
                : slots instanceof SlotChange.Release r ? Counter.of(r.slots()) : List.of();
        Event pending = event;
        for (int attempt = 1; ; attempt++) {
            List<TransactWriteItem> items = new ArrayList<>();
            items.add(TransactWriteItem.builder().put(runPut(item, expectedVersion)).build());
            for (Counter c : counters) {
                items.add(TransactWriteItem.builder().update(acquire ? c.acquire(table.name) : c.release(table.name)).build());
            }
            int eventAt = items.size();
            if (pending != null) items.addAll(events.writes(pending));
            List<CancellationReason> refused = table.transact(items);
            if (refused == null) return new RunWrite.Applied(next);
            if (failed(refused, 0)) return new RunWrite.Stale(current(refused.get(0), next.id()));
            boolean again = false;
            if (pending != null && failed(refused, eventAt)) {
                // The event's id is stored already (a state left and entered again within one instant
                // makes its id again): dropped, as an append drops it, so the run's write still lands.
                pending = null;
                again = true;
            }
            if (acquire) {
                for (int i = 0; i < counters.size(); i++) {
                    if (failed(refused, i + 1)) return new RunWrite.LimitReached(counters.get(i).key());
                }
            } else {
                // A counter already at zero has nothing to give back (the run's slot was released
                // before, or never counted): write the rest rather than fail the whole transition.
                List<Counter> kept = new ArrayList<>();
                for (int i = 0; i < counters.size(); i++) {
                    Counter c = counters.get(i);
                    long giveBack = c.amount();
                    if (failed(refused, i + 1)) {
                        CancellationReason reason = refused.get(i + 1);
                        giveBack = reason.hasItem() ? Math.min(c.amount(), Items.number(reason.item(), Items.USED, 0)) : 0;
                    }
                    again |= giveBack != c.amount();
                    if (giveBack > 0) kept.add(c.withAmount(giveBack));
                }
                counters = kept;
            }
            if (again && attempt < table.backoff.maxAttempts()) continue;
            throw new IllegalStateException("writing flow run " + next.id() + " was cancelled: " + codes(refused));
        }
    }

    @Override
    public int slotsInUse(String slotKey) {
        return table.get(Keys.slot(slotKey)).map(item -> (int) Items.number(item, Items.USED, 0)).orElse(0);
    }

    /**
     * One query, newest first, over the creation-time index the filter picks ({@code deployment},
     * {@code pool}, else {@code kind}), from {@link ActivityWindow#createdFrom()} on, projecting the
     * table keys only; the other filters are a {@code FilterExpression} on the projected fields. No
     * index holds the expected start, so the documents of the runs found are then read by key
     * ({@code BatchGetItem}, 100 a call), which also gives each run's current state. At most
     * {@code maxRuns} runs are read; finding one more marks the answer truncated.
     */
    @Override
    public RunActivity activity(ActivityWindow window, RunFilter filter) {
        RunFilter f = filter == null ? RunFilter.ALL : filter;
        Set<StateType> states = f.states() == null ? Set.of() : f.states();
        String index;
        String partition;
        if (f.deploymentId() != null) {
            index = Keys.DEPLOYMENT;
            partition = Keys.runsOfDeployment(f.deploymentId());
        } else if (f.workPoolName() != null) {
            index = Keys.POOL;
            partition = Keys.runsOfPool(f.workPoolName());
        } else {
            index = Keys.KIND;
            partition = Keys.runsKind();
        }
        Expr where = runFilter(f, states, index);
        Map<String, String> names = new HashMap<>(where.names());
        names.putAll(Map.of("#ipk", Keys.pk(index), "#isk", Keys.sk(index), "#tpk", Keys.PK, "#tsk", Keys.SK));
        Map<String, AttributeValue> values = new HashMap<>(where.values());
        values.put(":ipk", s(partition));
        values.put(":from", s(Keys.runOrder(window.createdFrom(), "")));
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            // with a filter, Limit counts items read, not items kept: read whole pages then
            int limit = where.isEmpty() ? Math.min(1000, window.maxRuns() + 1 - keys.size()) : 1000;
            QueryRequest.Builder request = QueryRequest.builder().tableName(table.name).indexName(index)
                    .keyConditionExpression("#ipk = :ipk AND #isk >= :from").projectionExpression("#tpk, #tsk")
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .scanIndexForward(false).limit(limit);
            if (!where.isEmpty()) request.filterExpression(where.expression());
            if (start != null) request.exclusiveStartKey(start);
            QueryResponse response = table.client.query(request.build());
            for (Map<String, AttributeValue> hit : response.items()) keys.add(Table.tableKey(hit));
            start = Table.next(response);
        } while (keys.size() <= window.maxRuns() && start != null);
        boolean truncated = keys.size() > window.maxRuns();
        RunActivity.Tally tally = new RunActivity.Tally(window);
        for (Map<String, AttributeValue> item : table.batches.get(keys.subList(0, Math.min(keys.size(), window.maxRuns())))) {
            FlowRun run = Items.read(item, FlowRun.class);
            // the index lags the table: a run that left the filter meanwhile is not counted
            if (!matches(run, f, states)) continue;
            tally.add(run.scheduledStartTime() != null ? run.scheduledStartTime() : run.created(), run.stateType());
        }
        return tally.result(truncated);
    }

    private RunWrite writeRunAlone(FlowRun next, Map<String, AttributeValue> item, long expectedVersion) {
        try {
            table.client.putItem(b -> {
                Put put = runPut(item, expectedVersion);
                b.tableName(table.name).item(item).conditionExpression(put.conditionExpression())
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
        return Put.builder().tableName(table.name).item(item)
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
