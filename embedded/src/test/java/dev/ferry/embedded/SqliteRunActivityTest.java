package dev.ferry.embedded;

import dev.ferry.core.runs.RunActivityContract;
import dev.ferry.core.runs.RunStore;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteRunActivityTest extends RunActivityContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected RunStore newRuns() {
        return new SqliteRuns(db.get());
    }
}
