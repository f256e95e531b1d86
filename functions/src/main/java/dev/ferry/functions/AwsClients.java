package dev.ferry.functions;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.SchedulerClientBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The SDK clients, built once per container and shared by every invocation it serves. Everything
 * the SDK would otherwise discover is given: the region, and the url-connection HTTP client
 * (fastest cold start, no pool threads, and no classpath scan for an HTTP implementation).
 * Building a client opens no connection, so building them during SnapStart's snapshotted init is safe.
 */
public record AwsClients(DynamoDbClient dynamoDb, SqsClient sqs, SchedulerClient scheduler) implements AutoCloseable {

    /**
     * With the default credentials chain: in Lambda that finds the execution role's credentials
     * (with SnapStart on, through the container credentials endpoint, which is why no
     * environment-variable-only provider is pinned here).
     */
    public static AwsClients create(Config config) {
        return create(config, DefaultCredentialsProvider.builder().build());
    }

    public static AwsClients create(Config config, AwsCredentialsProvider credentials) {
        Region region = Region.of(config.region());
        DynamoDbClientBuilder dynamoDb = DynamoDbClient.builder().region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        SqsClientBuilder sqs = SqsClient.builder().region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        SchedulerClientBuilder scheduler = SchedulerClient.builder().region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (config.endpoint() != null) {
            dynamoDb.endpointOverride(config.endpoint());
            sqs.endpointOverride(config.endpoint());
            scheduler.endpointOverride(config.endpoint());
        }
        return new AwsClients(dynamoDb.build(), sqs.build(), scheduler.build());
    }

    @Override
    public void close() {
        dynamoDb.close();
        sqs.close();
        scheduler.close();
    }
}
