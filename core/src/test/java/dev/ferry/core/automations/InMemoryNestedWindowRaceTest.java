package dev.ferry.core.automations;

import dev.ferry.core.triggers.InMemoryTriggerStore;
import dev.ferry.core.triggers.TriggerStore;

class InMemoryNestedWindowRaceTest extends NestedWindowRaceContract {
    @Override
    protected TriggerStore newStore() {
        return new InMemoryTriggerStore();
    }
}
