package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README tutorial, step by step, against the real embedded server, a real worker and real
 * Python flows, all started from the packaged jar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TutorialE2ETest {
    private static final String POOL = "my-process-pool";

    @TempDir
    static Path project;

    private FerryJar ferry;
    private FerryJar.Background server;
    private FerryJar.Background worker;

    @BeforeAll
    void startServer() throws Exception {
        int port = FerryJar.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_API_URL", "http://127.0.0.1:" + port);
        env.put("FERRY_HOME", project.resolve("ferry-home").toString());
        ferry = new FerryJar(project, env);
        Files.createDirectories(project.resolve("flows"));
        Files.writeString(project.resolve("flows/my_flow.py"), """
                import sys

                def my_flow(name: str = "world", times: int = 1):
                    for i in range(times):
                        print(f"Hello {name}! ({i + 1} of {times})")
                    print("a note on stderr", file=sys.stderr)
                """);
        Files.writeString(project.resolve("flows/broken.py"), """
                def broken(reason: str = "boom"):
                    raise ValueError(reason)
                """);
        Files.writeString(project.resolve("flows/slow.py"), """
                import time

                def slow(seconds: int = 300):
                    print("started", flush=True)
                    time.sleep(seconds)
                """);

        server = ferry.start("server", "start", "--port", String.valueOf(port), "--data",
                project.resolve("data").toString());
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> server.output().contains("Ferry server listening on http://127.0.0.1:" + port));
    }

    @AfterAll
    void stopAll() throws Exception {
        ferry.close();
    }

    @Test
    @Order(1)
    void createAWorkPool_andSeeItListed() throws Exception {
        assertThat(ferry.ok("work-pool", "create", "--type", "process", POOL)).contains("Created work pool '" + POOL + "'");

        String table = ferry.ok("work-pool", "ls");

        assertThat(table.lines().findFirst()).hasValue("Work Pools");
        assertThat(table.lines().skip(1).findFirst().orElseThrow())
                .startsWith("Name").contains("Type").contains("ID").contains("Concurrency Limit");
        assertThat(table).containsPattern(POOL + "\\s+process\\s+[0-9a-f-]{36}\\s+None");
    }

    @Test
    @Order(2)
    void beforeAWorkerPolls_theDefaultQueueIsNotReady() throws Exception {
        assertThat(ferry.ok("work-queue", "ls", "--pool", POOL)).containsPattern("default\\s+" + POOL + "\\s+1\\s+None\\s+NOT_READY");
    }

    @Test
    @Order(3)
    void aStartedWorker_makesTheQueueReady() throws Exception {
        worker = ferry.start("worker", "start", "--pool", POOL, "--name", "e2e-worker");
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(300))
                .until(() -> worker.output().contains("Worker 'e2e-worker' started; polling work pool '" + POOL + "'"));

        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
                .until(() -> ferry.ok("work-queue", "ls", "--pool", POOL).contains(" READY "));
        assertThat(ferry.ok("worker", "ls", "--pool", POOL)).containsPattern("e2e-worker\\s+ONLINE");
    }

    @Test
    @Order(4)
    void deploy_readsTheSignature_andCreatesTheDeployment() throws Exception {
        String out = ferry.ok("deploy", "flows/my_flow.py:my_flow", "-n", "my-deployment", "-p", POOL);

        assertThat(out).contains("Deployment 'my-flow/my-deployment' created")
                .contains("ferry deployment run 'my-flow/my-deployment'");
        JsonNode deployment = Json.tree(ferry.ok("deployment", "inspect", "my-flow/my-deployment"));
        assertThat(deployment.path("parameter_openapi_schema").path("properties").path("times").path("type").asText())
                .isEqualTo("integer");
        assertThat(ferry.ok("deploy", "flows/my_flow.py:my_flow", "-n", "my-deployment", "-p", POOL))
                .contains("Deployment 'my-flow/my-deployment' updated");
    }

    @Test
    @Order(5)
    void runWatch_followsTheRunToCompletion_andExits0() throws Exception {
        FerryJar.Result watched = ferry.run(Duration.ofSeconds(120), "deployment", "run", "my-flow/my-deployment",
                "--param", "name=Marvin", "--param", "times=2", "--watch");

        assertThat(watched.exitCode()).as(watched.out() + watched.err()).isZero();
        assertThat(watched.out()).contains("Pending").contains("Running")
                .contains("Hello Marvin! (1 of 2)").contains("Hello Marvin! (2 of 2)").contains("Completed");
        String id = watched.out().replaceAll("(?s).*Created flow run '[^']+' \\(([0-9a-f-]{36})\\).*", "$1");

        String logs = ferry.ok("flow-run", "logs", id);

        assertThat(logs).contains("Hello Marvin! (1 of 2)").contains("a note on stderr");
        assertThat(ferry.ok("flow-run", "ls", "--state", "COMPLETED")).contains(id).contains("my-flow/my-deployment");
    }

    @Test
    @Order(6)
    void aFlowThatRaises_failsWithItsError_andWatchExits1() throws Exception {
        ferry.ok("deploy", "flows/broken.py:broken", "-n", "b", "-p", POOL);

        FerryJar.Result watched = ferry.run(Duration.ofSeconds(120), "deployment", "run", "broken/b",
                "--param", "reason=the answer is 42", "--watch");

        assertThat(watched.exitCode()).isEqualTo(1);
        assertThat(watched.out()).containsPattern("Failed - exit code \\d+: ").contains("the answer is 42");
    }

    @Test
    @Order(7)
    void cancellingARunningFlow_stopsItsProcess() throws Exception {
        ferry.ok("deploy", "flows/slow.py:slow", "-n", "s", "-p", POOL);
        JsonNode run = Json.tree(ferry.ok("deployment", "run", "slow/s", "--output", "json"));
        String id = run.path("id").asText();
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
                .until(() -> ferry.ok("flow-run", "logs", id).contains("started"));

        ferry.ok("flow-run", "cancel", id);

        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).until(() ->
                Json.tree(ferry.ok("flow-run", "inspect", id)).path("state").path("type").asText().equals("CANCELLED"));
        long pid = Json.tree(ferry.ok("flow-run", "inspect", id)).path("infrastructure_id").asLong();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    @Order(8)
    void stoppingTheWorker_reportsItsRunningFlowsCrashed() throws Exception {
        JsonNode run = Json.tree(ferry.ok("deployment", "run", "slow/s", "--output", "json"));
        String id = run.path("id").asText();
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
                .until(() -> ferry.ok("flow-run", "logs", id).contains("started"));

        long started = System.nanoTime();
        FerryJar.stop(worker.process(), Duration.ofSeconds(20));
        long tookSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        assertThat(tookSeconds).isLessThanOrEqualTo(16);
        JsonNode after = Json.tree(ferry.ok("flow-run", "inspect", id));
        assertThat(after.path("state").path("type").asText()).isEqualTo("CRASHED");
        assertThat(after.path("state").path("message").asText()).isEqualTo("worker e2e-worker shut down");
    }
}
