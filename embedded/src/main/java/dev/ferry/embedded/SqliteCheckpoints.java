package dev.ferry.embedded;

import dev.ferry.core.janitor.Checkpoints;
import java.time.Instant;
import java.util.Optional;

/** {@link Checkpoints} in the embedded database, one named value each. */
public final class SqliteCheckpoints implements Checkpoints {
    private final NamedValues values;

    public SqliteCheckpoints(Database db) {
        this.values = new NamedValues(db, "checkpoint/");
    }

    @Override
    public Optional<Instant> checkpoint(String name) {
        return values.get(name).map(Instant::parse);
    }

    @Override
    public boolean putCheckpoint(String name, Instant expected, Instant at) {
        // two janitors on one file (a second server process) must not move it back unseen
        return values.putIf(name, expected == null ? null : expected.toString(), at.toString());
    }
}
