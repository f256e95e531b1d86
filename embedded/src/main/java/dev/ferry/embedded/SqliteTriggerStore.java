package dev.ferry.embedded;

import static dev.ferry.embedded.Columns.instant;
import static dev.ferry.embedded.Columns.nanos;
import static dev.ferry.embedded.Database.query;
import static dev.ferry.embedded.Database.update;

import dev.ferry.core.triggers.TriggerStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link TriggerStore} in the embedded database: a commit is one transaction, rolled back when a condition fails. */
public final class SqliteTriggerStore implements TriggerStore {
    private static final String COLUMNS = "grp, item, revision, doc, due";

    private final Database db;

    public SqliteTriggerStore(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public Optional<Entry> get(Key key) {
        return db.read("reading trigger entry " + key, c -> query(c, "SELECT " + COLUMNS
                + " FROM trigger_state WHERE grp = ? AND item = ?", SqliteTriggerStore::entry, key.group(), key.item()))
                .stream().findFirst();
    }

    @Override
    public boolean commit(List<Change> changes) {
        if (changes.size() > MAX_CHANGES) throw new IllegalArgumentException("a commit holds at most " + MAX_CHANGES + " changes");
        try {
            return db.write("committing " + changes.size() + " trigger changes", c -> {
            for (Change ch : changes) {
                Long due = ch.due() == null ? null : nanos(ch.due());
                Long expires = ch.expires() == null ? null : nanos(ch.expires());
                int changed = switch (ch.kind()) {
                    case CREATE -> update(c, "INSERT INTO trigger_state (grp, item, revision, doc, due, expires) "
                            + "VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (grp, item) DO NOTHING",
                            ch.key().group(), ch.key().item(), ch.doc(), due, expires);
                    case REPLACE -> update(c, "UPDATE trigger_state SET revision = revision + 1, doc = ?, due = ?, expires = ? "
                            + "WHERE grp = ? AND item = ? AND revision = ?",
                            ch.doc(), due, expires, ch.key().group(), ch.key().item(), ch.expectedRevision());
                    case DELETE -> update(c, "DELETE FROM trigger_state WHERE grp = ? AND item = ? AND revision = ?",
                            ch.key().group(), ch.key().item(), ch.expectedRevision());
                    case PUT -> update(c, "INSERT OR REPLACE INTO trigger_state (grp, item, revision, doc, due, expires) "
                            + "VALUES (?, ?, 1, ?, NULL, ?)", ch.key().group(), ch.key().item(), ch.doc(), expires);
                };
                // thrown, the write is rolled back, the changes before this one with it
                if (changed != 1) throw new ConditionFailed();
            }
            return true;
            });
        } catch (ConditionFailed e) {
            return false;
        }
    }

    private static final class ConditionFailed extends RuntimeException {
        ConditionFailed() {
            super("a condition of the commit did not hold", null, false, false);
        }
    }

    @Override
    public List<Entry> scan(String group, String after, boolean descending, int limit) {
        Pages.checkLimit(limit);
        String order = descending ? "DESC" : "ASC";
        String from = after == null ? "" : " AND item " + (descending ? "<" : ">") + " ?";
        String sql = "SELECT " + COLUMNS + " FROM trigger_state WHERE grp = ?" + from + " ORDER BY item " + order + " LIMIT ?";
        return db.read("scanning trigger entries of " + group, c -> after == null
                ? query(c, sql, SqliteTriggerStore::entry, group, limit)
                : query(c, sql, SqliteTriggerStore::entry, group, after, limit));
    }

    @Override
    public List<Entry> due(Instant by, int limit) {
        Pages.checkLimit(limit);
        return db.read("finding due trigger entries", c -> query(c, "SELECT " + COLUMNS
                + " FROM trigger_state WHERE due IS NOT NULL AND due <= ? ORDER BY due LIMIT ?",
                SqliteTriggerStore::entry, nanos(by), limit));
    }

    @Override
    public void purge(Instant now) {
        db.write("purging expired trigger entries",
                c -> update(c, "DELETE FROM trigger_state WHERE expires IS NOT NULL AND expires <= ?", nanos(now)));
    }

    private static Entry entry(ResultSet rs) throws SQLException {
        long due = rs.getLong(5);
        Instant dueAt = rs.wasNull() ? null : instant(due);
        return new Entry(new Key(rs.getString(1), rs.getString(2)), rs.getLong(3), rs.getString(4), dueAt);
    }
}
