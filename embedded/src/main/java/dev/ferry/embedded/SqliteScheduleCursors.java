package dev.ferry.embedded;

import dev.ferry.core.scheduler.ScheduleCursors;
import java.time.Instant;
import java.util.Optional;

/** {@link ScheduleCursors} in the embedded database, under the keys of old. */
public final class SqliteScheduleCursors implements ScheduleCursors {
    private final NamedValues values;

    public SqliteScheduleCursors(Database db) {
        this.values = new NamedValues(db, "schedule-cursor/");
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
