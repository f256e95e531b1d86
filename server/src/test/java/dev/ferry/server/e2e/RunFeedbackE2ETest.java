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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * No silent dead ends, against the real embedded server, a real worker and real Python flows: a
 * run waiting for a worker nobody started, or for a paused deployment, says so; a float parameter
 * gets a float; a traceback is shown once; runs are found by name; versions are reported.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunFeedbackE2ETest {
    private static final String POOL = "feedback-pool";

    @TempDir
    static Path project;

    private FerryJar ferry;
    private String url;
    private String failedRunName;

    @BeforeAll
    void startServer() throws Exception {
        int port = FerryJar.freePort();
        url = "http://127.0.0.1:" + port;
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_API_URL", url);
        env.put("FERRY_HOME", project.resolve("ferry-home").toString());
        ferry = new FerryJar(project, env);
        Files.createDirectories(project.resolve("flows"));
        Files.writeString(project.resolve("flows/scale.py"), """
                def scale(ratio: float = 1.5, count: int = 1):
                    print(f"ratio={ratio!r} count={count!r}")
                """);
        Files.writeString(project.resolve("flows/broken.py"), """
                def broken(reason: str = "boom"):
                    raise ValueError(reason)
                """);
        FerryJar.Background server = ferry.start("server", "start", "--port", String.valueOf(port), "--data",
                project.resolve("data").toString());
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> server.output().contains("Ferry server listening on " + url));
        ferry.ok("work-pool", "create", "--type", "process", POOL);
        ferry.ok("deploy", "flows/scale.py:scale", "-n", "s", "-p", POOL);
        ferry.ok("deploy", "flows/broken.py:broken", "-n", "b", "-p", POOL);
    }

    @AfterAll
    void stopAll() throws Exception {
        if (ferry != null) ferry.close();
    }

    @Test
    @Order(1)
    void watchingARunNoWorkerWillTake_saysSoOnce_andWhenOneStarts_theFloatParameterGetsAFloat() throws Exception {
        FerryJar.Background watch = ferry.start("deployment", "run", "scale/s", "--param", "ratio=2", "--param", "count=3",
                "--watch");
        String notice = "No worker has polled work pool '" + POOL + "' in the last 60 s; the run waits until one does. "
                + "Start one with: ferry worker start --pool " + POOL;
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(300)).until(() -> watch.output().contains(notice));

        FerryJar.Background worker = ferry.start("worker", "start", "--pool", POOL, "--name", "feedback-worker");

        assertThat(watch.process().waitFor(120, TimeUnit.SECONDS)).as(watch.output() + worker.output()).isTrue();
        assertThat(watch.process().exitValue()).as(watch.output()).isZero();
        assertThat(watch.output()).contains("ratio=2.0 count=3");
        assertThat(watch.output().split(Pattern.quote(notice), -1)).as("said once").hasSize(2);
    }

    @Test
    @Order(2)
    void aFlowThatRaises_showsItsTracebackOnce_andItsMessageIsTheLineThatSaysWhy() throws Exception {
        FerryJar.Result watched = ferry.run(Duration.ofSeconds(120), "deployment", "run", "broken/b",
                "--param", "reason=the answer is 42", "--watch");

        assertThat(watched.exitCode()).isEqualTo(1);
        assertThat(watched.out().split("Traceback \\(most recent call last\\)", -1)).as(watched.out()).hasSize(2);
        assertThat(watched.out()).contains("Failed - exit code 1: flow broken failed: ValueError: the answer is 42\n");
        Matcher created = Pattern.compile("Created flow run '([^']+)' \\(([0-9a-f-]{36})\\)").matcher(watched.out());
        assertThat(created.find()).isTrue();
        failedRunName = created.group(1);
        JsonNode run = Json.tree(ferry.ok("flow-run", "inspect", created.group(2)));
        assertThat(run.at("/state/message").asText()).isEqualTo("exit code 1: flow broken failed: ValueError: the answer is 42");
    }

    @Test
    @Order(3)
    void logsAndInspect_findARunByItsName() throws Exception {
        assertThat(ferry.ok("flow-run", "logs", failedRunName)).contains("Traceback (most recent call last)")
                .contains("ValueError: the answer is 42");
        assertThat(Json.tree(ferry.ok("flow-run", "inspect", failedRunName)).path("name").asText()).isEqualTo(failedRunName);

        FerryJar.Result unknown = ferry.run("flow-run", "cancel", "no-such-run");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("error: no flow run is named 'no-such-run'");
    }

    @Test
    @Order(4)
    void runningAPausedDeployment_saysTheRunWaitsUntilItIsResumed_andWhy() throws Exception {
        ferry.ok("deployment", "pause", "scale/s", "--note", "upgrading the warehouse");

        String out = ferry.ok("deployment", "run", "scale/s");

        assertThat(out).contains("upgrading the warehouse").contains("; the run waits until it is resumed. Resume it with: "
                + "ferry deployment resume scale/s");
        ferry.ok("deployment", "resume", "scale/s");
    }

    @Test
    @Order(5)
    void version_printsTheClientsVersion_andTheServersOwn() throws Exception {
        String version = dev.ferry.core.Ferry.VERSION;

        assertThat(ferry.ok("version")).isEqualTo("ferry " + version + "\nserver " + version + " at " + url + "\n");
        assertThat(ferry.ok("--version")).isEqualTo("ferry " + version + "\nserver " + version + " at " + url + "\n");
    }
}
