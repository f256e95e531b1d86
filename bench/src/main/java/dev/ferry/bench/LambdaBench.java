package dev.ferry.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.aws.Aws;
import dev.ferry.aws.AwsClients;
import dev.ferry.aws.Config;
import dev.ferry.aws.dynamodb.Tables;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.functions.ApiFunction;
import dev.ferry.functions.LocalContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Cold-start and warm figures for the Lambda {@code ApiFunction}, against moto server on loopback.
 *
 * <pre>
 *   mvn -q -B -pl bench -am package -DskipTests
 *   java -cp "bench/target/classes:$(cat bench/target/classpath)" dev.ferry.bench.LambdaBench [warm=2000] [cold=5]
 * </pre>
 *
 * Run from the repository root: it reads events/, and the cold-start children run on
 * functions/target/ferry-functions.jar, the jar Lambda runs. Needs python3; moto runs as the
 * adapter tests run it ({@link Emulator}: moto[server] 5.2.1, put in a cached virtualenv when the
 * machine's python3 lacks it). Prints:
 * <ol>
 *   <li>cold start: a fresh JVM per sample (Lambda's default flags for java17/21: C1 only, serial
 *       GC) wires {@code new ApiFunction()} from its environment, as Lambda does, and answers one
 *       create_flow_run event; the same for {@code RawSdkHandler}, which makes the same SDK calls by
 *       hand. Medians of both and their ratio.</li>
 *   <li>warm: N create_flow_run invocations in this JVM; handler time minus the time inside SDK
 *       calls (an {@link ExecutionInterceptor} on both clients), p50/p99.</li>
 *   <li>AWS requests per API operation (create run, claim, RUNNING, COMPLETED).</li>
 * </ol>
 */
public class LambdaBench {
    static final String KEY = "ferry_sample-admin-key-for-local-invokes";
    static final String TABLE = "ferry-bench";
    static final String PREFIX = "ferry-bench-";
    // not Emulator.REGION: the cold-start children load this class without the test jar
    static final Region REGION = Region.US_EAST_1;
    /** Lambda's java17/java21 runtimes stop tiered compilation at C1 and use the serial GC. */
    static final List<String> LAMBDA_JVM_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");
    static Cleaner cleaner;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Path.of(args[2]));
            return;
        }
        int warmRuns = 2000;
        int coldSamples = 5;
        for (String a : args) {
            if (a.startsWith("warm=")) warmRuns = Integer.parseInt(a.substring(5));
            if (a.startsWith("cold=")) coldSamples = Integer.parseInt(a.substring(5));
        }
        // the deployed jar, not this JVM's classpath: its size is a figure and the children must load classes as Lambda does
        Path jar = Path.of("functions/target/ferry-functions.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException(jar + " is missing: build with -pl bench -am, from the repository root");
        // moto stops with this JVM (Emulator's shutdown hook)
        URI endpoint = Emulator.endpoint();
        System.out.printf("Ferry Lambda benchmark: %d cores, Java %s, moto %s, jar %s (%.2f MB = %.2f MiB; target <= 15 MB)%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), endpoint,
                jar.getFileName(), Files.size(jar) / 1e6, Files.size(jar) / 1048576.0);
        Meter meter = new Meter();
        DynamoDbClient dynamoDb = DynamoDbClient.builder().region(REGION).endpointOverride(endpoint)
                .credentialsProvider(Emulator.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
        SqsClient sqs = SqsClient.builder().region(REGION).endpointOverride(endpoint)
                .credentialsProvider(Emulator.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
        Tables.create(dynamoDb, TABLE);
        Map<String, String> env = env(endpoint);
        Config config = Config.from(env);
        cleaner = new Cleaner(dynamoDb);
        SchedulerClient scheduler = SchedulerClient.builder().region(REGION).endpointOverride(endpoint)
                .credentialsProvider(Emulator.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
        Aws.Wiring wiring = Aws.wire(new AwsClients(dynamoDb, sqs, scheduler), config, Clock.SYSTEM, Ids.RANDOM);
        ApiFunction api = new ApiFunction(wiring.ferry(), Clock.SYSTEM, wiring.auth());

        String poolId = call(api, event(read("events/api-create-work-pool.json")), 201).path("id").asText();
        String queueName = sqs.listQueues(b -> b.queueNamePrefix(PREFIX)).queueUrls().stream()
                .map(u -> u.substring(u.lastIndexOf('/') + 1)).filter(q -> !q.endsWith("-dlq")).findFirst().orElseThrow();
        env.put("RAW_POOL_NAME", "my-process-pool");
        env.put("RAW_POOL_ID", poolId);
        env.put("RAW_QUEUE_NAME", queueName);
        String deployment = call(api, event(read("events/api-create-deployment.json")), 201).path("id").asText();
        String createTemplate = read("events/api-create-flow-run.json")
                .replace("0f6e8c1a-4b7d-4c2e-9a51-6d3b2f8e7c10", deployment);

        // what one create_flow_run asks of AWS (the first one of a container also looks up the queue URL)
        for (int i = 0; i < 2; i++) {
            meter.reset();
            call(api, event(withKey(createTemplate, "probe-" + i)), 201);
            System.out.printf("create_flow_run #%d in this JVM: %d SDK calls: %s%n", i + 1, meter.calls.get(), meter.ops());
        }

        cleaner.keepWhatIsThere();
        cold(jar, env, createTemplate, coldSamples);
        cleaner.clean();
        warm(api, meter, createTemplate, warmRuns);
        cleaner.clean();
        perOperation(api, meter);
    }

    // ------------------------------------------------------------------ cold start

    private static void cold(Path jar, Map<String, String> env, String createTemplate, int samples) throws Exception {
        if (samples <= 0) return;
        Path classes = Files.createTempDirectory("ferry-lambda-bench");
        // the SDK loads global interceptors named here: counts the children's AWS calls without touching their wiring
        // (a file only the children see, so this JVM's clients carry just their own Meter)
        Path interceptors = classes.resolve("software/amazon/awssdk/global/handlers/execution.interceptors");
        Files.createDirectories(interceptors.getParent());
        Files.writeString(interceptors, Meter.class.getName() + "\n");
        // the bench's own classes and nothing else beside the Lambda jar
        Path bench = Path.of(LambdaBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, String> childCalls = new LinkedHashMap<>();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = jar + java.io.File.pathSeparator + bench + java.io.File.pathSeparator + classes;
        Map<String, List<Long>> inJvm = new LinkedHashMap<>();
        Map<String, List<Long>> fromLaunch = new LinkedHashMap<>();
        inJvm.put("ferry", new ArrayList<>());
        inJvm.put("raw", new ArrayList<>());
        fromLaunch.put("ferry", new ArrayList<>());
        fromLaunch.put("raw", new ArrayList<>());
        int n = 0;
        // one unmeasured launch of each first: the page cache holds the jar afterwards, as on a warm Lambda host
        for (int i = -1; i < samples; i++) {
            for (String kind : List.of("ferry", "raw")) {
                Path event = classes.resolve("event-" + (n++) + ".json");
                Files.writeString(event, withKey(createTemplate, "cold-" + kind + "-" + n));
                List<String> command = new ArrayList<>(List.of(javaBin));
                command.addAll(LAMBDA_JVM_FLAGS);
                command.addAll(List.of("-cp", cp, LambdaBench.class.getName(), "--child", kind, event.toString()));
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
                Map<String, String> childEnv = pb.environment();
                childEnv.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("FERRY_") || k.equals("JAVA_TOOL_OPTIONS"));
                childEnv.putAll(env);
                childEnv.put("AWS_ACCESS_KEY_ID", "testing");
                childEnv.put("AWS_SECRET_ACCESS_KEY", "testing");
                long launched = System.nanoTime();
                Process p = pb.start();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                String answer = null;
                long answered = 0;
                StringBuilder seen = new StringBuilder();
                while ((line = out.readLine()) != null) {
                    seen.append(line).append('\n');
                    if (line.startsWith("COLD ") && answer == null) {
                        answered = System.nanoTime();
                        answer = line;
                    }
                }
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || answer == null) {
                    throw new IllegalStateException(kind + " child failed:\n" + seen);
                }
                // COLD <ms since JVM start> <status>
                String[] parts = answer.split(" ");
                if (!parts[2].equals("201")) throw new IllegalStateException(kind + " child answered " + answer + "\n" + seen);
                childCalls.putIfAbsent(kind, parts.length > 4 ? parts[3] + " SDK calls: " + parts[4] : "?");
                if (i >= 0) {
                    inJvm.get(kind).add(Long.parseLong(parts[1]));
                    fromLaunch.get(kind).add(TimeUnit.NANOSECONDS.toMillis(answered - launched));
                }
            }
        }
        long ferry = median(inJvm.get("ferry"));
        long raw = median(inJvm.get("raw"));
        long ferryL = median(fromLaunch.get("ferry"));
        long rawL = median(fromLaunch.get("raw"));
        System.out.printf("%ncold start, fresh JVM (%s) to the first create_flow_run answer, %d samples each:%n",
                String.join(" ", LAMBDA_JVM_FLAGS), samples);
        System.out.printf("  ApiFunction (new ApiFunction(), wired from env, primed): since JVM start median %d ms %s; from launch median %d ms %s%n",
                ferry, sorted(inJvm.get("ferry")), ferryL, sorted(fromLaunch.get("ferry")));
        System.out.printf("  RawSdkHandler (same SDK calls by hand):                since JVM start median %d ms %s; from launch median %d ms %s%n",
                raw, sorted(inJvm.get("raw")), rawL, sorted(fromLaunch.get("raw")));
        childCalls.forEach((k, v) -> System.out.printf("  %s child made %s%n", k, v));
        System.out.printf("  ratio ApiFunction / raw: %.2f since JVM start, %.2f from launch (target <= 1.25)%n",
                (double) ferry / raw, (double) ferryL / rawL);
    }

    /**
     * A fresh JVM: builds the handler from the environment (as Lambda's runtime would: the no-arg
     * constructor), hands it the event, prints the time since the JVM started, and exits.
     */
    @SuppressWarnings("unchecked")
    private static void child(String kind, Path eventFile) throws Exception {
        APIGatewayV2HTTPEvent event = event(Files.readString(eventFile));
        RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler = kind.equals("ferry")
                ? new ApiFunction()
                : (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) Class.forName("dev.ferry.bench.RawSdkHandler")
                        .getDeclaredConstructor().newInstance();
        APIGatewayV2HTTPResponse response = handler.handleRequest(event, new LocalContext("ApiFunction", Duration.ofSeconds(29)));
        long now = System.currentTimeMillis();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("COLD " + (now - jvmStart) + " " + response.getStatusCode() + " "
                + Meter.ALL_CALLS.get() + " " + String.join(",", Meter.ALL_OPS));
        if (response.getStatusCode() != 201) System.out.println(response.getBody());
        System.out.flush();
        System.exit(0);
    }

    // ------------------------------------------------------------------ warm

    private static void warm(ApiFunction api, Meter meter, String createTemplate, int runs) {
        for (int i = 0; i < 1000; i++) {
            if (i % 100 == 0) cleaner.clean();
            call(api, event(withKey(createTemplate, "warmup-" + i)), 201);
        }
        long[] handler = new long[runs];
        long[] aws = new long[runs];
        long[] own = new long[runs];
        int calls = 0;
        long start = System.nanoTime();
        long cleaning = 0;
        for (int i = 0; i < runs; i++) {
            if (i % 100 == 0) {
                long c = System.nanoTime();
                cleaner.clean();
                cleaning += System.nanoTime() - c;
            }
            APIGatewayV2HTTPEvent event = event(withKey(createTemplate, "warm-" + i));
            meter.reset();
            long t = System.nanoTime();
            APIGatewayV2HTTPResponse response = api.handleRequest(event, null);
            handler[i] = System.nanoTime() - t;
            aws[i] = meter.nanos.get();
            own[i] = handler[i] - aws[i];
            calls += meter.calls.get();
            if (response.getStatusCode() != 201) throw new IllegalStateException("create_flow_run answered " + response.getBody());
        }
        double seconds = (System.nanoTime() - start - cleaning) / 1e9;
        System.out.printf("%nwarm create_flow_run, in-process, %d invocations after 1,000 warm-up (%.0f/s, one thread), %.1f SDK calls each:%n",
                runs, runs / seconds, (double) calls / runs);
        System.out.printf("  handler total      p50 %6.2f ms  p99 %6.2f ms%n", pct(handler, 50), pct(handler, 99));
        System.out.printf("  inside SDK calls   p50 %6.2f ms  p99 %6.2f ms%n", pct(aws, 50), pct(aws, 99));
        System.out.printf("  Ferry's own (non-AWS) part  p50 %6.3f ms  p99 %6.3f ms  mean %.3f ms (target p50 <= 2 ms)%n",
                pct(own, 50), pct(own, 99), mean(own));
    }

    // ------------------------------------------------------------------ requests per operation

    private static void perOperation(ApiFunction api, Meter meter) {
        call(api, api("POST", "/api/work_pools", "{\"name\": \"ops\", \"type\": \"process\"}"), 201);
        String deployment = call(api, api("POST", "/api/deployments", "{\"name\": \"ops\", \"flow_name\": \"ops\", "
                + "\"entrypoint\": \"flows/f.py:f\", \"work_pool_name\": \"ops\"}"), 201).path("id").asText();
        int cycles = 50;
        Map<String, List<Integer>> counts = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> kinds = new LinkedHashMap<>();
        for (int i = 0; i < cycles; i++) {
            meter.reset();
            String run = call(api, api("POST", "/api/deployments/" + deployment + "/create_flow_run",
                    "{\"idempotency_key\": \"ops-" + i + "\"}"), 201).path("id").asText();
            note(counts, kinds, "create_flow_run (with idempotency key)", meter);
            meter.reset();
            JsonNode claimed = call(api, api("POST", "/api/work_pools/ops/get_scheduled_flow_runs",
                    "{\"worker_name\": \"w\", \"limit\": 1}"), 200);
            note(counts, kinds, "claim: get_scheduled_flow_runs limit 1", meter);
            if (!claimed.path("items").findValuesAsText("id").contains(run)) {
                throw new IllegalStateException("claimed something else: " + claimed);
            }
            meter.reset();
            call(api, api("POST", "/api/flow_runs/" + run + "/set_state", "{\"state\": {\"type\": \"RUNNING\"}}"), 200);
            note(counts, kinds, "set_state RUNNING", meter);
            meter.reset();
            call(api, api("POST", "/api/flow_runs/" + run + "/set_state", "{\"state\": {\"type\": \"COMPLETED\"}}"), 200);
            note(counts, kinds, "set_state COMPLETED", meter);
        }
        System.out.printf("%nAWS requests per API operation (%d create -> claim -> RUNNING -> COMPLETED cycles, one worker):%n", cycles);
        System.out.println("| operation | requests: mean (min-max) | which (total over all cycles) |");
        System.out.println("|---|---|---|");
        counts.forEach((op, list) -> System.out.printf("| %s | %.2f (%d-%d) | %s |%n", op,
                list.stream().mapToInt(Integer::intValue).average().orElse(0),
                Collections.min(list), Collections.max(list), kinds.get(op)));
    }

    private static void note(Map<String, List<Integer>> counts, Map<String, Map<String, Integer>> kinds, String op, Meter meter) {
        counts.computeIfAbsent(op, k -> new ArrayList<>()).add(meter.calls.get());
        Map<String, Integer> k = kinds.computeIfAbsent(op, x -> new TreeMap<>());
        for (String name : meter.ops()) k.merge(name, 1, Integer::sum);
    }

    // ------------------------------------------------------------------ the SDK meter

    /** Counts SDK calls and the time spent in them (marshalling, signing, HTTP round trip, unmarshalling, retries). */
    public static final class Meter implements ExecutionInterceptor {
        /** Every instance's calls together: a cold-start child's clients each load their own global interceptor. */
        static final AtomicInteger ALL_CALLS = new AtomicInteger();
        static final List<String> ALL_OPS = Collections.synchronizedList(new ArrayList<>());
        private static final ExecutionAttribute<Long> START = new ExecutionAttribute<>("bench.start");
        final AtomicLong nanos = new AtomicLong();
        final AtomicInteger calls = new AtomicInteger();
        private final List<String> ops = Collections.synchronizedList(new ArrayList<>());


        void reset() {
            nanos.set(0);
            calls.set(0);
            ops.clear();
        }

        List<String> ops() {
            synchronized (ops) {
                return new ArrayList<>(ops);
            }
        }

        @Override
        public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
                                    ExecutionAttributes attributes) {
            attributes.putAttribute(START, System.nanoTime());
        }

        @Override
        public void afterExecution(software.amazon.awssdk.core.interceptor.Context.AfterExecution context,
                                   ExecutionAttributes attributes) {
            done(attributes, "");
        }

        @Override
        public void onExecutionFailure(software.amazon.awssdk.core.interceptor.Context.FailedExecution context,
                                       ExecutionAttributes attributes) {
            done(attributes, "(failed)");
        }

        private void done(ExecutionAttributes attributes, String suffix) {
            Long start = attributes.getAttribute(START);
            if (start != null) nanos.addAndGet(System.nanoTime() - start);
            calls.incrementAndGet();
            ALL_CALLS.incrementAndGet();
            ALL_OPS.add(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                    + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + suffix);
            ops.add(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                    + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + suffix);
        }
    }

    // ------------------------------------------------------------------ keeping moto's table small

    /**
     * moto's TransactWriteItems deep-copies the table (to roll back), so its time grows with the
     * table: what the benchmark created is deleted between batches, outside the timed region.
     */
    static final class Cleaner {
        private final DynamoDbClient client;
        private final java.util.Set<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> keep = new java.util.HashSet<>();

        Cleaner(DynamoDbClient client) {
            this.client = client;
        }

        void keepWhatIsThere() {
            keep.clear();
            keep.addAll(keys());
        }

        void clean() {
            List<software.amazon.awssdk.services.dynamodb.model.WriteRequest> deletes = new ArrayList<>();
            for (var key : keys()) {
                if (!keep.contains(key)) deletes.add(software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder()
                        .deleteRequest(d -> d.key(key)).build());
            }
            for (int i = 0; i < deletes.size(); i += 25) {
                List<software.amazon.awssdk.services.dynamodb.model.WriteRequest> chunk = deletes.subList(i, Math.min(deletes.size(), i + 25));
                client.batchWriteItem(b -> b.requestItems(Map.of(TABLE, chunk)));
            }
        }

        private List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> keys() {
            List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> keys = new ArrayList<>();
            client.scanPaginator(b -> b.tableName(TABLE).projectionExpression("pk, sk")).items()
                    .forEach(item -> keys.add(Map.of("pk", item.get("pk"), "sk", item.get("sk"))));
            return keys;
        }
    }

    // ------------------------------------------------------------------ helpers

    static Map<String, String> env(URI endpoint) {
        Map<String, String> env = new HashMap<>();
        env.put(Config.TABLE_NAME, TABLE);
        env.put(Config.QUEUE_PREFIX, PREFIX);
        env.put(Config.REGION, REGION.id());
        env.put(Config.ENDPOINT, endpoint.toString());
        env.put(Config.ADMIN_KEY_HASH, ApiKeyService.hash(KEY));
        // No schedule is armed by the benchmark: the scheduling settings only have to be well formed.
        env.put(Config.SCHEDULE_GROUP, "ferry-bench");
        env.put(Config.SCHEDULE_TARGET_ARN, "arn:aws:lambda:us-east-1:123456789012:function:ferry-bench-schedule:live");
        env.put(Config.SCHEDULER_ROLE_ARN, "arn:aws:iam::123456789012:role/ferry-bench-scheduler");
        env.put(Config.SCHEDULE_DLQ_ARN, "arn:aws:sqs:us-east-1:123456789012:ferry-bench-schedule-dlq");
        return env;
    }

    /** An API Gateway HTTP API (2.0) event from its JSON, with the fields ApiFunction reads. */
    static APIGatewayV2HTTPEvent event(String json) {
        JsonNode e = Json.tree(json);
        Map<String, String> headers = new HashMap<>();
        e.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        JsonNode http = e.path("requestContext").path("http");
        return APIGatewayV2HTTPEvent.builder().withVersion(e.path("version").asText()).withRouteKey(e.path("routeKey").asText())
                .withRawPath(e.path("rawPath").asText()).withRawQueryString(e.path("rawQueryString").asText(""))
                .withHeaders(headers).withBody(e.path("body").isNull() ? null : e.path("body").asText(null))
                .withIsBase64Encoded(e.path("isBase64Encoded").asBoolean(false))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withStage(e.path("requestContext").path("stage").asText("$default"))
                        .withRequestId(e.path("requestContext").path("requestId").asText())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(http.path("method").asText())
                                .withPath(http.path("path").asText()).build())
                        .build())
                .build();
    }

    static APIGatewayV2HTTPEvent api(String method, String path, String body) {
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path).withRawQueryString("")
                .withHeaders(Map.of("authorization", "Bearer " + KEY, "content-type", "application/json"))
                .withBody(body).withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build())
                .build();
    }

    /** The create_flow_run event with its body's idempotency key replaced (every run is a new run). */
    static String withKey(String template, String key) {
        ObjectNode e = (ObjectNode) Json.tree(template);
        ObjectNode body = (ObjectNode) Json.tree(e.path("body").asText());
        body.put("idempotency_key", key);
        e.put("body", body.toString());
        return e.toString();
    }

    static JsonNode call(ApiFunction api, APIGatewayV2HTTPEvent event, int status) {
        APIGatewayV2HTTPResponse r = api.handleRequest(event, null);
        if (r.getStatusCode() != status) {
            throw new IllegalStateException(event.getRawPath() + " answered " + r.getStatusCode() + ": " + r.getBody());
        }
        return r.getBody() == null || r.getBody().isEmpty() ? Json.MAPPER.nullNode() : Json.tree(r.getBody());
    }

    static String read(String file) throws Exception {
        return Files.readString(Path.of(file));
    }

    static long median(List<Long> values) {
        List<Long> s = sorted(values);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static List<Long> sorted(List<Long> values) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return s;
    }

    static double pct(long[] nanos, double p) {
        long[] s = nanos.clone();
        java.util.Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
    }

    static double mean(long[] nanos) {
        return java.util.Arrays.stream(nanos).average().orElse(0) / 1e6;
    }
}
