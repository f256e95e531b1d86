package dev.ferry.embedded;

import dev.ferry.core.automations.NestedWindowRaceContract;
import dev.ferry.core.triggers.TriggerStore;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteNestedWindowRaceTest extends NestedWindowRaceContract {
    @RegisterExtension
    final FreshDatabase db = new FreshDatabase();

    @Override
    protected TriggerStore newStore() {
        return new SqliteTriggerStore(db.get());
    }
}
