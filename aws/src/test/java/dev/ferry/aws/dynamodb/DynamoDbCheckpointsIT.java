package dev.ferry.aws.dynamodb;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.janitor.Checkpoints;
import dev.ferry.core.janitor.CheckpointsContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Checkpoints contract on DynamoDB in the emulator: a fresh account and table for every test. */
@ExtendWith(Emulator.class)
class DynamoDbCheckpointsIT extends CheckpointsContract {
    @Override
    protected Checkpoints newCheckpoints() {
        EmulatedTable table = EmulatedTable.fresh();
        return new DynamoDbCheckpoints(table.client(), table.name());
    }
}
