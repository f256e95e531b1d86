package dev.ferry.embedded;

import dev.ferry.core.events.EventFeedContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteEventFeedTest extends EventFeedContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    @SuppressWarnings("unchecked")
    protected SqliteEvents newFeed() {
        return new SqliteEvents(db.get());
    }
}
