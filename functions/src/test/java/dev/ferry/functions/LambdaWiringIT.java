package dev.ferry.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.ferry.aws.AwsClients;
import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.aws.scheduler.EventBridgeTimer;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.Json;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the handlers' no-arg constructors do in a Lambda container, from an environment map:
 * Config, the SDK clients with the default credentials chain, the adapters, the primed router.
 * (The constructors themselves read System.getenv(), which a test must not set.)
 */
@ExtendWith(Emulator.class)
class LambdaWiringIT {
    private static final String KEY = "ferry_wiring-test-key";

    @BeforeEach
    void credentialsForTheDefaultChain() {
        // The chain's first source; dummy values, so no real account can be reached.
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        Emulator.reset();
        Tables.create(Emulator.dynamoDb(), "ferry-wiring");
    }

    @AfterEach
    void forgetThem() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @Test
    void theContainersWiring_servesTheApi_andSweeps() {
        Emulator.scheduler().createScheduleGroup(b -> b.name("ferry-wiring"));
        EventBridgeTimer.Settings scheduling = Emulator.scheduling("ferry-wiring");
        Container container = Container.from(Map.of("FERRY_TABLE_NAME", "ferry-wiring", "FERRY_QUEUE_PREFIX", "ferry-wiring-",
                "AWS_REGION", Emulator.REGION.id(), "FERRY_AWS_ENDPOINT", Emulator.endpoint().toString(),
                "FERRY_ADMIN_KEY_HASH", ApiKeyService.hash(KEY), "FERRY_SCHEDULE_GROUP", scheduling.group(),
                "FERRY_SCHEDULE_TARGET_ARN", scheduling.targetArn(), "FERRY_SCHEDULER_ROLE_ARN", scheduling.roleArn(),
                "FERRY_SCHEDULE_DLQ_ARN", scheduling.deadLetterArn()));
        try (AwsClients clients = container.clients()) {
            ApiFunction api = ApiFunction.primed(container.wiring());
            JanitorFunction janitor = new JanitorFunction(container.wiring().ferry());

            APIGatewayV2HTTPResponse created = api.handleRequest(post("/api/work_pools",
                    "{\"name\": \"wired\", \"type\": \"process\"}"), new LocalContext("ApiFunction", Duration.ofSeconds(29)));
            Map<String, Integer> sweep = janitor.handleRequest(new ScheduledEvent(), new LocalContext("JanitorFunction",
                    Duration.ofSeconds(29)));

            assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(201);
            assertThat(Json.tree(created.getBody()).path("name").asText()).isEqualTo("wired");
            assertThat(sweep).containsOnlyKeys("late", "crashed", "cancelled", "redelivered", "schedules_healed");
            assertThat(clients.sqs().listQueues(r -> r.queueNamePrefix("ferry-wiring-")).queueUrls())
                    .as("the default queue and its dead-letter queue, under the configured prefix").hasSize(2);
        }
    }

    private static APIGatewayV2HTTPEvent post(String path, String body) {
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path).withRawQueryString("")
                .withHeaders(Map.of("authorization", "Bearer " + KEY, "content-type", "application/json"))
                .withBody(body)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").withPath(path).build())
                        .build())
                .build();
    }
}
