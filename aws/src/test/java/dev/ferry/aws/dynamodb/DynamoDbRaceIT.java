package dev.ferry.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.common.Documents;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.FlowRunBuilder;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Races on the DynamoDB store, forced: moto is not atomic under concurrent requests, so instead
 * of firing threads each test lands a competing write between the store's read (or the
 * caller's) and its conditional write, the moment a real race would hit. What the store sends
 * is asserted too, since the conditions are what make it correct.
 */
@ExtendWith(Emulator.class)
class DynamoDbRaceIT {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456789Z");
    private static DynamoDbClient raw;
    private static InterceptingClient client;
    private String table;
    private DynamoDbRuns store;
    private DynamoDbPools pools;

    @BeforeEach
    void freshTable() {
        Emulator.reset();
        if (raw == null) {
            raw = Emulator.dynamoDb();
            client = new InterceptingClient(raw);
        }
        table = "ferry-" + UUID.randomUUID();
        Tables.create(raw, table);
        store = new DynamoDbRuns(client, table);
        pools = new DynamoDbPools(client, table);
    }

    @Test
    void claim_isStale_withTheWinner_whenAnotherClaimLandsBetweenReadAndWrite() {
        FlowRun run = store.createRun(scheduled("run-1", null));
        Slot pool = Slot.pool("pool-1", null);
        FlowRun winner = claim(run, "worker-2");
        // both workers read version 1; worker-2's claim lands while worker-1's is on its way
        client.beforeNextTransaction(() -> assertThat(store.writeRun(winner, run.version(),
                new SlotChange.Acquire(List.of(pool)))).isEqualTo(new RunWrite.Applied(winner)));

        RunWrite result = store.writeRun(claim(run, "worker-1"), run.version(), new SlotChange.Acquire(List.of(pool)));

        assertThat(result).isEqualTo(new RunWrite.Stale(winner));
        assertThat(store.run(run.id())).contains(winner);
        assertThat(store.slotsInUse(pool.key())).as("the stale claim took no slot").isEqualTo(1);
    }

    @Test
    void claim_isRefused_whenACompetingClaimTakesTheLastSlotFirst() {
        FlowRun mine = store.createRun(scheduled("run-1", null));
        FlowRun theirs = store.createRun(scheduled("run-2", null));
        List<Slot> slots = List.of(Slot.pool("pool-1", 1), Slot.queue("queue-1", null), Slot.deployment("dep-1", null));
        client.beforeNextTransaction(() -> assertThat(store.writeRun(claim(theirs, "worker-2"), theirs.version(),
                new SlotChange.Acquire(slots))).isInstanceOf(RunWrite.Applied.class));

        RunWrite result = store.writeRun(claim(mine, "worker-1"), mine.version(), new SlotChange.Acquire(slots));

        assertThat(result).isEqualTo(new RunWrite.LimitReached("pool:pool-1"));
        assertThat(store.run(mine.id())).contains(mine);
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isEqualTo(1);
    }

    @Test
    void createRun_returnsTheRunThatWon_whenTheSameKeyWasCreatedMeanwhile() {
        FlowRun first = scheduled("run-1", "schedule-1@2026-03-01T12:00Z");
        FlowRun second = scheduled("run-2", "schedule-1@2026-03-01T12:00Z");
        // a schedule firing delivered twice: the other delivery commits while this one is on its way
        client.beforeNextTransaction(() -> assertThat(store.createRun(second)).isEqualTo(second));

        FlowRun returned = store.createRun(first);

        assertThat(returned).isEqualTo(second);
        assertThat(store.run(first.id())).isEmpty();
        assertThat(store.run(second.id())).contains(second);
    }

    @Test
    void claim_isOneTransaction_withTheVersionConditionAndAConditionalCounterUpdatePerSlot() {
        FlowRun run = store.createRun(scheduled("run-1", null));
        FlowRun next = claim(run, "worker-1");
        client.takeCounts();

        store.writeRun(next, run.version(), new SlotChange.Acquire(List.of(
                Slot.pool("pool-1", 2), Slot.queue("queue-1", null), Slot.deployment("dep-1", 0))));

        assertThat(client.takeCounts()).isEqualTo(Map.of("TransactWriteItems", 1));
        TransactWriteItemsRequest sent = last(client.transactions());
        assertThat(sent.clientRequestToken()).isNotBlank();
        assertThat(sent.transactItems()).hasSize(4);

        Put put = sent.transactItems().get(0).put();
        assertThat(put.tableName()).isEqualTo(table);
        assertThat(put.item()).containsEntry("pk", s("RUN#run-1")).containsEntry("sk", s("#RUN"))
                .containsEntry("version", n(2)).containsEntry("state_type", s("PENDING"))
                .containsEntry("doc", s(Documents.write(next)));
        assertThat(put.conditionExpression()).isEqualTo("#v = :expected");
        assertThat(put.expressionAttributeNames()).isEqualTo(Map.of("#v", "version"));
        assertThat(put.expressionAttributeValues()).isEqualTo(Map.of(":expected", n(1)));
        assertThat(put.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);

        Update pool = sent.transactItems().get(1).update();
        assertThat(pool.key()).isEqualTo(Map.of("pk", s("SLOT#pool:pool-1"), "sk", s("#SLOT")));
        assertThat(pool.updateExpression()).isEqualTo("SET #used = if_not_exists(#used, :zero) + :n");
        assertThat(pool.conditionExpression()).isEqualTo("attribute_not_exists(#used) OR #used < :limit");
        assertThat(pool.expressionAttributeNames()).isEqualTo(Map.of("#used", "used"));
        assertThat(pool.expressionAttributeValues()).isEqualTo(Map.of(":zero", n(0), ":n", n(1), ":limit", n(2)));

        Update queue = sent.transactItems().get(2).update();
        assertThat(queue.key()).isEqualTo(Map.of("pk", s("SLOT#queue:queue-1"), "sk", s("#SLOT")));
        assertThat(queue.updateExpression()).isEqualTo("SET #used = if_not_exists(#used, :zero) + :n");
        assertThat(queue.conditionExpression()).as("no limit, no condition: it only counts").isNull();
        assertThat(queue.expressionAttributeValues()).isEqualTo(Map.of(":zero", n(0), ":n", n(1)));

        Update deployment = sent.transactItems().get(3).update();
        assertThat(deployment.key()).isEqualTo(Map.of("pk", s("SLOT#deployment:dep-1"), "sk", s("#SLOT")));
        assertThat(deployment.conditionExpression()).as("a limit of 0 refuses even a counter never used")
                .isEqualTo("#used < :limit");
        assertThat(deployment.expressionAttributeValues()).isEqualTo(Map.of(":zero", n(0), ":n", n(1), ":limit", n(0)));
    }

    @Test
    void release_writesTheRunAndTheOtherCounters_whenACounterReachedZeroMeanwhile() {
        FlowRun run = store.createRun(scheduled("run-1", null));
        List<Slot> slots = List.of(Slot.pool("pool-1", 1), Slot.queue("queue-1", 1), Slot.deployment("dep-1", 1));
        FlowRun claimed = claim(run, "worker-1");
        store.writeRun(claimed, run.version(), new SlotChange.Acquire(slots));
        FlowRun done = claimed.entering(State.of(StateType.COMPLETED, T0.plusSeconds(9)), T0.plusSeconds(9));
        // someone zeroed the pool counter (an operator's repair, a double release) just before
        client.beforeNextTransaction(() -> raw.updateItem(b -> b.tableName(table).key(Keys.slot("pool:pool-1"))
                .updateExpression("SET used = :zero").expressionAttributeValues(Map.of(":zero", n(0)))));

        RunWrite result = store.writeRun(done, claimed.version(), new SlotChange.Release(slots));

        assertThat(result).isEqualTo(new RunWrite.Applied(done));
        assertThat(store.run(run.id())).contains(done);
        for (Slot slot : slots) assertThat(store.slotsInUse(slot.key())).as(slot.key()).isZero();
        List<TransactWriteItemsRequest> sent = client.transactions();
        assertThat(last(sent).transactItems()).as("the retry leaves out the counter at zero").hasSize(3);
    }

    @Test
    void staleRelease_givesNothingBack_whenTheJanitorLostTheRaceToTheWorker() {
        FlowRun run = store.createRun(scheduled("run-1", null));
        List<Slot> slots = List.of(Slot.pool("pool-1", 1));
        FlowRun claimed = claim(run, "worker-1");
        store.writeRun(claimed, run.version(), new SlotChange.Acquire(slots));
        FlowRun crashed = claimed.entering(State.of(StateType.CRASHED, T0.plusSeconds(90)), T0.plusSeconds(90));
        FlowRun heartbeat = claimed.heartbeat(T0.plusSeconds(89));
        // the worker's heartbeat lands while the janitor's CRASHED write is on its way
        client.beforeNextTransaction(() -> store.writeRun(heartbeat, claimed.version(), SlotChange.NONE));

        RunWrite result = store.writeRun(crashed, claimed.version(), new SlotChange.Release(slots));

        assertThat(result).isEqualTo(new RunWrite.Stale(heartbeat));
        assertThat(store.slotsInUse("pool:pool-1")).isEqualTo(1);
    }

    @Test
    void writeRun_isApplied_whenItsOwnEarlierAttemptLanded() {
        FlowRun run = store.createRun(scheduled("run-1", null));
        FlowRun beat = run.heartbeat(T0.plusSeconds(5));
        // what an SDK retry looks like: the first attempt was written, its answer lost
        client.beforeNextPut(() -> store.writeRun(beat, run.version(), SlotChange.NONE));

        RunWrite result = store.writeRun(beat, run.version(), SlotChange.NONE);

        assertThat(result).isEqualTo(new RunWrite.Applied(beat));
    }

    @Test
    void saveWorker_isDropped_whenItsPoolIsDeletedMeanwhile() {
        WorkPool pool = new WorkPool("pool-1", "pool-a", PoolType.PROCESS, null, JsonNodeFactory.instance.objectNode(),
                null, false, WorkPool.DEFAULT_QUEUE, T0, T0, 1);
        pools.createPool(pool, new WorkQueue("queue-1", "pool-1", "pool-a", "default", null, 1, null, false, null, T0, T0, 1));
        client.beforeNextTransaction(() -> pools.deletePool("pool-1"));

        pools.saveWorker(new Worker("pool-1", "pool-a", "late-heartbeat", T0, Worker.DEFAULT_HEARTBEAT_SECONDS, null));

        assertThat(pools.workers("pool-1")).isEmpty();
        assertThat(pools.pool("pool-a")).isEmpty();
    }

    // ------------------------------------------------------------------ fixtures

    private static FlowRun scheduled(String id, String idempotencyKey) {
        State s = State.of(StateType.SCHEDULED, T0);
        return FlowRunBuilder.builder().id(id).name("brave-otter").deploymentId("dep-1").flowName("etl")
                .deploymentName("nightly").workPoolId("pool-1").workPoolName("pool-a").workQueueId("queue-1")
                .workQueueName("default").parameters(JsonNodeFactory.instance.objectNode())
                .jobVariables(JsonNodeFactory.instance.objectNode()).state(s).stateHistory(List.of(s)).scheduledStartTime(T0)
                .idempotencyKey(idempotencyKey).tags(List.of()).version(1).created(T0).updated(T0).build();
    }

    private static FlowRun claim(FlowRun run, String worker) {
        Instant at = run.created().plusSeconds(1);
        return run.claimedBy(worker).entering(State.of(StateType.PENDING, at), at);
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
