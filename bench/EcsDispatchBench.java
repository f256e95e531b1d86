import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.Json;
import dev.ferry.core.ecs.EcsDispatcher;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.aws.Aws;
import dev.ferry.aws.AwsClients;
import dev.ferry.aws.Config;
import dev.ferry.aws.dynamodb.DynamoDbStore;
import dev.ferry.aws.scheduler.EventBridgeTimer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
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
 *   mvn -q -B -pl functions -am package -DskipTests
 *   java -cp functions/target/ferry-functions.jar bench/EcsDispatchBench.java [runs=200]
 * </pre>
 *
 * Needs python3 with moto[server] 5.2.1. Each run is created through the API, then one
 * {@code EcsDispatcher.dispatch(pool, 1, 0)} claims and starts it (what EcsDispatchFunction does
 * per run); only that call is measured.
 */
public class EcsDispatchBench {
    private static final Pattern RUNNING = Pattern.compile("Running on (http://127\\.0\\.0\\.1:\\d+)");
    private static final String KEY = "ferry_bench-admin-key";

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Process moto = new ProcessBuilder("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", "0")
                .redirectErrorStream(true).start();
        try {
            URI endpoint = endpoint(moto);
            Meter meter = new Meter();
            Region region = Region.US_EAST_1;
            StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench"));
            DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(creds)
                    .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
            SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(creds)
                    .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
            EcsClient ecs = EcsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(creds)
                    .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
            CloudWatchLogsClient logs = CloudWatchLogsClient.builder().endpointOverride(endpoint).region(region)
                    .credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build();
            DynamoDbStore.createTable(ddb, "ferry-bench");
            ecs.createCluster(b -> b.clusterName("bench"));
            post(endpoint, "/moto-api/state-manager/set-transition",
                    "{\"model_name\":\"ecs::task\",\"transition\":{\"progression\":\"manual\",\"times\":1000}}", null);
            Matcher subnet = Pattern.compile("<subnetId>(subnet-[0-9a-f]+)</subnetId>")
                    .matcher(post(endpoint, "/", "Action=DescribeSubnets&Version=2016-11-15", "ec2"));
            if (!subnet.find()) throw new IllegalStateException("no default subnet in moto");

            // schedules are not used here: the scheduler client and settings only complete the wiring
            SchedulerClient scheduler = SchedulerClient.builder().endpointOverride(endpoint).region(region)
                    .credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build();
            Config config = new Config("ferry-bench", "ferry-bench-", region.id(), endpoint, ApiKeyService.hash(KEY),
                    Config.DEFAULT_RUN_LOG_RETENTION, new EventBridgeTimer.Settings("ferry-bench",
                    "arn:aws:lambda:us-east-1:123456789012:function:ferry-schedule", "arn:aws:iam::123456789012:role/ferry-scheduler",
                    "arn:aws:sqs:us-east-1:123456789012:ferry-schedule-dlq"), "https://api.bench.example");
            Aws.Wiring wiring = Aws.wire(AwsClients.withEcs(ddb, sqs, scheduler, ecs, logs), config, Clock.SYSTEM, Ids.RANDOM);
            Router router = new Router(wiring.ferry(), Clock.SYSTEM, wiring.auth());
            EcsDispatcher dispatcher = wiring.ferry().ecs().dispatcher();
            call(router, "POST", "/api/work_pools", "{\"name\": \"ecs-bench\", \"type\": \"ecs\"}");
            String deployment = call(router, "POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", "
                    + "\"entrypoint\": \"flows/f.py:f\", \"work_pool_name\": \"ecs-bench\", \"job_variables\": {\"cluster\": \"bench\", "
                    + "\"image\": \"ghcr.io/acme/flows:1\", \"subnets\": [\"" + subnet.group(1) + "\"], "
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
        } finally {
            moto.destroy();
        }
    }

    static com.fasterxml.jackson.databind.JsonNode call(Router router, String method, String path, String body) {
        ApiResponse r = router.handle(new ApiRequest(method, path, Map.of(),
                Map.of("authorization", "Bearer " + KEY, "content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8)));
        String text = new String(r.body(), StandardCharsets.UTF_8);
        if (r.status() >= 300) throw new IllegalStateException(method + " " + path + " -> " + r.status() + " " + text);
        return Json.tree(text);
    }

    static String post(URI endpoint, String path, String body, String service) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", service == null ? "application/json" : "application/x-www-form-urlencoded");
        if (service != null) {
            b.header("Authorization", "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/" + service
                    + "/aws4_request, SignedHeaders=host, Signature=0");
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static URI endpoint(Process moto) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(moto.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = RUNNING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "moto-output");
                drain.setDaemon(true);
                drain.start();
                return URI.create(m.group(1));
            }
        }
        throw new IllegalStateException("moto server did not start (python3 -m moto.server; moto[server] 5.2.1 needed)");
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
