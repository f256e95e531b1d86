package dev.ferry.embedded;

import dev.ferry.core.common.Page;
import dev.ferry.core.scheduler.ScheduleCursors;
import java.time.Instant;
import java.util.Optional;

/**
 * {@link ScheduleCursors} in the embedded database, under the keys of old: the firing handled as
 * the value, the firing expected next as when it is due.
 */
public final class SqliteScheduleCursors implements ScheduleCursors {
    private final NamedValues values;

    public SqliteScheduleCursors(Database db) {
        this.values = new NamedValues(db, "schedule-cursor/");
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
        Page<String> names = values.due(after, until, limit, cursor);
        // a name is deploymentId/slug, and ids hold no slash
        return new Page<>(names.items().stream().map(n -> n.substring(0, n.indexOf('/'))).toList(), names.next());
    }
}
