package dev.ferry.bench;

import dev.ferry.aws.Aws;
import dev.ferry.aws.AwsClients;
import dev.ferry.aws.Config;
import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.ecs.EcsDispatcher;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * ECS dispatch: Ferry's own time per dispatched run (handler time minus time inside SDK calls)
 * and the AWS requests each run costs, over the production wiring ({@code Aws.wire}) on moto.
 *
 * <pre>
 *   mvn -q -B -pl bench -am package -DskipTests
 *   java -cp "bench/target/classes:$(cat bench/target/classpath)" dev.ferry.bench.EcsDispatchBench [runs=200]
 * </pre>
 *
 * Needs python3; moto runs as the adapter tests run it ({@link Emulator}: moto[server] 5.2.1, put in
 * a cached virtualenv when the machine's python3 lacks it). Each run is created through the API, then one
 * {@code EcsDispatcher.dispatch(pool, 1, 0)} claims and starts it (what EcsDispatchFunction does
 * per run); only that call is measured.
 */
public class EcsDispatchBench {
    private static final String KEY = "ferry_bench-admin-key";

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        // moto stops with this JVM (Emulator's shutdown hook)
        URI endpoint = Emulator.endpoint();
        Meter meter = new Meter();
        Region region = Emulator.REGION;
        StaticCredentialsProvider creds = Emulator.credentials();
        DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(creds)
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
        SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(creds)
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
        EcsClient ecs = EcsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(creds)
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
        CloudWatchLogsClient logs = CloudWatchLogsClient.builder().endpointOverride(endpoint).region(region)
                .credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build();
        Tables.create(ddb, "ferry-bench");
        ecs.createCluster(b -> b.clusterName("bench"));
        Emulator.pinEcsTasks();
        String subnet = Emulator.defaultSubnets().get(0);

        // schedules are not used here: the scheduler client and settings only complete the wiring
        SchedulerClient scheduler = SchedulerClient.builder().endpointOverride(endpoint).region(region)
                .credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build();
        Config config = new Config("ferry-bench", "ferry-bench-", region.id(), endpoint, ApiKeyService.hash(KEY),
                Config.DEFAULT_RUN_LOG_RETENTION, Emulator.scheduling("ferry-bench"), "https://api.bench.example");
        Aws.Wiring wiring = Aws.wire(AwsClients.withEcs(ddb, sqs, scheduler, ecs, logs), config, Clock.SYSTEM, Ids.RANDOM);
        Router router = new Router(wiring.ferry(), Clock.SYSTEM, wiring.auth());
        EcsDispatcher dispatcher = wiring.ferry().ecs().dispatcher();
        call(router, "POST", "/api/work_pools", "{\"name\": \"ecs-bench\", \"type\": \"ecs\"}");
        String deployment = call(router, "POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", "
                + "\"entrypoint\": \"flows/f.py:f\", \"work_pool_name\": \"ecs-bench\", \"job_variables\": {\"cluster\": \"bench\", "
                + "\"image\": \"ghcr.io/acme/flows:1\", \"subnets\": [\"" + subnet + "\"], "
                + "\"security_groups\": [\"sg-0123456789abcdef0\"]}}").path("id").asText();

        System.out.printf("ECS dispatch bench: %d runs, %d cores, Java %s, moto at %s%n", runs,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), endpoint);
        List<Long> own = new ArrayList<>();
        List<Long> whole = new ArrayList<>();
        Map<String, Integer> ops = new TreeMap<>();
        Map<String, Integer> firstOps = new TreeMap<>();
        int requests = 0;
        int warmup = Math.max(1, runs / 10);
        for (int i = 0; i < runs + warmup; i++) {
            call(router, "POST", "/api/deployments/" + deployment + "/create_flow_run", "{}");
            meter.reset();
            long t0 = System.nanoTime();
            List<EcsDispatcher.Dispatched> out = dispatcher.dispatch("ecs-bench", 1, 0);
            long t = System.nanoTime() - t0;
            if (out.size() != 1 || out.get(0).kind() != EcsDispatcher.Kind.STARTED) {
                throw new IllegalStateException("run " + i + " was not started: " + out);
            }
            if (i == 0) meter.ops.forEach(op -> firstOps.merge(op, 1, Integer::sum));
            if (i < warmup) continue;
            own.add(t - meter.nanos.get());
            whole.add(t);
            requests += meter.ops.size();
            meter.ops.forEach(op -> ops.merge(op, 1, Integer::sum));
        }
        System.out.printf("first run (registers the task definition): %s%n", firstOps);
        System.out.printf("Ferry's own time per dispatched run: p50 %.2f ms, p99 %.2f ms, mean %.2f ms (%d runs after %d warm-up)%n",
                pct(own, 50), pct(own, 99), mean(own), own.size(), warmup);
        System.out.printf("whole dispatch per run (mostly moto): p50 %.1f ms, p99 %.1f ms%n", pct(whole, 50), pct(whole, 99));
        System.out.printf("AWS requests per dispatched run: %.2f%n", requests / (double) own.size());
        ops.forEach((op, n) -> System.out.printf("  %-40s %6.2f per run (%d)%n", op, n / (double) own.size(), n));
    }

    static com.fasterxml.jackson.databind.JsonNode call(Router router, String method, String path, String body) {
        ApiResponse r = router.handle(new ApiRequest(method, path, Map.of(),
                Map.of("authorization", "Bearer " + KEY, "content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8)));
        String text = new String(r.body(), StandardCharsets.UTF_8);
        if (r.status() >= 300) throw new IllegalStateException(method + " " + path + " -> " + r.status() + " " + text);
        return Json.tree(text);
    }

    static double pct(List<Long> nanos, double p) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, i))) / 1e6;
    }

    static double mean(List<Long> nanos) {
        return nanos.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
    }

    /** Counts SDK calls and the time inside them. */
    public static final class Meter implements ExecutionInterceptor {
        private static final ExecutionAttribute<Long> START = new ExecutionAttribute<>("bench.start");
        final AtomicLong nanos = new AtomicLong();
        final List<String> ops = Collections.synchronizedList(new ArrayList<>());

        void reset() {
            nanos.set(0);
            ops.clear();
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            attributes.putAttribute(START, System.nanoTime());
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            done(attributes, "");
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            done(attributes, "(failed)");
        }

        private void done(ExecutionAttributes attributes, String suffix) {
            Long start = attributes.getAttribute(START);
            if (start != null) nanos.addAndGet(System.nanoTime() - start);
            ops.add(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                    + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + suffix);
        }
    }
}
