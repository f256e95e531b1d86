package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crashes and races with real processes: kill -9 of the server and of a worker, workers racing. */
class FaultsE2ETest {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @Test
    void serverKilledUnderLoad_keepsEveryAcknowledgedRun_andDuplicatesNone(@TempDir Path project) throws Exception {
        int port = FerryJar.freePort();
        String url = "http://127.0.0.1:" + port;
        String[] serverArgs = {"server", "start", "--port", String.valueOf(port), "--data", project.resolve("data").toString()};
        try (FerryJar ferry = new FerryJar(project, Map.of("FERRY_API_URL", url))) {
            FerryJar.Background server = startServer(ferry, serverArgs);
            ferry.ok("work-pool", "create", "p", "--type", "process");
            Files.writeString(project.resolve("f.py"), "def f():\n    pass\n");
            ferry.ok("deploy", "f.py:f", "-n", "d", "-p", "p");
            String deploymentId = Json.tree(ferry.ok("deployment", "inspect", "f/d")).path("id").asText();

            // Clients create runs with idempotency keys until the server dies under them.
            HttpClient http = HttpClient.newHttpClient();
            Map<String, String> acknowledged = new ConcurrentHashMap<>(); // key -> run id
            Set<String> attempted = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                futures.add(clients.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String key = "c" + client + "-" + i;
                        attempted.add(key);
                        try {
                            HttpResponse<String> r = http.send(create(url, deploymentId, key), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 201) acknowledged.put(key, Json.tree(r.body()).path("id").asText());
                        } catch (Exception e) {
                            return null; // the server is gone
                        }
                    }
                    return null;
                }));
            }
            await().atMost(30, TimeUnit.SECONDS).until(() -> acknowledged.size() >= 200);
            server.process().destroyForcibly(); // SIGKILL: no shutdown hook, no orderly close
            server.process().waitFor(10, TimeUnit.SECONDS);
            stop.set(true);
            for (Future<?> f : futures) f.get(30, TimeUnit.SECONDS);
            clients.shutdown();

            startServer(ferry, serverArgs);
            // Every acknowledged run survived; retrying every attempted key (the in-flight ones
            // included, as a client that got no answer would) never makes a second run.
            Map<String, String> afterRetry = new HashMap<>();
            for (String key : attempted) {
                HttpResponse<String> r = http.send(create(url, deploymentId, key), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isIn(200, 201);
                afterRetry.put(key, Json.tree(r.body()).path("id").asText());
                if (acknowledged.containsKey(key)) {
                    assertThat(r.statusCode()).as("acknowledged run %s is still there", key).isEqualTo(200);
                    assertThat(afterRetry.get(key)).isEqualTo(acknowledged.get(key));
                }
            }
            Set<String> stored = allRunIds(http, url);
            assertThat(stored).hasSize(attempted.size()).containsAll(afterRetry.values());
        }
    }

    @Test
    void workerKilledMidRun_runIsCrashed_andItsSlotComesBack(@TempDir Path project) throws Exception {
        int port = FerryJar.freePort();
        String url = "http://127.0.0.1:" + port;
        Files.writeString(project.resolve("napper.py"), """
                import time

                def napper(seconds: float = 600):
                    print("napping", flush=True)
                    time.sleep(seconds)
                """);
        try (FerryJar ferry = new FerryJar(project, Map.of("FERRY_API_URL", url))) {
            startServer(ferry, "server", "start", "--port", String.valueOf(port), "--data", project.resolve("data").toString());
            ferry.ok("work-pool", "create", "p", "--type", "process", "--concurrency-limit", "1");
            ferry.ok("deploy", "napper.py:napper", "-n", "d", "-p", "p");
            FerryJar.Background doomed = ferry.start("worker", "start", "--pool", "p", "--name", "doomed");
            String first = runId(ferry.ok("deployment", "run", "napper/d", "-o", "json"));
            await().atMost(60, TimeUnit.SECONDS).until(() -> state(ferry, first).equals("RUNNING"));
            List<ProcessHandle> flowProcesses = doomed.process().descendants().toList();
            doomed.process().destroyForcibly(); // kill -9: the worker can't report anything
            flowProcesses.forEach(ProcessHandle::destroyForcibly);

            String second = runId(ferry.ok("deployment", "run", "napper/d", "--param", "seconds=0", "-o", "json"));
            ferry.start("worker", "start", "--pool", "p", "--name", "survivor");
            // The janitor crashes the run after 90 s without heartbeats; its slot then lets the next run go.
            await().atMost(150, TimeUnit.SECONDS).pollInterval(Duration.ofSeconds(2)).until(() -> state(ferry, first).equals("CRASHED"));
            JsonNode crashed = Json.tree(ferry.ok("flow-run", "inspect", first));
            assertThat(crashed.path("state").path("message").asText()).contains("no heartbeat").contains("doomed");
            await().atMost(60, TimeUnit.SECONDS).until(() -> state(ferry, second).equals("COMPLETED"));
        }
    }

    @Test
    void twoWorkersRacing_underALimitOfOne_neverOverlap_andRunEachRunOnce(@TempDir Path project) throws Exception {
        int port = FerryJar.freePort();
        String url = "http://127.0.0.1:" + port;
        Files.writeString(project.resolve("stamp.py"), """
                import os, time

                def stamp():
                    run = os.environ["FERRY_FLOW_RUN_ID"]
                    with open("stamps.txt", "a") as f:
                        f.write(f"start {run} {time.time()}\\n")
                    time.sleep(0.3)
                    with open("stamps.txt", "a") as f:
                        f.write(f"end {run} {time.time()}\\n")
                """);
        try (FerryJar ferry = new FerryJar(project, Map.of("FERRY_API_URL", url))) {
            startServer(ferry, "server", "start", "--port", String.valueOf(port), "--data", project.resolve("data").toString());
            ferry.ok("work-pool", "create", "p", "--type", "process", "--concurrency-limit", "1");
            ferry.ok("deploy", "stamp.py:stamp", "-n", "d", "-p", "p");
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) runs.add(runId(ferry.ok("deployment", "run", "stamp/d", "-o", "json")));
            ferry.start("worker", "start", "--pool", "p", "--name", "w1");
            ferry.start("worker", "start", "--pool", "p", "--name", "w2");
            await().atMost(120, TimeUnit.SECONDS).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        for (String id : runs) {
                            if (!state(ferry, id).equals("COMPLETED")) return false;
                        }
                        return true;
                    });

            List<String> lines = Files.readAllLines(project.resolve("stamps.txt"));
            assertThat(lines).hasSize(runs.size() * 2);
            Set<String> started = new HashSet<>();
            String running = null;
            for (String line : lines) { // lines are appended in time order
                String[] parts = line.split(" ");
                if (parts[0].equals("start")) {
                    assertThat(running).as("two runs at once").isNull();
                    assertThat(started.add(parts[1])).as("run %s started twice", parts[1]).isTrue();
                    running = parts[1];
                } else {
                    assertThat(parts[1]).isEqualTo(running);
                    running = null;
                }
            }
            assertThat(started).containsExactlyInAnyOrderElementsOf(runs);
        }
    }

    private static FerryJar.Background startServer(FerryJar ferry, String... args) throws Exception {
        FerryJar.Background server = ferry.start(args);
        await().atMost(STARTUP).until(() -> server.output().contains("Ferry server listening on"));
        return server;
    }

    private static HttpRequest create(String url, String deploymentId, String key) {
        return HttpRequest.newBuilder(URI.create(url + "/api/deployments/" + deploymentId + "/create_flow_run"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"idempotency_key\": \"" + key + "\"}")).build();
    }

    private static Set<String> allRunIds(HttpClient http, String url) throws Exception {
        Set<String> ids = new HashSet<>();
        String next = null;
        do {
            String page = url + "/api/flow_runs?limit=200" + (next == null ? "" : "&next=" + next);
            JsonNode body = Json.tree(http.send(HttpRequest.newBuilder(URI.create(page)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            body.path("items").forEach(run -> assertThat(ids.add(run.path("id").asText())).as("listed twice").isTrue());
            next = body.path("next").isNull() ? null : body.path("next").asText();
        } while (next != null);
        return ids;
    }

    private static String runId(String json) {
        return Json.tree(json).path("id").asText();
    }

    private static String state(FerryJar ferry, String id) throws Exception {
        return Json.tree(ferry.ok("flow-run", "inspect", id, "-o", "json")).path("state").path("type").asText();
    }
}
