package dev.ferry.core.scheduler;

class InMemoryScheduleCursorsTest extends ScheduleCursorsContract {
    @Override
    protected ScheduleCursors newCursors() {
        return new InMemoryScheduleCursors();
    }
}
