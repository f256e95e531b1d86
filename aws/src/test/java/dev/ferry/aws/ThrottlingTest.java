package dev.ferry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.aws.dynamodb.DynamoDbAdapters;
import dev.ferry.aws.sqs.SqsWorkQueues;
import dev.ferry.core.Ferry;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.auth.InMemoryApiKeys;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.scheduler.ManualTimer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** DynamoDB throttling that outlasted the SDK's retries is answered 503 with Retry-After; other errors are not throttling. */
class ThrottlingTest {
    private HttpServer server;
    private volatile String errorType;

    @BeforeEach
    void fakeDynamoDb() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = ("{\"__type\": \"com.amazonaws.dynamodb.v20120810#" + errorType + "\", \"message\": \"no\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void throttlingThatOutlastedTheRetries_isThrottling() {
        errorType = "ProvisionedThroughputExceededException";
        try (DynamoDbClient client = client()) {
            assertThatThrownBy(() -> client.getItem(r -> r.tableName("t").key(Map.of())))
                    .satisfies(e -> assertThat(Throttling.isThrottling(e)).isTrue())
                    .satisfies(e -> assertThat(Throttling.isThrottling(new IllegalStateException("wrapped", e))).isTrue());
        }
    }

    @Test
    void otherErrors_areNot() {
        errorType = "ValidationException";
        try (DynamoDbClient client = client()) {
            assertThatThrownBy(() -> client.getItem(r -> r.tableName("t").key(Map.of())))
                    .isInstanceOf(DynamoDbException.class)
                    .satisfies(e -> assertThat(Throttling.isThrottling(e)).isFalse());
        }
    }

    @Test
    void theApi_answersThrottling503WithRetryAfter() {
        errorType = "ThrottlingException";
        try (DynamoDbClient dynamoDb = client()) {
            SqsClient sqs = SqsClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials())
                    .endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                    .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
            Ferry ferry = Ferry.wire(DynamoDbAdapters.ports(dynamoDb, "t", new SqsWorkQueues(sqs, "ferry-", Clock.SYSTEM),
                    new ManualTimer()), Clock.SYSTEM, Ids.RANDOM);
            Router router = new Router(ferry, Clock.SYSTEM,
                    new ApiKeyService(new InMemoryApiKeys(), BootstrapKey.none(), Clock.SYSTEM, Ids.RANDOM),
                    Throttling::isThrottling);

            ApiResponse answer = router.handle(new ApiRequest("GET", "/api/work_pools/p", Map.of(), Map.of(), new byte[0]));

            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.headers()).containsEntry("Retry-After", "1");
            sqs.close();
        }
    }

    private DynamoDbClient client() {
        return DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials())
                .endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }
}
