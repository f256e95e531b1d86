package dev.ferry.aws.dynamodb;

import dev.ferry.core.ecs.TaskDefinitions;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link TaskDefinitions} in Ferry's table, under the keys of old. */
public final class DynamoDbTaskDefinitions implements TaskDefinitions {
    private final NamedValues values;

    public DynamoDbTaskDefinitions(DynamoDbClient client, String tableName) {
        this(new Table(client, tableName));
    }

    DynamoDbTaskDefinitions(Table table) {
        this.values = new NamedValues(table, "ecs:task-definition:");
    }

    @Override
    public Optional<String> taskDefinition(String contentHash) {
        return values.get(contentHash);
    }

    @Override
    public void rememberTaskDefinition(String contentHash, String arn) {
        values.put(contentHash, arn);
    }

    @Override
    public void forgetTaskDefinition(String contentHash) {
        values.delete(contentHash);
    }
}
