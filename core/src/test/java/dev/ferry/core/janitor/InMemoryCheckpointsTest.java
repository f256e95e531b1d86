package dev.ferry.core.janitor;

class InMemoryCheckpointsTest extends CheckpointsContract {
    @Override
    protected Checkpoints newCheckpoints() {
        return new InMemoryCheckpoints();
    }
}
