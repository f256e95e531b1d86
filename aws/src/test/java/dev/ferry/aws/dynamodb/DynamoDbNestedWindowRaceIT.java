package dev.ferry.aws.dynamodb;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.automations.NestedWindowRaceContract;
import dev.ferry.core.triggers.TriggerStore;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two engines closing one nested proactive window on DynamoDB in the emulator, the interleaving forced. */
@ExtendWith(Emulator.class)
class DynamoDbNestedWindowRaceIT extends NestedWindowRaceContract {
    @Override
    protected TriggerStore newStore() {
        EmulatedTable table = EmulatedTable.fresh();
        return new DynamoDbTriggerStore(new Table(table.client(), table.name()));
    }
}
