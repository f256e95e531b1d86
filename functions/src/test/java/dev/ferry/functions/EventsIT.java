package dev.ferry.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.aws.Aws;
import dev.ferry.aws.AwsClients;
import dev.ferry.aws.Config;
import dev.ferry.aws.dynamodb.DynamoDbAdapters;
import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.aws.scheduler.EventBridgeTimer;
import dev.ferry.aws.sqs.SqsWorkQueues;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.Ferry;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.ecs.Ecs;
import dev.ferry.core.ecs.LaunchResult;
import dev.ferry.core.ecs.Launcher;
import dev.ferry.core.ecs.TaskDefinitionSpec;
import dev.ferry.core.ecs.TaskLaunch;
import dev.ferry.core.ecs.TaskStatus;
import dev.ferry.core.runs.TaskLogs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Every file in events/ fed to its handler, as {@code sam local invoke -e} would, over the AWS
 * wiring (DynamoDB store and API keys, SQS work queues) on the emulator. Events that name a deployment or a flow run carry the sample ids
 * below; the tutorial state each event presumes is set up first.
 */
@ExtendWith(Emulator.class)
class EventsIT {
    /** The key the sample events send; sam local invoke users pass its hash as AdminKeyHash (docs/deploy-aws.md). */
    static final String SAMPLE_KEY = "ferry_sample-admin-key-for-local-invokes";
    static final String DEPLOYMENT_ID = "0f6e8c1a-4b7d-4c2e-9a51-6d3b2f8e7c10";
    /** The tutorial's run, claimed by my-worker. */
    static final String RUN_ID = "7c2d9e4b-1a3f-4e8b-b6c5-2f9a0d1e3b47";
    private static final String TABLE = "ferry-events";
    private static final String PREFIX = "ferry-events-";
    private static final DynamoDbClient DYNAMODB = Emulator.dynamoDb();
    private static final SqsClient SQS = Emulator.sqs();
    private static final SchedulerClient SCHEDULER = Emulator.scheduler();
    private static final String GROUP = "ferry-events";
    private static final Set<String> FUNCTIONS = Repo.functions();

    /** What the store holds before an event is fed. */
    enum Given {
        NOTHING,
        /** my-process-pool */
        POOL,
        /**
         * my-process-pool; deployment my-flow/my-deployment with schedule "nightly" (02:00 Berlin); run RUN_ID
         * claimed by my-worker; one more run SCHEDULED
         */
        TUTORIAL,
        /** my-ecs-pool; deployment my-flow/my-deployment on it; run RUN_ID due */
        ECS_DUE,
        /** as ECS_DUE, and RUN_ID dispatched: PENDING on task ECS_TASK_ARN */
        ECS_RUN,
        /** as ECS_RUN, and RUN_ID cancelled: CANCELLING, its task being stopped */
        ECS_CANCELLING,
        /** as TUTORIAL, and automation "again-after-completion": a run of the deployment when one of its runs completes */
        AUTOMATION
    }

    /** The task of the ecs-events-*.json samples. */
    static final String ECS_TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/ferry/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";

    record Expect(Given given, int status, BiConsumer<JsonNode, EventsIT> body) {}

    private static final Map<String, Expect> EXPECTED = Map.ofEntries(
            Map.entry("api-health.json", new Expect(Given.NOTHING, 200, (b, t) ->
                    assertThat(b.path("status").asText()).isEqualTo("ok"))),
            Map.entry("api-openapi.json", new Expect(Given.NOTHING, 200, (b, t) ->
                    assertThat(b.path("paths").has("/api/work_pools/{pool}/get_scheduled_flow_runs")).isTrue())),
            Map.entry("api-create-work-pool.json", new Expect(Given.NOTHING, 201, (b, t) -> {
                assertThat(b.path("name").asText()).isEqualTo("my-process-pool");
                assertThat(b.path("type").asText()).isEqualTo("process");
                assertThat(b.path("default_queue_name").asText()).isEqualTo("default");
                assertThat(b.path("id").asText()).hasSize(36);
            })),
            Map.entry("api-list-work-pools.json", new Expect(Given.POOL, 200, (b, t) ->
                    assertThat(b.path("items").findValuesAsText("name")).containsExactly("my-process-pool"))),
            Map.entry("api-create-work-queue.json", new Expect(Given.POOL, 201, (b, t) -> {
                assertThat(b.path("name").asText()).isEqualTo("high-priority");
                assertThat(b.path("pool").asText()).isEqualTo("my-process-pool");
                assertThat(b.path("concurrency_limit").asInt()).isEqualTo(5);
            })),
            Map.entry("api-worker-heartbeat.json", new Expect(Given.POOL, 200, (b, t) -> {
                assertThat(b.path("name").asText()).isEqualTo("my-worker");
                assertThat(b.path("status").asText()).isEqualTo("ONLINE");
            })),
            Map.entry("api-create-deployment.json", new Expect(Given.POOL, 201, (b, t) -> {
                assertThat(b.path("flow_name").asText()).isEqualTo("my-flow");
                assertThat(b.path("name").asText()).isEqualTo("my-deployment");
                assertThat(b.path("work_queue_name").asText()).isEqualTo("default");
            })),
            Map.entry("api-get-deployment-by-name.json", new Expect(Given.TUTORIAL, 200, (b, t) ->
                    assertThat(b.path("id").asText()).isEqualTo(DEPLOYMENT_ID))),
            Map.entry("api-create-flow-run.json", new Expect(Given.TUTORIAL, 201, (b, t) -> {
                assertThat(b.path("deployment_id").asText()).isEqualTo(DEPLOYMENT_ID);
                assertThat(b.path("state_type").asText()).isEqualTo("SCHEDULED");
                assertThat(b.path("parameters").path("name").asText()).isEqualTo("Marvin");
            })),
            Map.entry("api-get-scheduled-flow-runs.json", new Expect(Given.TUTORIAL, 200, (b, t) -> {
                assertThat(b.path("items")).hasSize(1);
                JsonNode run = b.path("items").get(0).path("flow_run");
                assertThat(run.path("state_type").asText()).isEqualTo("PENDING");
                assertThat(run.path("worker_name").asText()).isEqualTo("my-worker");
                assertThat(run.path("id").asText()).isNotEqualTo(RUN_ID);
                assertThat(b.path("items").get(0).path("job_configuration").isObject()).isTrue();
            })),
            Map.entry("api-list-flow-runs.json", new Expect(Given.TUTORIAL, 200, (b, t) ->
                    // both values of the repeated state_type reached the router
                    assertThat(b.path("items").findValuesAsText("state_type")).containsExactlyInAnyOrder("SCHEDULED", "PENDING"))),
            Map.entry("api-get-flow-run.json", new Expect(Given.TUTORIAL, 200, (b, t) -> {
                assertThat(b.path("id").asText()).isEqualTo(RUN_ID);
                assertThat(b.path("state_type").asText()).isEqualTo("PENDING");
            })),
            Map.entry("api-set-state.json", new Expect(Given.TUTORIAL, 200, (b, t) -> {
                assertThat(b.path("status").asText()).isEqualTo("ACCEPT");
                assertThat(b.path("flow_run").path("state_type").asText()).isEqualTo("RUNNING");
                assertThat(b.path("flow_run").path("infrastructure_id").asText()).isEqualTo("4242");
            })),
            Map.entry("api-flow-run-heartbeat.json", new Expect(Given.TUTORIAL, 200, (b, t) ->
                    assertThat(b.path("id").asText()).isEqualTo(RUN_ID))),
            Map.entry("api-post-logs.json", new Expect(Given.TUTORIAL, 204, (b, t) -> {
                JsonNode logs = t.call("GET", "/api/flow_runs/" + RUN_ID + "/logs", null);
                assertThat(logs.path("items").findValuesAsText("message")).containsExactly("Hello, Marvin!", "a note on stderr");
            })),
            Map.entry("api-get-logs.json", new Expect(Given.TUTORIAL, 200, (b, t) -> {
                assertThat(b.path("items").isArray()).isTrue();
                assertThat(b.has("next")).isTrue();
            })),
            Map.entry("api-cancel-flow-run.json", new Expect(Given.TUTORIAL, 200, (b, t) ->
                    assertThat(b.path("state_type").asText()).isEqualTo("CANCELLING"))),
            Map.entry("ecs-dispatch-scheduled.json", new Expect(Given.ECS_DUE, 200, (b, t) -> {
                assertThat(b.path("started").asInt()).isEqualTo(1);
                JsonNode run = t.call("GET", "/api/flow_runs/" + RUN_ID, null);
                assertThat(run.path("state_type").asText()).isEqualTo("PENDING");
                assertThat(run.path("infrastructure_id").asText()).isEqualTo(ECS_TASK_ARN);
            })),
            Map.entry("ecs-events-task-provisioning.json", new Expect(Given.ECS_RUN, 200, (b, t) -> {
                assertThat(b.path("effect").asText()).isEqualTo("APPLIED");
                JsonNode run = t.call("GET", "/api/flow_runs/" + RUN_ID, null);
                assertThat(run.path("state").path("name").asText()).isEqualTo("InfrastructurePending");
                assertThat(run.path("infrastructure").path("event_version").asLong()).isEqualTo(1);
            })),
            Map.entry("ecs-events-task-running.json", new Expect(Given.ECS_RUN, 200, (b, t) ->
                    assertThat(t.call("GET", "/api/flow_runs/" + RUN_ID, null).path("state_type").asText()).isEqualTo("RUNNING"))),
            Map.entry("ecs-events-task-stopped-exit-0.json", new Expect(Given.ECS_RUN, 200, (b, t) ->
                    assertThat(t.call("GET", "/api/flow_runs/" + RUN_ID, null).path("state_type").asText()).isEqualTo("COMPLETED"))),
            Map.entry("ecs-events-task-stopped-exit-1.json", new Expect(Given.ECS_RUN, 200, (b, t) -> {
                JsonNode run = t.call("GET", "/api/flow_runs/" + RUN_ID, null);
                assertThat(run.path("state_type").asText()).isEqualTo("FAILED");
                assertThat(run.path("state").path("message").asText()).contains("ended with exit code 1", "OutOfMemoryError");
            })),
            Map.entry("ecs-events-task-failed-to-start.json", new Expect(Given.ECS_RUN, 200, (b, t) -> {
                JsonNode run = t.call("GET", "/api/flow_runs/" + RUN_ID, null);
                assertThat(run.path("state_type").asText()).isEqualTo("CRASHED");
                assertThat(run.path("state").path("message").asText()).contains("TaskFailedToStart", "CannotPullContainerError");
            })),
            Map.entry("ecs-events-task-spot-interruption.json", new Expect(Given.ECS_RUN, 200, (b, t) -> {
                JsonNode run = t.call("GET", "/api/flow_runs/" + RUN_ID, null);
                assertThat(run.path("state_type").asText()).isEqualTo("CRASHED");
                assertThat(run.path("state").path("message").asText()).contains("SpotInterruption");
            })),
            Map.entry("ecs-events-task-stopped-by-user.json", new Expect(Given.ECS_CANCELLING, 200, (b, t) ->
                    assertThat(t.call("GET", "/api/flow_runs/" + RUN_ID, null).path("state_type").asText()).isEqualTo("CANCELLED"))),
            Map.entry("janitor-scheduled.json", new Expect(Given.TUTORIAL, 200, (b, t) -> {
                assertThat(b.properties()).extracting(Map.Entry::getKey)
                        .containsExactly("late", "crashed", "cancelled", "redelivered", "schedules_healed");
                // the nightly schedule's firing is armed in EventBridge: nothing to heal
                assertThat(b.path("schedules_healed").asInt()).isZero();
                // the tutorial's second run is due and SCHEDULED: the janitor sends it again
                assertThat(b.path("redelivered").asInt()).isEqualTo(1);
            })),
            Map.entry("automations-flow-run-completed.json", new Expect(Given.AUTOMATION, 200, (b, t) -> {
                assertThat(b.path("batch_item_failures")).isEmpty();
                JsonNode runs = t.call("GET", "/api/flow_runs?deployment_id=" + DEPLOYMENT_ID, null).path("items");
                assertThat(runs.findValuesAsText("idempotency_key")).filteredOn(k -> k.startsWith("automation:")).hasSize(1);
            })),
            Map.entry("schedule-firing.json", new Expect(Given.TUTORIAL, 200, (b, t) -> {
                assertThat(b.asText()).isEqualTo("CREATED");
                JsonNode runs = t.call("GET", "/api/flow_runs", null).path("items");
                assertThat(runs.findValuesAsText("scheduled_start_time")).contains("2026-01-31T01:00:00Z");
            })));

    private final ScriptedIds ids = new ScriptedIds();
    private ApiFunction api;
    private JanitorFunction janitor;
    private Ferry ferry;
    private Ferry ecsFerry;

    @BeforeEach
    void emptyAccount() {
        Emulator.reset();
        Tables.create(DYNAMODB, TABLE);
        Config config = new Config(TABLE, PREFIX, Emulator.REGION.id(), Emulator.endpoint(), ApiKeyService.hash(SAMPLE_KEY),
                Config.DEFAULT_RUN_LOG_RETENTION, Emulator.scheduling(GROUP));
        SCHEDULER.createScheduleGroup(b -> b.name(GROUP));
        Aws.Wiring wiring = Aws.wire(new AwsClients(DYNAMODB, SQS, SCHEDULER), config, Clock.SYSTEM, ids);
        api = new ApiFunction(wiring.ferry(), Clock.SYSTEM, wiring.auth());
        janitor = new JanitorFunction(wiring.ferry());
        ferry = wiring.ferry();
        // The same table and queues, with ECS behind a launcher that "starts" the samples' task.
        ecsFerry = Ferry.wire(DynamoDbAdapters.ports(DYNAMODB, TABLE, new SqsWorkQueues(SQS, PREFIX, Clock.SYSTEM),
                new EventBridgeTimer(SCHEDULER, Emulator.scheduling(GROUP))), Clock.SYSTEM, ids, wiring.auth().runTokens(),
                new Ecs.Settings(new SampleTaskLauncher(), TaskLogs.NONE, "https://api.example", d -> { }));
    }

    /** Starts every task as the samples' task; ECS itself is EcsDispatchIT's business. */
    private static final class SampleTaskLauncher implements Launcher {
        @Override
        public String register(TaskDefinitionSpec spec) {
            return "arn:aws:ecs:us-east-1:123456789012:task-definition/" + spec.family() + ":1";
        }

        @Override
        public LaunchResult launch(TaskLaunch launch) {
            return new LaunchResult.Started(ECS_TASK_ARN);
        }

        @Override
        public List<TaskStatus> describe(String cluster, List<String> taskArns) {
            return List.of();
        }

        @Override
        public void stop(String cluster, String taskArn, String reason) {
        }

        @Override
        public Optional<String> findTask(String cluster, String startedBy) {
            return Optional.empty();
        }
    }

    static Stream<Path> events() {
        return Repo.events().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void eachSampleEvent_isAnsweredAsDocumented(Path file) throws IOException {
        String name = file.getFileName().toString();
        Expect expect = EXPECTED.get(name);
        assertThat(expect).as("events/%s has no expectation in EventsIT.EXPECTED; add one", name).isNotNull();
        given(expect.given());

        String function = Repo.functionOf(file, FUNCTIONS);
        assertThat(function).as("events/%s is named after no function of template.yaml", name).isNotNull();
        switch (function) {
            case "ApiFunction" -> {
                APIGatewayV2HTTPResponse response = api.handleRequest(read(file, APIGatewayV2HTTPEvent.class), context("ApiFunction"));

                assertThat(response.getStatusCode()).as("%s answered %s", name, response.getBody()).isEqualTo(expect.status());
                assertThat(response.getHeaders()).containsEntry("Cache-Control", "no-store");
                JsonNode body = response.getBody() == null || response.getBody().isEmpty()
                        ? Json.MAPPER.nullNode() : Json.tree(response.getBody());
                if (expect.status() != 204) {
                    assertThat(response.getHeaders().get("Content-Type")).startsWith("application/");
                    assertThat(body.isObject()).isTrue();
                }
                expect.body().accept(body, this);
            }
            case "JanitorFunction" -> {
                Map<String, Integer> counts = janitor.handleRequest(read(file, ScheduledEvent.class), context("JanitorFunction"));

                expect.body().accept(Json.MAPPER.valueToTree(counts), this);
            }
            case "ScheduleFunction" -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> input = read(file, Map.class);
                ScheduleFunction schedule = new ScheduleFunction(ferry);
                String outcome = schedule.handleRequest(input, context("ScheduleFunction"));
                expect.body().accept(Json.MAPPER.getNodeFactory().textNode(outcome), this);
                // EventBridge may deliver a firing twice: the second delivery makes no second run.
                assertThat(schedule.handleRequest(input, context("ScheduleFunction"))).isEqualTo("EXISTED");
            }
            case "EcsDispatchFunction" -> {
                Map<String, Integer> counts = new EcsDispatchFunction(ecsFerry)
                        .handleRequest(read(file, ScheduledEvent.class), new LocalContext("EcsDispatchFunction", Duration.ofSeconds(11)));

                expect.body().accept(Json.MAPPER.valueToTree(counts), this);
            }
            case "EcsEventsFunction" -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> event = read(file, Map.class);
                Map<String, String> out = new EcsEventsFunction(ecsFerry).handleRequest(event, context("EcsEventsFunction"));

                expect.body().accept(Json.MAPPER.valueToTree(out), this);
            }
            case "AutomationsFunction" -> {
                AutomationsFunction automations = new AutomationsFunction(ferry);
                DynamodbEvent batch = read(file, DynamodbEvent.class);
                StreamsEventResponse answer = automations.handleRequest(batch, context("AutomationsFunction"));
                // the stream redelivers a batch whose invocation failed: its events count once
                automations.handleRequest(read(file, DynamodbEvent.class), context("AutomationsFunction"));

                expect.body().accept(Json.MAPPER.valueToTree(answer), this);
            }
            default -> throw new AssertionError("EventsIT does not feed " + function + " yet: add a case for events/" + name);
        }
    }

    @Test
    void everyExpectation_hasItsEvent() {
        Set<String> files = new HashSet<>();
        Repo.events().forEach(p -> files.add(p.getFileName().toString()));

        assertThat(files).containsAll(EXPECTED.keySet());
    }

    /** As Lambda's Java runtime reads an event: its mixins for the events it knows, plain Jackson for the rest. */
    static <T> T read(Path file, Class<T> type) throws IOException {
        PojoSerializer<T> serializer = LambdaEventSerializers.isLambdaSupportedEvent(type.getName())
                ? LambdaEventSerializers.serializerFor(type, EventsIT.class.getClassLoader())
                : JacksonFactory.getInstance().getSerializer(type);
        try (InputStream in = Files.newInputStream(file)) {
            return serializer.fromJson(in);
        }
    }

    private static LocalContext context(String function) {
        return new LocalContext(function, Duration.ofSeconds(29));
    }

    private void given(Given given) {
        if (given == Given.NOTHING) return;
        if (given == Given.ECS_DUE || given == Given.ECS_RUN || given == Given.ECS_CANCELLING) {
            call("POST", "/api/work_pools", "{\"name\": \"my-ecs-pool\", \"type\": \"ecs\"}");
            ids.then(DEPLOYMENT_ID);
            call("POST", "/api/deployments", "{\"name\": \"my-deployment\", \"flow_name\": \"my-flow\", "
                    + "\"entrypoint\": \"flows/my_flow.py:my_flow\", \"work_pool_name\": \"my-ecs-pool\", \"job_variables\": "
                    + "{\"cluster\": \"ferry\", \"image\": \"ghcr.io/acme/flows:1\", \"subnets\": [\"subnet-0a1b2c3d\"], "
                    + "\"command\": \"python -m flows.my_flow\"}}");
            ids.then(RUN_ID);
            call("POST", "/api/deployments/" + DEPLOYMENT_ID + "/create_flow_run", "{}");
            if (given == Given.ECS_DUE) return;
            try {
                assertThat(ecsFerry.ecs().dispatcher().dispatch("my-ecs-pool", 1, 0)).hasSize(1);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (given == Given.ECS_CANCELLING) call("POST", "/api/flow_runs/" + RUN_ID + "/cancel", null);
            return;
        }
        call("POST", "/api/work_pools", "{\"name\": \"my-process-pool\", \"type\": \"process\"}");
        if (given == Given.POOL) return;

        ids.then(DEPLOYMENT_ID);
        JsonNode deployment = call("POST", "/api/deployments", "{\"name\": \"my-deployment\", \"flow_name\": \"my-flow\", "
                + "\"entrypoint\": \"flows/my_flow.py:my_flow\", \"work_pool_name\": \"my-process-pool\", "
                + "\"schedules\": [{\"slug\": \"nightly\", \"cron\": \"0 2 * * *\", \"timezone\": \"Europe/Berlin\"}]}");
        assertThat(deployment.path("id").asText()).as("the deployment took the first id it drew").isEqualTo(DEPLOYMENT_ID);
        ids.then(RUN_ID);
        JsonNode run = call("POST", "/api/deployments/" + DEPLOYMENT_ID + "/create_flow_run", "{}");
        assertThat(run.path("id").asText()).as("the run took the first id it drew").isEqualTo(RUN_ID);
        JsonNode claimed = call("POST", "/api/work_pools/my-process-pool/get_scheduled_flow_runs", "{\"worker_name\": \"my-worker\"}");
        assertThat(claimed.path("items").findValuesAsText("id")).contains(RUN_ID);
        call("POST", "/api/deployments/" + DEPLOYMENT_ID + "/create_flow_run", "{}");
        if (given == Given.AUTOMATION) {
            call("POST", "/api/automations", "{\"name\": \"again-after-completion\", \"trigger\": {\"expect\": "
                    + "\"ferry.flow-run.Completed\", \"match_related\": {\"ferry.resource.id\": \"ferry.deployment." + DEPLOYMENT_ID
                    + "\"}}, \"actions\": [{\"type\": \"run-deployment\", \"source\": \"inferred\"}]}");
        }
    }

    /** One API call through the function, as the tutorial makes it; expects success. */
    JsonNode call(String method, String pathAndQuery, String body) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path).withRawQueryString(query)
                .withHeaders(Map.of("authorization", "Bearer " + SAMPLE_KEY, "content-type", "application/json"))
                .withBody(body).withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build())
                .build();
        APIGatewayV2HTTPResponse response = api.handleRequest(event, context("ApiFunction"));
        assertThat(response.getStatusCode()).as("%s %s answered %s", method, path, response.getBody()).isLessThan(300);
        return response.getBody() == null || response.getBody().isEmpty() ? Json.MAPPER.nullNode() : Json.tree(response.getBody());
    }

    /** Random ids, except where the test asks for the next one to be a given sample id. */
    static final class ScriptedIds implements Ids {
        private final Deque<String> next = new ConcurrentLinkedDeque<>();

        void then(String id) {
            next.add(id);
        }

        @Override
        public String next() {
            String id = next.poll();
            return id != null ? id : UUID.randomUUID().toString();
        }
    }
}
