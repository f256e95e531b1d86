package dev.ferry.embedded;

import dev.ferry.core.automations.AutomationStore;
import dev.ferry.core.automations.AutomationStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteAutomationStoreTest extends AutomationStoreContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected AutomationStore newStore() {
        return new SqliteAutomationStore(db.get());
    }
}
