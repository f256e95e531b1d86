package dev.ferry.aws.dynamodb;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.automations.AutomationStore;
import dev.ferry.core.automations.AutomationStoreContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The AutomationStore contract on DynamoDB in the emulator: a fresh account and table for every test. */
@ExtendWith(Emulator.class)
class DynamoDbAutomationStoreIT extends AutomationStoreContract {
    @Override
    protected AutomationStore newStore() {
        EmulatedTable table = EmulatedTable.fresh();
        return new DynamoDbAutomationStore(new Table(table.client(), table.name()));
    }

    @Override
    protected boolean expiresOnItsOwn() {
        return true;
    }
}
