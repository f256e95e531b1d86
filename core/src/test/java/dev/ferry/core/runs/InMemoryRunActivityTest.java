package dev.ferry.core.runs;

class InMemoryRunActivityTest extends RunActivityContract {
    @Override
    protected RunStore newRuns() {
        return new InMemoryRuns();
    }
}
