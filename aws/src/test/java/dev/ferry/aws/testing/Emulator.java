package dev.ferry.aws.testing;

import dev.ferry.aws.scheduler.EventBridgeTimer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS emulator the adapter tests run against: moto server (pinned), installed into a
 * cached virtualenv when the machine's Python lacks it, started once per JVM on a free loopback
 * port. {@code -Demulator=localstack} selects LocalStack through Testcontainers instead (needs
 * a Docker engine, and fails loudly without one: never a silent skip).
 *
 * <p>Use as {@code @ExtendWith(Emulator.class)}; call {@link #reset()} before each test.
 */
public final class Emulator implements BeforeAllCallback {
    public static final String MOTO_VERSION = "5.2.1";
    public static final Region REGION = Region.US_EAST_1;
    private static final Pattern RUNNING = Pattern.compile("Running on (http://127\\.0\\.0\\.1:\\d+)");
    private static volatile URI endpoint;
    private static volatile boolean moto;

    @Override
    public void beforeAll(ExtensionContext context) {
        endpoint();
    }

    public static synchronized URI endpoint() {
        if (endpoint == null) {
            if ("localstack".equals(System.getProperty("emulator"))) {
                endpoint = LocalStack.start();
            } else {
                endpoint = startMoto();
                moto = true;
            }
        }
        return endpoint;
    }

    /** Wipes every resource, so each test starts from an empty account. */
    public static void reset() {
        if (!moto) return; // LocalStack tests use unique names instead
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) throw new IllegalStateException("moto reset answered " + r.statusCode());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().endpointOverride(endpoint()).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(noRetries()).build();
    }

    public static DynamoDbStreamsClient dynamoDbStreams() {
        return DynamoDbStreamsClient.builder().endpointOverride(endpoint()).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(noRetries()).build();
    }

    public static SqsClient sqs() {
        return SqsClient.builder().endpointOverride(endpoint()).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(noRetries()).build();
    }

    public static SchedulerClient scheduler() {
        return SchedulerClient.builder().endpointOverride(endpoint()).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(noRetries()).build();
    }

    /** Settings for an {@code EventBridgeTimer} in the emulator's account (the group is made by {@code scheduler()} callers). */
    public static EventBridgeTimer.Settings scheduling(String group) {
        return new EventBridgeTimer.Settings(group, "arn:aws:lambda:us-east-1:123456789012:function:ferry-schedule",
                "arn:aws:iam::123456789012:role/ferry-scheduler", "arn:aws:sqs:us-east-1:123456789012:ferry-schedule-dlq");
    }

    public static EcsClient ecs() {
        return EcsClient.builder().endpointOverride(endpoint()).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(noRetries()).build();
    }

    public static CloudWatchLogsClient logs() {
        return CloudWatchLogsClient.builder().endpointOverride(endpoint()).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(noRetries()).build();
    }

    /**
     * The default VPC's subnet ids (moto's ECS wants subnets that exist in its EC2), read with one
     * EC2 query-protocol request rather than the whole EC2 SDK module.
     */
    public static List<String> defaultSubnets() {
        String body = post("/", "Action=DescribeSubnets&Version=2016-11-15", "application/x-www-form-urlencoded");
        List<String> ids = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("<subnetId>(subnet-[0-9a-f]+)</subnetId>").matcher(body);
        while (m.find()) if (!ids.contains(m.group(1))) ids.add(m.group(1));
        if (ids.isEmpty()) throw new IllegalStateException("moto's EC2 has no default subnets: " + body);
        return ids;
    }

    /** Stops moto from moving ECS tasks a status further at every DescribeTasks (EMULATORS.md). */
    public static void pinEcsTasks() {
        post("/moto-api/state-manager/set-transition",
                "{\"model_name\":\"ecs::task\",\"transition\":{\"progression\":\"manual\",\"times\":1000}}",
                "application/json");
    }

    private static String post(String path, String body, String contentType) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint().resolve(path))
                    .header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (path.equals("/")) {
                // moto routes by the service named in the signature's credential scope
                request.header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/" + REGION.id()
                        + "/ec2/aws4_request, SignedHeaders=host, Signature=0");
            }
            HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) throw new IllegalStateException("moto answered " + r.statusCode() + " to " + path + ": " + r.body());
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Dummy keys: a test can never reach a real account with real credentials. */
    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }

    /** The emulator answers some bad requests with 500; retries would hide that. */
    public static ClientOverrideConfiguration noRetries() {
        return ClientOverrideConfiguration.builder().retryPolicy(RetryPolicy.none()).build();
    }

    private static URI startMoto() {
        String python = motoPython();
        try {
            Process process = new ProcessBuilder(python, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0")
                    .redirectErrorStream(true).start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            StringBuilder seen = new StringBuilder();
            String line;
            while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
                seen.append(line).append('\n');
                Matcher m = RUNNING.matcher(line);
                if (m.find()) {
                    Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "moto-output");
                    drain.setDaemon(true);
                    drain.start();
                    return URI.create(m.group(1));
                }
            }
            process.destroyForcibly();
            throw new IllegalStateException("moto server did not start; it said:\n" + seen);
        } catch (IOException e) {
            throw new UncheckedIOException("can't start moto server with " + python, e);
        }
    }

    /** The machine's python3 when it has moto at the pinned version, else a cached virtualenv with it. */
    private static String motoPython() {
        if (hasMoto("python3")) return "python3";
        Path venv = Path.of(System.getProperty("user.home"), ".cache", "ferry", "moto-" + MOTO_VERSION);
        String python = venv.resolve("bin/python").toString();
        if (Files.exists(venv.resolve("bin/python")) && hasMoto(python)) return python;
        run(List.of("python3", "-m", "venv", "--clear", venv.toString()));
        run(List.of(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "moto[server]==" + MOTO_VERSION));
        if (!hasMoto(python)) throw new IllegalStateException("installed moto " + MOTO_VERSION + " but can't import it");
        return python;
    }

    private static boolean hasMoto(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c",
                    "import moto, flask, sys; sys.exit(0 if moto.__version__ == '" + MOTO_VERSION + "' else 1)")
                    .redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
