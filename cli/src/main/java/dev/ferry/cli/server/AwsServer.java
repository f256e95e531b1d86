package dev.ferry.cli.server;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.ferry.cli.embedded.InProcessTimer;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.ports.Clock;
import dev.ferry.core.ports.Ids;
import dev.ferry.functions.ApiFunction;
import dev.ferry.functions.Aws;
import dev.ferry.functions.AwsClients;
import dev.ferry.functions.Config;
import dev.ferry.functions.JanitorFunction;
import dev.ferry.functions.LocalContext;
import dev.ferry.functions.dynamodb.DynamoDbStore;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Ferry's AWS code path on one machine: the HTTP API served through {@link ApiFunction} itself
 * (each request made into the event API Gateway would send), DynamoDB and SQS through the AWS
 * adapters, and {@link JanitorFunction} on the minute timer EventBridge would fire. Against an
 * emulator ({@code --aws-endpoint}) or against a deployed stack's table and queues.
 */
public final class AwsServer implements AutoCloseable {
    /** template.yaml's schedule: rate(1 minute). */
    private static final Duration JANITOR_PERIOD = Duration.ofMinutes(1);

    /**
     * How {@code ferry server start --aws} was asked to run.
     *
     * @param apiKey   null means no key (loopback only)
     * @param endpoint an emulator's URL, or null for AWS itself with the default credentials chain
     */
    public record Options(String host, int port, String apiKey, URI endpoint, String table, String queuePrefix,
                          String region) {}

    private final ServerHost host;

    private AwsServer(ServerHost host) {
        this.host = host;
    }

    public static AwsServer start(Options options) {
        String key = options.apiKey() == null || options.apiKey().isBlank() ? null : options.apiKey().strip();
        InetAddress address = ServerHost.bindable(options.host(), key);
        Config config = new Config(options.table(), options.queuePrefix(), options.region(), options.endpoint(),
                key == null ? null : ApiKeyService.hash(key), Config.DEFAULT_RUN_LOG_RETENTION, null);
        // An emulator checks no signature: it gets dummy credentials, so real ones are never sent to it.
        AwsClients clients = options.endpoint() == null ? AwsClients.create(config)
                : AwsClients.create(config, StaticCredentialsProvider.create(AwsBasicCredentials.create("ferry-local", "ferry-local")));
        // This process is the stack's ScheduleFunction: it fires schedules itself, so no EventBridge is needed.
        InProcessTimer timer = new InProcessTimer(Clock.SYSTEM);
        try {
            prepareTable(clients, config);
            Aws.Wiring wiring = Aws.wire(clients, config, timer, Clock.SYSTEM, Ids.RANDOM);
            wiring.ferry().schedules().heal(Duration.ZERO);
            timer.start(wiring.ferry().schedules()::fire);
            ApiFunction api = new ApiFunction(wiring.ferry(), Clock.SYSTEM, wiring.auth());
            JanitorFunction sweeper = new JanitorFunction(wiring.ferry());
            return new AwsServer(ServerHost.start(address, options.port(), new LambdaHttpBridge("ApiFunction", api),
                    () -> sweeper.handleRequest(new ScheduledEvent().withSource("aws.events").withDetailType("Scheduled Event"),
                            new LocalContext("JanitorFunction", Duration.ofSeconds(29))),
                    JANITOR_PERIOD, () -> {
                        timer.close();
                        clients.close();
                    }));
        } catch (RuntimeException e) {
            timer.close();
            clients.close();
            throw e;
        }
    }

    /**
     * With an emulator, the table is made if missing (the stack makes it in AWS). Against AWS the
     * table must exist: a wrong name or region is said at start, not on the first request.
     */
    private static void prepareTable(AwsClients clients, Config config) {
        try {
            if (config.endpoint() != null) {
                DynamoDbStore.createTable(clients.dynamoDb(), config.tableName());
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
        host.close();
    }
}
