package dev.ferry.aws.dynamodb;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.scheduler.ScheduleCursors;
import dev.ferry.core.scheduler.ScheduleCursorsContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ScheduleCursors contract on DynamoDB in the emulator: a fresh account and table for every test. */
@ExtendWith(Emulator.class)
class DynamoDbScheduleCursorsIT extends ScheduleCursorsContract {
    @Override
    protected ScheduleCursors newCursors() {
        EmulatedTable table = EmulatedTable.fresh();
        return new DynamoDbScheduleCursors(table.client(), table.name());
    }
}
