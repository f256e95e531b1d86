package dev.ferry.embedded;

import dev.ferry.core.events.EventStore;
import dev.ferry.core.events.EventStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteEventsTest extends EventStoreContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected EventStore newEventStore(int scanBudget) {
        return new SqliteEvents(db.get(), scanBudget);
    }
}
