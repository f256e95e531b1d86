package dev.ferry.aws.dynamodb;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.triggers.TriggerStore;
import dev.ferry.core.triggers.TriggerStoreContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The TriggerStore contract on DynamoDB in the emulator: a fresh account and table for every test. */
@ExtendWith(Emulator.class)
class DynamoDbTriggerStoreIT extends TriggerStoreContract {
    @Override
    protected TriggerStore newStore() {
        EmulatedTable table = EmulatedTable.fresh();
        return new DynamoDbTriggerStore(new Table(table.client(), table.name()));
    }

    @Override
    protected boolean expiresOnItsOwn() {
        return true;
    }
}
