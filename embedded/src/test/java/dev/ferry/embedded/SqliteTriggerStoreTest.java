package dev.ferry.embedded;

import dev.ferry.core.triggers.TriggerStore;
import dev.ferry.core.triggers.TriggerStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteTriggerStoreTest extends TriggerStoreContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected TriggerStore newStore() {
        return new SqliteTriggerStore(db.get());
    }
}
