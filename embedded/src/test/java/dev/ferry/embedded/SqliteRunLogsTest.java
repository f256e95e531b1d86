package dev.ferry.embedded;

import dev.ferry.core.runs.RunLogs;
import dev.ferry.core.runs.RunLogsContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteRunLogsTest extends RunLogsContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected RunLogs newRunLogs() {
        return new SqliteRunLogs(db.get());
    }
}
