package dev.ferry.aws.dynamodb;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.runs.RunActivityContract;
import dev.ferry.core.runs.RunStore;
import org.junit.jupiter.api.extension.ExtendWith;

/** The activity contract on DynamoDB in the emulator: a fresh account and table for every test. */
@ExtendWith(Emulator.class)
class DynamoDbRunActivityIT extends RunActivityContract {
    @Override
    protected RunStore newRuns() {
        EmulatedTable table = EmulatedTable.fresh();
        return new DynamoDbRuns(table.client(), table.name());
    }
}
