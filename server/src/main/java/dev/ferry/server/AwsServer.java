package dev.ferry.server;

import dev.ferry.aws.Aws;
import dev.ferry.aws.AwsClients;
import dev.ferry.aws.Config;
import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.core.Settings;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.ecs.EcsDispatcher;
import dev.ferry.embedded.InProcessTimer;
import dev.ferry.functions.ApiFunction;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClientBuilder;

/**
 * Ferry's AWS code path on one machine: the HTTP API served through {@code ApiFunction} itself
 * (each request made into the event API Gateway would send), DynamoDB and SQS through the AWS
 * adapters, the janitor sweep JanitorFunction makes on the minute timer EventBridge would fire,
 * and the ECS dispatcher's runs one after another. Against an emulator ({@code --aws-endpoint}) or
 * against a deployed stack's table and queues.
 */
public final class AwsServer implements AutoCloseable {
    /** template.yaml's schedule: rate(1 minute). */
    private static final Duration JANITOR_PERIOD = Duration.ofMinutes(1);
    /** template.yaml's EcsDispatchFunction timeout. */
    private static final Duration DISPATCH_INVOCATION = Duration.ofSeconds(75);
    private static final Duration DISPATCH_IDLE = Duration.ofSeconds(2);

    /**
     * How {@code ferry server start --aws} was asked to run.
     *
     * @param apiKey   null means no key (loopback only)
     * @param endpoint an emulator's URL, or null for AWS itself with the default credentials chain
     */
    public record Options(String host, int port, String apiKey, URI endpoint, String table, String queuePrefix,
                          String region, List<String> allowedHosts, Settings settings) {
        public Options {
            allowedHosts = List.copyOf(allowedHosts);
        }

        public Options(String host, int port, String apiKey, URI endpoint, String table, String queuePrefix, String region,
                       List<String> allowedHosts) {
            this(host, port, apiKey, endpoint, table, queuePrefix, region, allowedHosts, Settings.DEFAULTS);
        }
    }

    private final ServerHost host;
    private final Thread dispatcher;

    private AwsServer(ServerHost host, Thread dispatcher) {
        this.host = host;
        this.dispatcher = dispatcher;
    }

    public static AwsServer start(Options options) {
        String key = options.apiKey() == null || options.apiKey().isBlank() ? null : options.apiKey().strip();
        InetAddress address = ServerHost.bindable(options.host(), key);
        // What ECS tasks report back to: this server is on loopback, so it must be said where they reach it.
        String taskApiUrl = System.getenv(Config.TASK_API_URL);
        Config config = new Config(options.table(), options.queuePrefix(), options.region(), options.endpoint(),
                key == null ? null : ApiKeyService.hash(key), Config.DEFAULT_RUN_LOG_RETENTION, null,
                taskApiUrl == null || taskApiUrl.isBlank() ? null : taskApiUrl.strip(), options.settings());
        // An emulator checks no signature: it gets dummy credentials, so real ones are never sent to it.
        AwsClients clients = options.endpoint() == null ? AwsClients.create(config)
                : AwsClients.create(config, StaticCredentialsProvider.create(AwsBasicCredentials.create("ferry-local", "ferry-local")));
        // This process is the stack's ScheduleFunction: it fires schedules itself, so no EventBridge is needed.
        InProcessTimer timer = new InProcessTimer(Clock.SYSTEM);
        DynamoDbStreamsClient streams = streams(options, config);
        try {
            prepareTable(clients, config);
            Aws.Wiring wiring = Aws.wire(clients, config, timer, streams, Clock.SYSTEM, Ids.RANDOM);
            timer.start(wiring.ferry().schedules());
            // This process is the stack's AutomationsFunction too: it follows the table's stream.
            Thread automations = new Thread(() -> wiring.ferry().automations().follower().follow(wiring.ferry().events()),
                    "ferry-automations");
            automations.setDaemon(true);
            automations.start();
            ApiFunction api = new ApiFunction(wiring.ferry(), Clock.SYSTEM, wiring.auth());
            // The janitor and the dispatcher are what JanitorFunction and EcsDispatchFunction call.
            ServerHost host = ServerHost.start(address, options.port(), options.allowedHosts(), null,
                    new LambdaHttpBridge("ApiFunction", api), () -> wiring.ferry().janitor().sweep(), JANITOR_PERIOD, () -> {
                        automations.interrupt();
                        timer.close();
                        streams.close();
                        clients.close();
                    });
            return new AwsServer(host, wiring.ferry().ecs() == null ? null : startDispatcher(wiring.ferry().ecs().dispatcher()));
        } catch (RuntimeException e) {
            timer.close();
            streams.close();
            clients.close();
            throw e;
        }
    }

    /** The table's stream client, built as the other clients are (the emulator gets dummy credentials). */
    private static DynamoDbStreamsClient streams(Options options, Config config) {
        DynamoDbStreamsClientBuilder builder = DynamoDbStreamsClient.builder().region(Region.of(config.region()))
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (options.endpoint() != null) {
            builder.endpointOverride(options.endpoint())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("ferry-local", "ferry-local")));
        }
        return builder.build();
    }

    /**
     * The ECS dispatcher as the stack runs it (one invocation's time after another), on a daemon
     * thread: runs of ecs pools are started as ECS tasks just as in AWS.
     */
    private static Thread startDispatcher(EcsDispatcher dispatcher) {
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    dispatcher.runUntil(DISPATCH_INVOCATION);
                    Thread.sleep(DISPATCH_IDLE.toMillis()); // no ecs pool (or a short pass): don't spin
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    System.err.println("ferry: ECS dispatch failed: " + e.getMessage());
                    try {
                        Thread.sleep(DISPATCH_IDLE.toMillis());
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        }, "ferry-ecs-dispatch");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * With an emulator, the table is made if missing (the stack makes it in AWS). Against AWS the
     * table must exist: a wrong name or region is said at start, not on the first request.
     */
    private static void prepareTable(AwsClients clients, Config config) {
        try {
            if (config.endpoint() != null) {
                Tables.create(clients.dynamoDb(), config.tableName());
            } else {
                clients.dynamoDb().describeTable(r -> r.tableName(config.tableName()));
            }
        } catch (ResourceNotFoundException e) {
            throw new IllegalArgumentException("there is no DynamoDB table '" + config.tableName() + "' in " + config.region()
                    + ": pass the stack's table with --table (its TableName output) and its region with --region");
        } catch (SdkException e) {
            throw new IllegalStateException("can't reach DynamoDB" + (config.endpoint() == null ? " in " + config.region()
                    : " at " + config.endpoint()) + ": " + e.getMessage(), e);
        }
    }

    public URI url() {
        return host.url();
    }

    public void awaitTermination() throws InterruptedException {
        host.awaitTermination();
    }

    @Override
    public void close() {
        if (dispatcher != null) dispatcher.interrupt();
        host.close();
    }
}
