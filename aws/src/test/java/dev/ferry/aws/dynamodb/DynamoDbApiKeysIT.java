package dev.ferry.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.aws.testing.ThreadRacesOnMoto;
import dev.ferry.core.auth.ApiKeyRecord;
import dev.ferry.core.auth.ApiKeys;
import dev.ferry.core.auth.ApiKeysContract;
import dev.ferry.core.auth.Role;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The ApiKeys contract on DynamoDB in the emulator, in a table made as {@link Tables} makes it. As
 * in {@link DynamoDbRunsIT}, the contract's thread races are off on moto (it is not atomic under
 * concurrent requests) and run here as forced interleavings instead.
 */
@ExtendWith({Emulator.class, ThreadRacesOnMoto.class})
class DynamoDbApiKeysIT extends ApiKeysContract {
    private static DynamoDbClient raw;
    private static InterceptingClient client;
    private String table;

    @Override
    protected ApiKeys newApiKeys() {
        Emulator.reset();
        if (raw == null) {
            raw = Emulator.dynamoDb();
            client = new InterceptingClient(raw);
        }
        table = "ferry-" + UUID.randomUUID(); // unique too where reset can't wipe (LocalStack)
        Tables.create(raw, table);
        return new DynamoDbApiKeys(client, table);
    }

    @Test
    void secret_ofAnotherContainer_wins_whenItLandsBetweenOurReadAndOurWrite() {
        AtomicReference<byte[]> theirs = new AtomicReference<>();
        client.beforeNextPut(() -> theirs.set(new DynamoDbApiKeys(raw, table).secret()));

        byte[] ours = keys.secret();

        assertThat(theirs.get()).isNotNull();
        assertThat(ours).isEqualTo(theirs.get());
        assertThat(new DynamoDbApiKeys(raw, table).secret()).isEqualTo(ours);
    }

    @Test
    void markUsed_ofTwoRequestsAtOnce_writesOnce_forcedInterleaving() {
        ApiKeyRecord key = key("busy", Role.WORKER, List.of("p"), T0);
        keys.create(key);
        // both requests read last_used = null and decided to write; the condition settles it
        assertThat(keys.markUsed(key, T0.plusSeconds(60), T0)).isTrue();
        assertThat(new DynamoDbApiKeys(raw, table).markUsed(key, T0.plusSeconds(60).plusMillis(1), T0)).isFalse();
        assertThat(keys.byHash(key.hash()).orElseThrow().lastUsed()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void aKeyItem_isItsOwnPartition_andThePointerListsIt() {
        ApiKeyRecord key = key("k", Role.ADMIN, List.of(), T0);
        keys.create(key);

        var item = raw.getItem(r -> r.tableName(table).key(DynamoDbApiKeys.keyOf(key.hash())).consistentRead(true)).item();
        var pointer = raw.getItem(r -> r.tableName(table).key(Keys.key(DynamoDbApiKeys.KEYS_PARTITION, key.id()))
                .consistentRead(true)).item();

        assertThat(item.get(Keys.PK).s()).isEqualTo("APIKEY#" + key.hash());
        assertThat(item).doesNotContainKeys(DynamoDbApiKeys.LAST_USED, DynamoDbApiKeys.REVOKED_AT);
        assertThat(pointer.get(DynamoDbApiKeys.HASH).s()).isEqualTo(key.hash());
    }
}
