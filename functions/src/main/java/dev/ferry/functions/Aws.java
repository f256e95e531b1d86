package dev.ferry.functions;

import dev.ferry.core.Ferry;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.ports.Clock;
import dev.ferry.core.ports.Ids;
import dev.ferry.core.ports.ScheduleTimer;
import dev.ferry.functions.dynamodb.DynamoDbApiKeys;
import dev.ferry.functions.dynamodb.DynamoDbStore;
import dev.ferry.functions.schedules.EventBridgeTimer;
import dev.ferry.functions.sqs.SqsWorkQueues;
import java.util.Map;

/** Ferry on the AWS adapters: DynamoDB for state and API keys, SQS for work queues, EventBridge Scheduler for schedules. */
public final class Aws {
    private Aws() {}

    /**
     * Ferry, and who may call its API.
     *
     * @param auth API keys stored in the table, the admin key known by its hash only (the stack is
     *             given {@code AdminKeyHash}, never the key), and the run tokens claims hand out
     */
    public record Wiring(Ferry ferry, ApiKeyService auth) {}

    /** The one place the AWS side is wired; a null {@link Config#adminKeyHash()} (loopback servers only) means no admin key. */
    public static Wiring wire(AwsClients clients, Config config, Clock clock, Ids ids) {
        return wire(clients, config, new EventBridgeTimer(clients.scheduler(), config.scheduling()), clock, ids);
    }

    /** With another schedule timer: {@code ferry server start --aws} fires schedules in its own process. */
    public static Wiring wire(AwsClients clients, Config config, ScheduleTimer timer, Clock clock, Ids ids) {
        ApiKeyService auth = new ApiKeyService(new DynamoDbApiKeys(clients.dynamoDb(), config.tableName()),
                BootstrapKey.ofHash(config.adminKeyHash(), Config.ADMIN_KEY_HASH), clock, ids);
        Ferry ferry = Ferry.wire(new DynamoDbStore(clients.dynamoDb(), config.tableName(), config.runLogRetention(),
                        DynamoDbStore.DEFAULT_WORKER_RETENTION, clock),
                new SqsWorkQueues(clients.sqs(), config.queuePrefix(), clock), timer, clock, ids, auth.runTokens());
        return new Wiring(ferry, auth);
    }

    /** A Lambda container's wiring: what its handlers' no-arg constructors use. */
    record Container(Config config, AwsClients clients, Wiring wiring) {
        static Container from(Map<String, String> env) {
            Config config = Config.from(env);
            AwsClients clients = AwsClients.create(config);
            return new Container(config, clients, wire(clients, config, Clock.SYSTEM, Ids.RANDOM));
        }
    }

    /**
     * Wired on first use, once per container (the JVM's class-init lock makes it exactly once),
     * and kept for every invocation the container serves.
     */
    static Container container() {
        return Holder.CONTAINER;
    }

    private static final class Holder {
        static final Container CONTAINER = Container.from(System.getenv());
    }
}
