package dev.ferry.aws;

import dev.ferry.aws.dynamodb.DynamoDbAdapters;
import dev.ferry.aws.dynamodb.DynamoDbApiKeys;
import dev.ferry.aws.dynamodb.DynamoDbStreamFeed;
import dev.ferry.aws.ecs.EcsLauncher;
import dev.ferry.aws.logs.CloudWatchTaskLogs;
import dev.ferry.aws.scheduler.EventBridgeTimer;
import dev.ferry.aws.sqs.SqsWorkQueues;
import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.ecs.Ecs;
import dev.ferry.core.ecs.Pause;
import dev.ferry.core.runs.TaskLogs;
import dev.ferry.core.scheduler.ScheduleTimer;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

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
        return wire(clients, config, timer, null, clock, ids);
    }

    /**
     * @param streams where an automation engine in this process reads the table's stream
     *                ({@code ferry server start --aws}); null where the stream invokes the automations function
     */
    public static Wiring wire(AwsClients clients, Config config, ScheduleTimer timer, DynamoDbStreamsClient streams,
                              Clock clock, Ids ids) {
        ApiKeyService auth = new ApiKeyService(new DynamoDbApiKeys(clients.dynamoDb(), config.tableName()),
                BootstrapKey.ofHash(config.adminKeyHash(), Config.ADMIN_KEY_HASH), clock, ids);
        Ports ports = DynamoDbAdapters.ports(clients.dynamoDb(), config.tableName(), config.runLogRetention(),
                config.settings().eventRetention(), clock, new SqsWorkQueues(clients.sqs(), config.queuePrefix(), clock), timer);
        if (streams != null) {
            ports = DynamoDbAdapters.followingStream(ports, streams, DynamoDbStreamFeed.streamArn(clients.dynamoDb(), config.tableName()));
        }
        Ferry ferry = Ferry.wire(ports, clock, ids, auth.runTokens(), ecs(clients, config, Pause.REAL), config.settings());
        return new Wiring(ferry, auth);
    }

    /** How {@code ecs} pools reach ECS and CloudWatch Logs; null when the clients have no ECS client. */
    public static Ecs.Settings ecs(AwsClients clients, Config config, Pause pause) {
        if (clients.ecs() == null) return null;
        return new Ecs.Settings(new EcsLauncher(clients.ecs(), config.region()),
                clients.logs() == null ? TaskLogs.NONE : new CloudWatchTaskLogs(clients.logs()), config.taskApiUrl(), pause);
    }
}
