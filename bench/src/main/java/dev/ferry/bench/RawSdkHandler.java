package dev.ferry.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The baseline for LambdaBench's cold start: a minimal API Gateway handler that makes, by hand, the
 * same kinds and number of AWS calls as Ferry's create_flow_run on a fresh container (GetItem of
 * the deployment, the pool and the work queue; a TransactWriteItems of the idempotency key and the
 * run; GetQueueUrl, as Ferry's URL cache is empty in a new container; SendMessage), with the same
 * client setup as {@code AwsClients} (region and endpoint from the environment, default credentials
 * chain, url-connection HTTP client) and Jackson for the body. No routing, no validation, no
 * domain model: the items are approximations of Ferry's (same keys, a JSON document of similar
 * size), not Ferry's exact items. Not a usable API.
 */
public class RawSdkHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE = System.getenv("FERRY_TABLE_NAME");
    private static final DynamoDbClient DYNAMODB;
    private static final SqsClient SQS;

    static {
        Region region = Region.of(System.getenv("AWS_REGION"));
        String endpoint = System.getenv("FERRY_AWS_ENDPOINT");
        DynamoDbClientBuilder d = DynamoDbClient.builder().region(region)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        SqsClientBuilder s = SqsClient.builder().region(region)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (endpoint != null && !endpoint.isBlank()) {
            d.endpointOverride(URI.create(endpoint));
            s.endpointOverride(URI.create(endpoint));
        }
        DYNAMODB = d.build();
        SQS = s.build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try {
            String[] path = event.getRawPath().split("/"); // /api/deployments/{id}/create_flow_run
            String deploymentId = path[3];
            JsonNode body = JSON.readTree(event.getBody());
            Map<String, AttributeValue> deployment = DYNAMODB.getItem(b -> b.tableName(TABLE)
                    .key(key("DEPLOYMENT#" + deploymentId, "#DEPLOYMENT"))).item();
            String poolName = System.getenv("RAW_POOL_NAME");
            Map<String, AttributeValue> pool = DYNAMODB.getItem(b -> b.tableName(TABLE).key(key("POOLS", poolName))).item();
            String poolId = System.getenv("RAW_POOL_ID");
            Map<String, AttributeValue> queue = DYNAMODB.getItem(b -> b.tableName(TABLE)
                    .key(key("POOL#" + poolId, "QUEUE#default"))).item();
            if (deployment.isEmpty() || pool.isEmpty() || queue.isEmpty()) throw new IllegalStateException("setup items missing");

            String runId = UUID.randomUUID().toString();
            ObjectNode run = JSON.createObjectNode();
            run.put("id", runId).put("name", "raw-" + runId.substring(0, 8)).put("deployment_id", deploymentId)
                    .put("flow_name", "my-flow").put("work_pool_name", poolName).put("work_pool_id", poolId)
                    .put("work_queue_name", "default").put("state_type", "SCHEDULED").put("state_name", "Scheduled")
                    .put("created", Instant.now().toString()).put("expected_start_time", Instant.now().toString())
                    .put("idempotency_key", body.path("idempotency_key").asText()).put("version", 1);
            run.set("parameters", body.path("parameters"));
            run.putArray("tags").add("tutorial");
            String doc = JSON.writeValueAsString(run);

            Map<String, AttributeValue> idem = new HashMap<>(key("RUN_KEY#" + deploymentId, body.path("idempotency_key").asText()));
            idem.put("run_id", AttributeValue.fromS(runId));
            Map<String, AttributeValue> item = new HashMap<>(key("RUN#" + runId, "#RUN"));
            item.put("doc", AttributeValue.fromS(doc));
            item.put("id", AttributeValue.fromS(runId));
            item.put("state_type", AttributeValue.fromS("SCHEDULED"));
            DYNAMODB.transactWriteItems(b -> b.transactItems(List.of(
                    TransactWriteItem.builder().put(Put.builder().tableName(TABLE).item(idem)
                            .conditionExpression("attribute_not_exists(pk)").build()).build(),
                    TransactWriteItem.builder().put(Put.builder().tableName(TABLE).item(item)
                            .conditionExpression("attribute_not_exists(pk)").build()).build())));

            String url = SQS.getQueueUrl(b -> b.queueName(System.getenv("RAW_QUEUE_NAME"))).queueUrl();
            SQS.sendMessage(b -> b.queueUrl(url).messageBody(runId));

            return APIGatewayV2HTTPResponse.builder().withStatusCode(201)
                    .withHeaders(Map.of("Content-Type", "application/json", "Cache-Control", "no-store"))
                    .withBody(doc).withIsBase64Encoded(false).build();
        } catch (Exception e) {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(500).withBody(e.toString()).build();
        }
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk));
    }
}
