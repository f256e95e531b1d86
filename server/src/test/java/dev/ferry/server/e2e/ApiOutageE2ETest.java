package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker outlives its API: the run keeps going and its report arrives once the server is back. */
class ApiOutageE2ETest {

    @Test
    void aRunInProgress_survivesAServerRestart_andIsReportedCompleted(@TempDir Path project) throws Exception {
        int port = FerryJar.freePort();
        String url = "http://127.0.0.1:" + port;
        Files.createDirectories(project.resolve("flows"));
        Files.writeString(project.resolve("flows/steady.py"), """
                import pathlib, time

                def steady(seconds: int = 6):
                    for i in range(seconds):
                        print(f"tick {i}", flush=True)
                        time.sleep(1)
                    pathlib.Path("steady.done").write_text("done")
                """);
        String[] serverArgs = {"server", "start", "--port", String.valueOf(port), "--data", project.resolve("data").toString()};
        try (FerryJar ferry = new FerryJar(project, Map.of("FERRY_API_URL", url))) {
            FerryJar.Background server = ferry.start(serverArgs);
            await().atMost(60, TimeUnit.SECONDS).until(() -> server.output().contains("Ferry server listening on"));
            ferry.ok("work-pool", "create", "p", "--type", "process");
            FerryJar.Background worker = ferry.start("worker", "start", "--pool", "p", "--name", "survivor");
            ferry.ok("deploy", "flows/steady.py:steady", "-n", "d", "-p", "p");
            String id = Json.tree(ferry.ok("deployment", "run", "steady/d", "-o", "json")).path("id").asText();
            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(300))
                    .until(() -> ferry.ok("flow-run", "logs", id).contains("tick 0"));

            FerryJar.stop(server.process(), Duration.ofSeconds(10));
            // The flow finishes while nobody is listening.
            await().atMost(30, TimeUnit.SECONDS).until(() -> worker.output().contains("retrying until it is back"));
            await().atMost(30, TimeUnit.SECONDS).until(() -> Files.exists(project.resolve("steady.done")));
            FerryJar.Background restarted = ferry.start(serverArgs);
            await().atMost(60, TimeUnit.SECONDS).until(() -> restarted.output().contains("Ferry server listening on"));

            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).until(() ->
                    Json.tree(ferry.ok("flow-run", "inspect", id)).path("state").path("type").asText().equals("COMPLETED"));
            assertThat(ferry.ok("flow-run", "logs", id)).contains("tick 5");
            assertThat(worker.output()).containsOnlyOnce("retrying until it is back").contains("reachable again");
            assertThat(worker.process().isAlive()).isTrue();
        }
    }

    @Test
    void aServerWithAKey_turnsAwayClientsWithoutIt(@TempDir Path project) throws Exception {
        int port = FerryJar.freePort();
        String url = "http://127.0.0.1:" + port;
        String key = "ferry_outage-test-admin-key-4f1c9e";
        try (FerryJar ferry = new FerryJar(project, Map.of("FERRY_API_URL", url, "FERRY_SERVER_API_KEY", key))) {
            FerryJar.Background server = ferry.start("server", "start", "--port", String.valueOf(port),
                    "--data", project.resolve("data").toString());
            await().atMost(60, TimeUnit.SECONDS).until(() -> server.output().contains("Ferry server listening on"));

            FerryJar.Result refused = ferry.run("work-pool", "ls");
            FerryJar.Result allowed = ferry.run("work-pool", "ls", "--api-key", key, "-o", "json");

            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).startsWith("error: ").endsWith("pass the server's key with --api-key or FERRY_API_KEY\n");
            assertThat(allowed.exitCode()).as(allowed.err()).isZero();
            JsonNode pools = Json.tree(allowed.out());
            assertThat(pools.isArray()).isTrue();
        }
    }
}
