package dev.ferry.embedded;

import dev.ferry.core.janitor.Checkpoints;
import dev.ferry.core.janitor.CheckpointsContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteCheckpointsTest extends CheckpointsContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected Checkpoints newCheckpoints() {
        return new SqliteCheckpoints(db.get());
    }
}
