package dev.ferry.core.runs;

class InMemoryRunLogsTest extends RunLogsContract {
    @Override
    protected RunLogs newRunLogs() {
        return new InMemoryRunLogs();
    }
}
