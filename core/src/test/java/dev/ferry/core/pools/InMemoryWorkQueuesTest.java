package dev.ferry.core.pools;

class InMemoryWorkQueuesTest extends WorkQueuesContract {
    @Override
    protected WorkQueues newQueues() {
        return new InMemoryWorkQueues(clock);
    }
}
