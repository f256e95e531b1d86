package dev.ferry.core.events;

class InMemoryEventsTest extends EventStoreContract {
    @Override
    protected EventStore newEventStore(int scanBudget) {
        return new InMemoryEvents(scanBudget);
    }
}
