package dev.ferry.aws.dynamodb;

import dev.ferry.aws.testing.Emulator;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A fresh account and Ferry table in the emulator, for one test. {@code client} is the
 * intercepting one the store under test talks through (hooks force interleavings); {@code raw}
 * reaches the emulator directly, for competitors and for items written behind the store's back.
 * Use it from a test class extended with {@link Emulator}.
 */
record EmulatedTable(DynamoDbClient raw, InterceptingClient client, String name) {
    private static DynamoDbClient sharedRaw;
    private static InterceptingClient sharedClient;

    static synchronized EmulatedTable fresh() {
        Emulator.reset();
        if (sharedRaw == null) {
            sharedRaw = Emulator.dynamoDb();
            sharedClient = new InterceptingClient(sharedRaw);
        }
        String name = "ferry-" + UUID.randomUUID(); // unique too where reset can't wipe (LocalStack)
        Tables.create(sharedRaw, name);
        return new EmulatedTable(sharedRaw, sharedClient, name);
    }
}
