package dev.ferry.embedded;

import dev.ferry.core.scheduler.ScheduleCursors;
import dev.ferry.core.scheduler.ScheduleCursorsContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteScheduleCursorsTest extends ScheduleCursorsContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected ScheduleCursors newCursors() {
        return new SqliteScheduleCursors(db.get());
    }
}
