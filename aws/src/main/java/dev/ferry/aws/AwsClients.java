package dev.ferry.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.EcsClientBuilder;
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
public record AwsClients(DynamoDbClient dynamoDb, SqsClient sqs, SchedulerClient scheduler, Lazy<EcsClient> ecs,
                         Lazy<CloudWatchLogsClient> logs) implements AutoCloseable {

    /** Without ECS: {@code ecs} pools' runs wait in their queues (servers that start no tasks, tests). */
    public AwsClients(DynamoDbClient dynamoDb, SqsClient sqs, SchedulerClient scheduler) {
        this(dynamoDb, sqs, scheduler, null, null);
    }

    /** With ECS and CloudWatch Logs clients already built (tests, benchmarks). */
    public static AwsClients withEcs(DynamoDbClient dynamoDb, SqsClient sqs, SchedulerClient scheduler, EcsClient ecs,
                                     CloudWatchLogsClient logs) {
        return new AwsClients(dynamoDb, sqs, scheduler, Lazy.built(ecs), Lazy.built(logs));
    }

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
        EcsClientBuilder ecs = EcsClient.builder().region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        CloudWatchLogsClientBuilder logs = CloudWatchLogsClient.builder().region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (config.endpoint() != null) {
            ecs.endpointOverride(config.endpoint());
            logs.endpointOverride(config.endpoint());
            dynamoDb.endpointOverride(config.endpoint());
            sqs.endpointOverride(config.endpoint());
            scheduler.endpointOverride(config.endpoint());
        }
        // ECS and Logs are built on first use: only the ECS functions call them on every invocation.
        return new AwsClients(dynamoDb.build(), sqs.build(), scheduler.build(), Lazy.of(ecs::build), Lazy.of(logs::build));
    }

    @Override
    public void close() {
        dynamoDb.close();
        sqs.close();
        scheduler.close();
        try {
            if (ecs != null) ecs.close();
            if (logs != null) logs.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the ECS and CloudWatch Logs clients failed", e);
        }
    }
}
