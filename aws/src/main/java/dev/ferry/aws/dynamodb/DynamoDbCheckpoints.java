package dev.ferry.aws.dynamodb;

import dev.ferry.core.janitor.Checkpoints;
import java.time.Instant;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@link Checkpoints} in Ferry's table, one named value each. */
public final class DynamoDbCheckpoints implements Checkpoints {
    private final NamedValues values;

    public DynamoDbCheckpoints(DynamoDbClient client, String tableName) {
        this(new Table(client, tableName));
    }

    DynamoDbCheckpoints(Table table) {
        this.values = new NamedValues(table, "checkpoint/");
    }

    @Override
    public Optional<Instant> checkpoint(String name) {
        return values.get(name).map(Instant::parse);
    }

    @Override
    public boolean putCheckpoint(String name, Instant expected, Instant at) {
        // two janitors at once (an invocation running long, a local --aws server beside the stack's) must not move it back unseen
        return values.putIf(name, expected == null ? null : expected.toString(), at.toString());
    }
}
