package dev.ferry.core.events;

class InMemoryEventFeedTest extends EventFeedContract {
    @Override
    @SuppressWarnings("unchecked")
    protected InMemoryEvents newFeed() {
        return new InMemoryEvents();
    }
}
