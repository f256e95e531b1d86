package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tutorial against {@code ferry server start --aws}: the packaged jar serving the API through
 * ApiFunction, with DynamoDB and SQS on the emulator, and a real {@code ferry worker} running a
 * real Python flow. Without {@code --api-key} the loopback server is open until the first key
 * is stored, as the embedded one is.
 */
@ExtendWith(Emulator.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AwsServerIT {
    private static final String POOL = "my-process-pool";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path project;

    private final List<Process> started = new ArrayList<>();
    private URI api;
    private Path serverLog;
    private String deploymentId;
    private String runId;

    @BeforeAll
    void startServer() throws Exception {
        Emulator.reset();
        Files.createDirectories(project.resolve("flows"));
        Files.writeString(project.resolve("flows/my_flow.py"), """
                def my_flow(name: str = "world"):
                    print(f"Hello {name}!")
                """);
        int port = freePort();
        api = URI.create("http://127.0.0.1:" + port);
        serverLog = project.resolve("server.log");
        Process server = ferry(serverLog, "server", "start", "--aws", "--aws-endpoint", Emulator.endpoint().toString(),
                "--port", String.valueOf(port), "--table", "ferry-it", "--queue-prefix", "ferry-it-");
        await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(server.isAlive()).as("the server exited:\n%s", log(serverLog)).isTrue();
            return log(serverLog).contains("Ferry server listening on " + api);
        });
        assertThat(log(serverLog)).contains("AWS mode: table 'ferry-it', queues 'ferry-it-*' in us-east-1 at " + Emulator.endpoint());
    }

    @AfterAll
    void stopAll() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    @Test
    @Order(1)
    void health_answersThroughTheLambdaHandler() throws Exception {
        HttpResponse<String> response = call("GET", "/api/health", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(Json.tree(response.body()).path("status").asText()).isEqualTo("ok");
    }

    @Test
    @Order(2)
    void createAPool_andDeployAFlow() throws Exception {
        JsonNode pool = ok(call("POST", "/api/work_pools", "{\"name\": \"" + POOL + "\", \"type\": \"process\"}"), 201);
        JsonNode deployment = ok(call("POST", "/api/deployments", "{\"name\": \"my-deployment\", \"flow_name\": \"my-flow\", "
                + "\"entrypoint\": \"flows/my_flow.py:my_flow\", \"work_pool_name\": \"" + POOL + "\", "
                + "\"parameters\": {\"name\": \"world\"}}"), 201);

        assertThat(pool.path("default_queue_name").asText()).isEqualTo("default");
        assertThat(ok(call("GET", "/api/work_pools?limit=10", null), 200).path("items").findValuesAsText("name")).containsExactly(POOL);
        deploymentId = deployment.path("id").asText();
        assertThat(ok(call("GET", "/api/deployments/name/my-flow/my-deployment", null), 200).path("id").asText())
                .isEqualTo(deploymentId);
    }

    @Test
    @Order(3)
    void createARun_itWaitsScheduled() throws Exception {
        JsonNode run = ok(call("POST", "/api/deployments/" + deploymentId + "/create_flow_run",
                "{\"parameters\": {\"name\": \"Marvin\"}}"), 201);

        runId = run.path("id").asText();
        assertThat(run.path("state_type").asText()).isEqualTo("SCHEDULED");
        assertThat(ok(call("GET", "/api/flow_runs?state_type=SCHEDULED&state_type=PENDING", null), 200)
                .path("items").findValuesAsText("id")).containsExactly(runId);
    }

    @Test
    @Order(4)
    void aWorker_claimsTheRun_runsTheFlow_andReportsItCompleted() throws Exception {
        Path workerLog = project.resolve("worker.log");
        Process worker = ferry(workerLog, "worker", "start", "--pool", POOL, "--name", "aws-worker", "--run-once");

        assertThat(worker.waitFor(120, TimeUnit.SECONDS)).as("the worker did not finish:\n%s", log(workerLog)).isTrue();
        assertThat(worker.exitValue()).as(log(workerLog)).isZero();
        JsonNode run = ok(call("GET", "/api/flow_runs/" + runId, null), 200);
        assertThat(run.path("state_type").asText()).as(run.toString()).isEqualTo("COMPLETED");
        assertThat(run.path("worker_name").asText()).isEqualTo("aws-worker");
        assertThat(run.path("state_history").findValuesAsText("type")).containsSubsequence("SCHEDULED", "PENDING", "RUNNING", "COMPLETED");
    }

    @Test
    @Order(5)
    void theRunsLogs_holdWhatTheFlowPrinted() throws Exception {
        JsonNode logs = ok(call("GET", "/api/flow_runs/" + runId + "/logs", null), 200);

        assertThat(logs.path("items").findValuesAsText("message")).contains("Hello Marvin!");
    }

    @Test
    @Order(6)
    void badInput_isA4xxProblem_neverA5xx() throws Exception {
        HttpResponse<String> response = call("POST", "/api/work_pools/" + POOL + "/get_scheduled_flow_runs",
                "{\"worker_name\": \"w\", \"wait_seconds\": 21}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Json.tree(response.body()).path("field").asText()).isEqualTo("wait_seconds");
    }

    @Test
    @Order(7)
    void theFirstStoredKey_closesTheLoopbackServer() throws Exception {
        JsonNode created = ok(call("POST", "/api/api_keys", "{\"name\": \"it-admin\", \"role\": \"ADMIN\"}"), 201);
        String key = created.path("key").asText();

        assertThat(call("GET", "/api/work_pools", null).statusCode()).isEqualTo(401);
        HttpResponse<String> withKey = HTTP.send(HttpRequest.newBuilder(api.resolve("/api/work_pools"))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withKey.statusCode()).as(withKey.body()).isEqualTo(200);
        assertThat(call("GET", "/api/health", null).statusCode()).isEqualTo(200);
    }

    // --- helpers ---

    private HttpResponse<String> call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(40))
                .header("Accept", "application/json");
        if (body != null) request.header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as("%s answered %s\nserver log:\n%s", response.request().uri(), response.body(),
                log(serverLog)).isEqualTo(status);
        return Json.tree(response.body());
    }

    /**
     * The packaged jars, as a user runs them (the server from ferry-server.jar, the worker from the
     * client distribution), with nothing of the developer's own Ferry setup.
     */
    private Process ferry(Path output, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar(args[0].equals("server") ? "target/ferry-server.jar" : "../cli/target/ferry.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("FERRY_") || name.startsWith("AWS_"));
        builder.environment().put("FERRY_API_URL", api.toString());
        builder.environment().put("FERRY_HOME", project.resolve("ferry-home").toString());
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private static Path jar(String path) {
        String basedir = System.getProperty("basedir", "");
        Path jar = (basedir.isEmpty() ? Path.of("") : Path.of(basedir)).toAbsolutePath().resolve(path).normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; this test runs the packaged jars (mvn -pl server -am verify builds them)");
        }
        return jar;
    }

    private static String log(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
