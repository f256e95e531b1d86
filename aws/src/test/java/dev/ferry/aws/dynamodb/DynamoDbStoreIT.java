package dev.ferry.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.aws.testing.ThreadRacesOnMoto;
import dev.ferry.core.StoreContract;
import dev.ferry.core.common.Write;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.testing.StoreSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The store contract on DynamoDB in the emulator: a fresh account and table for every test.
 *
 * <p>moto is not atomic under concurrent requests (parallel conditional writes of one item lose
 * updates or fail with HTTP 500), so the contract's two thread races prove nothing there and
 * fail at random. On moto they are switched off ({@link ThreadRacesOnMoto}) and replaced by the
 * same races forced: each writer is overtaken by the next one after it built its conditional
 * write and before it sent it, the worst moment. On LocalStack the thread races run as written.
 */
@ExtendWith({Emulator.class, ThreadRacesOnMoto.class})
class DynamoDbStoreIT extends StoreContract {
    private static DynamoDbClient raw;
    private static InterceptingClient client;
    private String table;

    @Override
    protected StoreSet newStore() {
        Emulator.reset();
        if (raw == null) {
            raw = Emulator.dynamoDb();
            client = new InterceptingClient(raw);
        }
        table = "ferry-" + UUID.randomUUID(); // unique too where reset can't wipe (LocalStack)
        Tables.create(raw, table);
        return StoreSet.of(DynamoDbAdapters.ports(client, table, null, null));
    }

    @Test
    void writeRun_letsExactlyOneOfEightClaimersIn_whenThePoolLimitIsOne_forcedInterleaving() {
        Setup s = setup();
        List<FlowRun> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) runs.add(store.createRun(run(s, T0.plusMillis(i), null)));
        Slot pool = Slot.pool(s.pool().id(), 1);
        RunWrite[] results = new RunWrite[8];
        for (int i = 1; i < 8; i++) {
            int k = i; // claimer k - 1 is overtaken by claimer k; the last one lands first
            client.beforeNextTransaction(() -> results[k] = claimWith(runs.get(k), pool));
        }

        results[0] = claimWith(runs.get(0), pool);

        assertThat(results).filteredOn(r -> r instanceof RunWrite.Applied).containsExactly(results[7]);
        assertThat(Arrays.asList(results).subList(0, 7)).allSatisfy(r -> assertThat(r)
                .isEqualTo(new RunWrite.LimitReached(pool.key())));
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
        assertThat(store.runs(RunFilter.inStates(Set.of(StateType.PENDING)), 100, null).items()).hasSize(1);
        assertThat(store.activeRuns(s.pool().id(), null)).isEqualTo(8);
    }

    @Test
    void writeRun_appliesExactlyOneOfEightWriters_atTheSameVersion_forcedInterleaving() {
        Setup s = setup();
        FlowRun run = store.createRun(run(s, T0, null));
        Slot pool = Slot.pool(s.pool().id(), null);
        RunWrite[] results = new RunWrite[8];
        for (int i = 1; i < 8; i++) {
            int k = i;
            client.beforeNextTransaction(() -> results[k] = store.writeRun(claim(run, "worker-" + k), run.version(),
                    new SlotChange.Acquire(List.of(pool))));
        }

        results[0] = store.writeRun(claim(run, "worker-0"), run.version(), new SlotChange.Acquire(List.of(pool)));

        FlowRun winner = claim(run, "worker-7");
        assertThat(results[7]).isEqualTo(new RunWrite.Applied(winner));
        assertThat(Arrays.asList(results).subList(0, 7)).allSatisfy(r -> assertThat(r)
                .isEqualTo(new RunWrite.Stale(winner)));
        assertThat(store.run(run.id())).contains(winner);
        assertThat(store.slotsInUse(pool.key())).isEqualTo(1);
    }

    @Test
    void createDeployment_makesOneDeployment_whenTwoFirstDeploysRace_forcedInterleaving() {
        Boolean[] results = new Boolean[8];
        for (int i = 1; i < 8; i++) {
            int k = i; // creator k - 1 is overtaken by creator k; the last one lands first
            client.beforeNextTransaction(() -> results[k] = store.createDeployment(deployment("etl", "nightly", "pool-a")));
        }

        results[0] = store.createDeployment(deployment("etl", "nightly", "pool-a"));

        assertThat(results).containsExactly(false, false, false, false, false, false, false, true);
        assertThat(store.deployments(null, 10, null).items()).hasSize(1);
    }

    @Test
    void aPoolWrittenBeforeRevisions_readsAsRevisionZero_andUpdatesConditionally() {
        Setup s = setup();
        Map<String, AttributeValue> old = new java.util.HashMap<>(Items.pool(s.pool()));
        old.remove(Items.REVISION);
        old.put(Items.DOC, AttributeValue.fromS(dev.ferry.core.common.Json.string(s.pool()).replace(",\"revision\":1", "")));
        raw.putItem(b -> b.tableName(table).item(old));

        WorkPool read = store.pool(s.pool().name()).orElseThrow();

        assertThat(read.revision()).isZero();
        assertThat(store.updatePool(read.withPaused(true, T0.plusSeconds(1)))).isInstanceOf(Write.Applied.class);
        assertThat(store.updatePool(read.withPaused(false, T0.plusSeconds(2)))).isInstanceOf(Write.Stale.class);
        assertThat(store.pool(s.pool().name()).orElseThrow().revision()).isEqualTo(1);
    }

    @Test
    void updateDeployment_sendsItsRevisionAsTheCondition() {
        Setup s = setup();
        client.takeRequests();

        store.updateDeployment(s.deployment().paused("note", "ops", null, T0.plusSeconds(1)));

        PutItemRequest put = (PutItemRequest) client.takeRequests().get(0);
        assertThat(put.conditionExpression()).isEqualTo("#rev = :rev");
        assertThat(put.expressionAttributeNames()).isEqualTo(Map.of("#rev", "revision"));
        assertThat(put.expressionAttributeValues()).isEqualTo(Map.of(":rev", AttributeValue.fromN("1")));
        assertThat(put.item().get("revision")).isEqualTo(AttributeValue.fromN("2"));
        assertThat(put.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void updateQueue_isAnUpdateOfDocumentAndRevision_soAPollIsNeverOverwritten() {
        Setup s = setup();
        client.takeRequests();

        store.updateQueue(s.queue().with("edited", 2, null, false, T0.plusSeconds(1)));

        UpdateItemRequest update = (UpdateItemRequest) client.takeRequests().get(0);
        assertThat(update.updateExpression()).isEqualTo("SET #doc = :doc, #rev = :next");
        assertThat(update.conditionExpression()).isEqualTo("#id = :id AND #rev = :rev");
    }

    private RunWrite claimWith(FlowRun run, Slot slot) {
        return store.writeRun(claim(run, "worker-" + run.id()), run.version(), new SlotChange.Acquire(List.of(slot)));
    }
}
