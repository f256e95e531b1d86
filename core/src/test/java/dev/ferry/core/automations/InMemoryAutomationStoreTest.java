package dev.ferry.core.automations;

class InMemoryAutomationStoreTest extends AutomationStoreContract {
    @Override
    protected AutomationStore newStore() {
        return new InMemoryAutomationStore();
    }
}
