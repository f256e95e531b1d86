package dev.ferry.aws.dynamodb;

import static dev.ferry.core.testing.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Write;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.PoolStoreContract;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** The PoolStore contract on DynamoDB in the emulator: a fresh account and table for every test. */
@ExtendWith(Emulator.class)
class DynamoDbPoolsIT extends PoolStoreContract {
    private EmulatedTable table;

    @Override
    protected PoolStore newPools() {
        table = EmulatedTable.fresh();
        return new DynamoDbPools(table.client(), table.name());
    }

    @Test
    void aPoolWrittenBeforeRevisions_readsAsRevisionZero_andUpdatesConditionally() {
        WorkPool pool = createdPool("pool-a");
        Map<String, AttributeValue> old = new HashMap<>(Items.pool(pool));
        old.remove(Items.REVISION);
        old.put(Items.DOC, AttributeValue.fromS(Json.string(pool).replace(",\"revision\":1", "")));
        table.raw().putItem(b -> b.tableName(table.name()).item(old));

        WorkPool read = store.pool(pool.name()).orElseThrow();

        assertThat(read.revision()).isZero();
        assertThat(store.updatePool(read.withPaused(true, T0.plusSeconds(1)))).isInstanceOf(Write.Applied.class);
        assertThat(store.updatePool(read.withPaused(false, T0.plusSeconds(2)))).isInstanceOf(Write.Stale.class);
        assertThat(store.pool(pool.name()).orElseThrow().revision()).isEqualTo(1);
    }

    @Test
    void updateQueue_isAnUpdateOfDocumentAndRevision_soAPollIsNeverOverwritten() {
        WorkPool pool = createdPool("pool-a");
        WorkQueue queue = store.queue(pool.id(), WorkPool.DEFAULT_QUEUE).orElseThrow();
        table.client().takeRequests();

        store.updateQueue(queue.with("edited", 2, null, false, T0.plusSeconds(1)));

        UpdateItemRequest update = (UpdateItemRequest) table.client().takeRequests().get(0);
        assertThat(update.updateExpression()).isEqualTo("SET #doc = :doc, #rev = :next");
        assertThat(update.conditionExpression()).isEqualTo("#id = :id AND #rev = :rev");
    }
}
