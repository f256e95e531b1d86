package dev.ferry.aws.dynamodb;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.runs.RunLogs;
import dev.ferry.core.runs.RunLogsContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The RunLogs contract on DynamoDB in the emulator: a fresh account and table for every test. */
@ExtendWith(Emulator.class)
class DynamoDbRunLogsIT extends RunLogsContract {
    @Override
    protected RunLogs newRunLogs() {
        EmulatedTable table = EmulatedTable.fresh();
        return new DynamoDbRunLogs(table.client(), table.name());
    }
}
