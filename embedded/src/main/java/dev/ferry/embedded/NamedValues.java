package dev.ferry.embedded;

import static dev.ferry.embedded.Database.one;
import static dev.ferry.embedded.Database.update;

import java.util.Objects;
import java.util.Optional;

/** Small values by key in {@code named_values}: schedule cursors and task-definition ARNs, each under a prefix of its own. */
final class NamedValues {
    private final Database db;
    private final String prefix;

    NamedValues(Database db, String prefix) {
        this.db = Objects.requireNonNull(db, "db");
        this.prefix = prefix;
    }

    Optional<String> get(String name) {
        String key = prefix + name;
        return db.read("reading value " + key, c -> one(c, "SELECT value FROM named_values WHERE key = ?",
                rs -> rs.getString(1), key));
    }

    void put(String name, String value) {
        String key = prefix + name;
        db.write("writing value " + key, c -> update(c, """
                INSERT INTO named_values (key, value) VALUES (?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value""", key, value));
    }

    void delete(String name) {
        String key = prefix + name;
        db.write("deleting value " + key, c -> update(c, "DELETE FROM named_values WHERE key = ?", key));
    }
}
