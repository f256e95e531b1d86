package dev.ferry.functions.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.aws.dynamodb.DynamoDbAdapters;
import dev.ferry.aws.dynamodb.DynamoDbApiKeys;
import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.aws.ecs.EcsLauncher;
import dev.ferry.aws.logs.CloudWatchTaskLogs;
import dev.ferry.aws.sqs.SqsWorkQueues;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.QueryString;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.ecs.Ecs;
import dev.ferry.core.ecs.LaunchResult;
import dev.ferry.core.ecs.Launcher;
import dev.ferry.core.ecs.TaskDefinitionSpec;
import dev.ferry.core.ecs.TaskLaunch;
import dev.ferry.core.ecs.TaskStatus;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.scheduler.ManualTimer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Ferry on the emulator with ECS: the AWS adapters (DynamoDB, SQS, ECS, CloudWatch Logs) on moto,
 * a cluster and the default VPC's subnets, a clock the test moves, a launcher whose answers a
 * test can script ahead of the real one, and a count of the ECS requests made.
 */
final class EcsWorld {
    static final String KEY = "ferry_ecs-test-admin-key";
    static final String CLUSTER = "ferry-test";
    static final String API_URL = "https://api.ferry.test";
    private static final DynamoDbClient DYNAMODB = Emulator.dynamoDb();
    private static final SqsClient SQS = Emulator.sqs();
    static final CloudWatchLogsClient LOGS = Emulator.logs();

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    final Clock clock = now::get;
    final Map<String, AtomicInteger> ecsCalls = new ConcurrentHashMap<>();
    final EcsClient ecs = EcsClient.builder().endpointOverride(Emulator.endpoint()).region(Emulator.REGION)
            .credentialsProvider(Emulator.credentials()).httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(Emulator.noRetries().toBuilder().addExecutionInterceptor(new ExecutionInterceptor() {
                @Override
                public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                    ecsCalls.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                            k -> new AtomicInteger()).incrementAndGet();
                }
            }).build()).build();
    final ScriptedLauncher launcher = new ScriptedLauncher(new EcsLauncher(ecs, Emulator.REGION.id()));
    final List<Duration> pauses = Collections.synchronizedList(new ArrayList<>());
    final Ferry ferry;
    final Router router;
    final List<String> subnets;
    final RunStore runs;
    final SqsWorkQueues queues;

    EcsWorld(String table) {
        this(table, null);
    }

    EcsWorld(String table, Launcher replacement) {
        Emulator.reset();
        Emulator.pinEcsTasks();
        Tables.create(DYNAMODB, table);
        ecs.createCluster(b -> b.clusterName(CLUSTER).capacityProviders("FARGATE", "FARGATE_SPOT"));
        subnets = Emulator.defaultSubnets();
        ApiKeyService auth = new ApiKeyService(new DynamoDbApiKeys(DYNAMODB, table),
                BootstrapKey.ofHash(ApiKeyService.hash(KEY), "test"), clock, Ids.RANDOM);
        Launcher used = replacement != null ? replacement : launcher;
        queues = new SqsWorkQueues(SQS, table + "-", clock);
        Ports ports = DynamoDbAdapters.ports(DYNAMODB, table, Duration.ofDays(1), clock, queues, new ManualTimer());
        runs = ports.runs();
        ferry = Ferry.wire(ports, clock, Ids.RANDOM, auth.runTokens(),
                new Ecs.Settings(used, new CloudWatchTaskLogs(LOGS), API_URL, pauses::add));
        router = new Router(ferry, clock, auth);
    }

    /**
     * Job variables that start a task on moto, with a command of the flow's own: ECS's events alone
     * drive the run's state.
     */
    String jobVariables(String extra) {
        return executorJobVariables("\"command\": \"python -m flows.etl\"" + (extra == null || extra.isEmpty() ? "" : ", " + extra));
    }

    /** As {@link #jobVariables}, with the default command: {@code ferry flow-run execute}, which reports RUNNING itself. */
    String executorJobVariables(String extra) {
        return "{\"cluster\": \"" + CLUSTER + "\", \"image\": \"ghcr.io/acme/flows:1\", \"subnets\": "
                + Json.string(subnets.subList(0, 1)) + ", \"security_groups\": [\"sg-0123456789abcdef0\"]"
                + (extra == null || extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    JsonNode call(String method, String path, String body) {
        ApiResponse response = raw(method, path, body);
        String text = response.body() == null ? "" : new String(response.body(), StandardCharsets.UTF_8);
        assertThat(response.status()).as("%s %s answered %s", method, path, text).isLessThan(300);
        return text.isEmpty() ? Json.MAPPER.nullNode() : Json.tree(text);
    }

    ApiResponse raw(String method, String pathAndQuery, String body) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        Map<String, List<String>> query = q < 0 ? Map.of() : QueryString.parse(pathAndQuery.substring(q + 1));
        return router.handle(new ApiRequest(method, path, query,
                Map.of("authorization", "Bearer " + KEY, "content-type", "application/json"),
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
    }

    /** An ecs pool and a deployment on it; returns the deployment id. */
    String deployment(String pool, String queue, String jobVariables) {
        call("POST", "/api/work_pools", "{\"name\": \"" + pool + "\", \"type\": \"ecs\"}");
        return call("POST", "/api/deployments", "{\"name\": \"nightly\", \"flow_name\": \"etl-" + pool
                + "\", \"entrypoint\": \"flows/etl.py:etl\", \"work_pool_name\": \"" + pool + "\""
                + (queue == null ? "" : ", \"work_queue_name\": \"" + queue + "\"")
                + ", \"job_variables\": " + jobVariables + "}").path("id").asText();
    }

    /** Another deployment on an existing pool. */
    String deploy(String pool, String name, String queue, String jobVariables) {
        return call("POST", "/api/deployments", "{\"name\": \"" + name + "\", \"flow_name\": \"etl\", "
                + "\"entrypoint\": \"flows/etl.py:etl\", \"work_pool_name\": \"" + pool + "\", \"work_queue_name\": \""
                + queue + "\", \"job_variables\": " + jobVariables + "}").path("id").asText();
    }

    String createRun(String deploymentId, String body) {
        return call("POST", "/api/deployments/" + deploymentId + "/create_flow_run", body == null ? "{}" : body)
                .path("id").asText();
    }

    FlowRun run(String id) {
        return ferry.runs().get(id);
    }

    List<dev.ferry.core.ecs.EcsDispatcher.Dispatched> dispatch(String pool) throws InterruptedException {
        return ferry.ecs().dispatcher().dispatch(pool, 10, 0);
    }

    int calls(String operation) {
        AtomicInteger n = ecsCalls.get(operation);
        return n == null ? 0 : n.get();
    }

    void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    /** The real launcher, with answers a test queues ahead of it and every launch request recorded. */
    static final class ScriptedLauncher implements Launcher {
        final Launcher real;
        final Deque<Function<TaskLaunch, LaunchResult>> script = new ArrayDeque<>();
        final List<TaskLaunch> launches = Collections.synchronizedList(new ArrayList<>());

        ScriptedLauncher(Launcher real) {
            this.real = real;
        }

        void then(Function<TaskLaunch, LaunchResult> answer) {
            script.add(answer);
        }

        @Override
        public String register(TaskDefinitionSpec spec) {
            return real.register(spec);
        }

        @Override
        public LaunchResult launch(TaskLaunch launch) {
            launches.add(launch);
            Function<TaskLaunch, LaunchResult> scripted = script.poll();
            LaunchResult answer = scripted == null ? null : scripted.apply(launch);
            return answer != null ? answer : real.launch(launch);
        }

        @Override
        public List<TaskStatus> describe(String cluster, List<String> taskArns) {
            return real.describe(cluster, taskArns);
        }

        @Override
        public void stop(String cluster, String taskArn, String reason) {
            real.stop(cluster, taskArn, reason);
        }

        @Override
        public Optional<String> findTask(String cluster, String startedBy) {
            return real.findTask(cluster, startedBy);
        }
    }
}
