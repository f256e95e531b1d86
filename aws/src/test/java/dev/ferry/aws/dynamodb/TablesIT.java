package dev.ferry.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.testing.Fixtures;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Creating Ferry's table where one exists keeps it, and gives it the indexes it was made without. */
@ExtendWith(Emulator.class)
class TablesIT {

    @Test
    void create_addsTheIndexesATableFromBeforeThemLacks_andKeepsItsItems() {
        Emulator.reset();
        DynamoDbClient raw = Emulator.dynamoDb();
        String name = "ferry-" + UUID.randomUUID();
        raw.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName(Keys.PK).attributeType(ScalarAttributeType.S),
                        a -> a.attributeName(Keys.SK).attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName(Keys.PK).keyType(KeyType.HASH), k -> k.attributeName(Keys.SK).keyType(KeyType.RANGE)));
        DynamoDbCheckpoints before = new DynamoDbCheckpoints(raw, name);
        before.putCheckpoint("janitor.swept", null, Fixtures.T0);

        Tables.create(raw, name);

        assertThat(raw.describeTable(r -> r.tableName(name)).table().globalSecondaryIndexes())
                .extracting(GlobalSecondaryIndexDescription::indexName).containsExactlyInAnyOrder(Keys.INDEXES);
        assertThat(before.checkpoint("janitor.swept")).contains(Fixtures.T0);
        DynamoDbDeployments deployments = new DynamoDbDeployments(raw, name);
        var d = Fixtures.deployment("etl", "nightly", "pool-a");
        deployments.createDeployment(d);
        assertThat(deployments.toHeal(Instant.EPOCH, Fixtures.T0, 10, null).items()).containsExactly(d);
    }
}
