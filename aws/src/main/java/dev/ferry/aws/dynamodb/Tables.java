package dev.ferry.aws.dynamodb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * Creates Ferry's one table: what tests and the local {@code --aws} mode use; production gets the
 * same definition from template.yaml. Keys, indexes and item shapes: docs/architecture.md,
 * section "DynamoDB table".
 */
public final class Tables {
    /** New images only: the automation engine reads the events written, nothing else. */
    private static final StreamSpecification STREAM = StreamSpecification.builder().streamEnabled(true)
            .streamViewType(StreamViewType.NEW_IMAGE).build();

    private Tables() {}

    /** Creates the table (on-demand billing, TTL on {@code ttl}, a stream of new images) and waits until it is active; an existing table is kept. */
    public static void create(DynamoDbClient client, String tableName) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        attributes.add(string(Keys.PK));
        attributes.add(string(Keys.SK));
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (String index : Keys.INDEXES) {
            attributes.add(string(Keys.pk(index)));
            attributes.add(string(Keys.sk(index)));
            indexes.add(index(index));
        }
        try {
            client.createTable(CreateTableRequest.builder().tableName(tableName)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(attributes)
                    .keySchema(hash(Keys.PK), range(Keys.SK))
                    .globalSecondaryIndexes(indexes)
                    .streamSpecification(STREAM)
                    .build());
        } catch (ResourceInUseException e) {
            // already there (a second start of the local --aws mode): keep it and its data
        }
        // the default waiter polls every 20 s; a new on-demand table is usually active within seconds
        try (DynamoDbWaiter waiter = DynamoDbWaiter.builder().client(client).overrideConfiguration(o -> o
                .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofSeconds(1)))
                .waitTimeout(Duration.ofMinutes(5)).maxAttempts(300)).build()) {
            waiter.waitUntilTableExists(r -> r.tableName(tableName));
        }
        addMissingIndexes(client, tableName);
        if (client.describeTable(r -> r.tableName(tableName)).table().latestStreamArn() == null) {
            // a table made before events were (a local --aws table): the automations follow its stream
            client.updateTable(r -> r.tableName(tableName).streamSpecification(STREAM));
        }
        TimeToLiveDescription ttl = client.describeTimeToLive(r -> r.tableName(tableName)).timeToLiveDescription();
        // enabling it twice is an error, not a no-op
        if (ttl == null || ttl.timeToLiveStatus() == null || ttl.timeToLiveStatus() == TimeToLiveStatus.DISABLED) {
            client.updateTimeToLive(r -> r.tableName(tableName).timeToLiveSpecification(
                    TimeToLiveSpecification.builder().attributeName(Items.TTL).enabled(true).build()));
        }
    }

    private static GlobalSecondaryIndex index(String index) {
        // Only keys and filter fields are projected: a heartbeat rewrites the run's document but
        // none of these, so it costs no index write; lists fetch the documents by key.
        Projection projection = Keys.ACTIVE.equals(index) || Keys.DUE.equals(index) || Keys.HEAL.equals(index)
                ? Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build()
                : Projection.builder().projectionType(ProjectionType.INCLUDE)
                        .nonKeyAttributes(Items.RUN_FILTER_ATTRIBUTES).build();
        return GlobalSecondaryIndex.builder().indexName(index)
                .keySchema(hash(Keys.pk(index)), range(Keys.sk(index)))
                .projection(projection).build();
    }

    /**
     * A table made before an index existed (a local --aws table) gets it, one at a time as DynamoDB
     * requires, each waited for until it is active (its backfill done).
     */
    private static void addMissingIndexes(DynamoDbClient client, String tableName) {
        List<String> present = new ArrayList<>();
        for (GlobalSecondaryIndexDescription d : client.describeTable(r -> r.tableName(tableName)).table().globalSecondaryIndexes()) {
            present.add(d.indexName());
        }
        for (String index : Keys.INDEXES) {
            if (present.contains(index)) continue;
            GlobalSecondaryIndex gsi = index(index);
            client.updateTable(r -> r.tableName(tableName)
                    .attributeDefinitions(string(Keys.pk(index)), string(Keys.sk(index)))
                    .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName(index).keySchema(gsi.keySchema())
                            .projection(gsi.projection()))));
            for (int second = 0; !active(client, tableName, index); second++) {
                if (second > 600) throw new IllegalStateException("index " + index + " of table " + tableName + " is not active after 10 minutes");
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while index " + index + " was being added", e);
                }
            }
        }
    }

    private static boolean active(DynamoDbClient client, String tableName, String index) {
        return client.describeTable(r -> r.tableName(tableName)).table().globalSecondaryIndexes().stream()
                .anyMatch(g -> g.indexName().equals(index) && g.indexStatus() == IndexStatus.ACTIVE);
    }

    private static AttributeDefinition string(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static KeySchemaElement hash(String name) {
        return KeySchemaElement.builder().attributeName(name).keyType(KeyType.HASH).build();
    }

    private static KeySchemaElement range(String name) {
        return KeySchemaElement.builder().attributeName(name).keyType(KeyType.RANGE).build();
    }
}
