package dev.ferry.aws.dynamodb;

import dev.ferry.core.scheduler.ScheduleCursors;
import java.time.Instant;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link ScheduleCursors} in Ferry's table, under the keys of old. */
public final class DynamoDbScheduleCursors implements ScheduleCursors {
    private final NamedValues values;

    public DynamoDbScheduleCursors(DynamoDbClient client, String tableName) {
        this(new Table(client, tableName));
    }

    DynamoDbScheduleCursors(Table table) {
        this.values = new NamedValues(table, "schedule-cursor/");
    }

    @Override
    public Optional<Instant> cursor(String deploymentId, String slug) {
        return values.get(deploymentId + "/" + slug).map(Instant::parse);
    }

    @Override
    public void putCursor(String deploymentId, String slug, Instant handled) {
        values.put(deploymentId + "/" + slug, handled.toString());
    }

    @Override
    public void deleteCursor(String deploymentId, String slug) {
        values.delete(deploymentId + "/" + slug);
    }
}
