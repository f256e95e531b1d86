package dev.ferry.aws.dynamodb;

import dev.ferry.core.common.Page;
import dev.ferry.core.scheduler.ScheduleCursors;
import java.time.Instant;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@link ScheduleCursors} in Ferry's table, under the keys of old: the firing handled as the
 * value, the firing expected next as when it is due (in the sparse "heal" index).
 */
public final class DynamoDbScheduleCursors implements ScheduleCursors {
    private final NamedValues values;

    public DynamoDbScheduleCursors(DynamoDbClient client, String tableName) {
        this(new Table(client, tableName));
    }

    DynamoDbScheduleCursors(Table table) {
        this.values = new NamedValues(table, "schedule-cursor/");
    }

    @Override
    public Optional<Cursor> cursor(String deploymentId, String slug) {
        return values.entry(deploymentId + "/" + slug).map(e -> new Cursor(Instant.parse(e.value()), e.due()));
    }

    @Override
    public void putCursor(String deploymentId, String slug, Cursor cursor) {
        values.put(deploymentId + "/" + slug, cursor.handled().toString(), cursor.next());
    }

    @Override
    public void deleteCursor(String deploymentId, String slug) {
        values.delete(deploymentId + "/" + slug);
    }

    @Override
    public Page<String> expected(Instant after, Instant until, int limit, String cursor) {
        // eventually consistent and keys only: a cursor moved on meanwhile costs its deployment one read, no more
        Page<String> names = values.due(after, until, limit, cursor);
        // a name is deploymentId/slug, and ids hold no slash
        return new Page<>(names.items().stream().map(n -> n.substring(0, n.indexOf('/'))).toList(), names.next());
    }
}
