package dev.ferry.embedded;

import static dev.ferry.embedded.Columns.nanos;
import static dev.ferry.embedded.Database.one;
import static dev.ferry.embedded.Database.query;
import static dev.ferry.embedded.Database.update;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Page;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Small values by key in {@code named_values}: schedule cursors, task-definition ARNs and the
 * janitor's checkpoints, each under a prefix of its own. A value may carry a time it is due at,
 * found by {@link #due} through a partial index that holds only those.
 */
final class NamedValues {
    private final Database db;
    private final String prefix;

    NamedValues(Database db, String prefix) {
        this.db = Objects.requireNonNull(db, "db");
        this.prefix = prefix;
    }

    /** A value, and when it is due (null: never). */
    record Entry(String value, Instant due) {}

    Optional<String> get(String name) {
        return entry(name).map(Entry::value);
    }

    Optional<Entry> entry(String name) {
        String key = prefix + name;
        return db.read("reading value " + key, c -> one(c, "SELECT value, due FROM named_values WHERE key = ?",
                rs -> {
                    long due = rs.getLong(2);
                    Instant at = rs.wasNull() ? null : Columns.instant(due);
                    return new Entry(rs.getString(1), at);
                }, key));
    }

    void put(String name, String value) {
        put(name, value, null);
    }

    void put(String name, String value, Instant due) {
        String key = prefix + name;
        Long at = due == null ? null : nanos(due);
        db.write("writing value " + key, c -> update(c, """
                INSERT INTO named_values (key, value, due) VALUES (?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, due = excluded.due""", key, value, at));
    }

    /** Writes {@code value} if the stored one is still {@code expected} (null: none is); false otherwise. */
    boolean putIf(String name, String expected, String value) {
        String key = prefix + name;
        return db.write("writing value " + key, c -> expected == null
                ? update(c, "INSERT INTO named_values (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, value)
                : update(c, "UPDATE named_values SET value = ? WHERE key = ? AND value = ?", value, key, expected)) == 1;
    }

    void delete(String name) {
        String key = prefix + name;
        db.write("deleting value " + key, c -> update(c, "DELETE FROM named_values WHERE key = ?", key));
    }

    /** Names (without the prefix) of the values due in {@code (after, until]}, by due time. */
    Page<String> due(Instant after, Instant until, int limit, String cursor) {
        Pages.checkLimit(limit);
        // the prefix as a key range, so the index on (due, key) serves it
        StringBuilder sql = new StringBuilder("SELECT key, due FROM named_values WHERE due > ? AND due <= ? AND key >= ? AND key < ?");
        List<Object> args = new ArrayList<>(List.of(nanos(after), nanos(until), prefix, prefix + "\uffff"));
        if (cursor != null) {
            JsonNode from = Pages.after(cursor, Pages.VALUES_DUE);
            sql.append(" AND (due, key) > (?, ?)");
            args.add(from.get(1).asLong());
            args.add(from.get(2).asText());
        }
        sql.append(" ORDER BY due, key LIMIT ?");
        args.add(limit + 1);
        record Hit(String key, long due) {}
        List<Hit> found = db.read("listing values due under " + prefix,
                c -> query(c, sql.toString(), rs -> new Hit(rs.getString(1), rs.getLong(2)), args.toArray()));
        Page<Hit> page = Pages.page(found, limit, last -> Pages.cursor(Pages.VALUES_DUE, last.due(), last.key()));
        return new Page<>(page.items().stream().map(h -> h.key().substring(prefix.length())).toList(), page.next());
    }
}
