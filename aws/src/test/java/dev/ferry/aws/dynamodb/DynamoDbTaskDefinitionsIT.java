package dev.ferry.aws.dynamodb;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.ecs.TaskDefinitions;
import dev.ferry.core.ecs.TaskDefinitionsContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The TaskDefinitions contract on DynamoDB in the emulator: a fresh account and table for every test. */
@ExtendWith(Emulator.class)
class DynamoDbTaskDefinitionsIT extends TaskDefinitionsContract {
    @Override
    protected TaskDefinitions newTaskDefinitions() {
        EmulatedTable table = EmulatedTable.fresh();
        return new DynamoDbTaskDefinitions(table.client(), table.name());
    }
}
