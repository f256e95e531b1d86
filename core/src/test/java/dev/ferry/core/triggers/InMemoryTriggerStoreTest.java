package dev.ferry.core.triggers;

class InMemoryTriggerStoreTest extends TriggerStoreContract {
    @Override
    protected TriggerStore newStore() {
        return new InMemoryTriggerStore();
    }
}
