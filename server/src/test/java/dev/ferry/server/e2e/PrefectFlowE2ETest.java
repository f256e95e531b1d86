package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flow file written for Prefect, unmodified, deployed and run by real workers from the packaged
 * jar: once in an interpreter with no Prefect at all, once with a "Prefect" installed whose import
 * fails, which proves the runner's stand-in shadows it (nothing of Prefect's runs, so no Prefect
 * server can start).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrefectFlowE2ETest {
    private static final String FLOW = """
            from prefect import flow, task, get_run_logger
            from prefect.events import emit_event


            @task(retries=2, retry_delay_seconds=0)
            def shout(word: str) -> str:
                return word.upper()


            @flow(name="hello prefect", retries=1)
            def hello(name: str = "world"):
                \"\"\"Says hello, the Prefect way.\"\"\"
                logger = get_run_logger()
                logger.info("Hello %s!", shout(name))
                emit_event("acme.greeted", resource={"prefect.resource.id": "acme.greeting." + name}, payload={"name": name})


            if __name__ == "__main__":
                hello()
            """;

    @TempDir
    static Path project;

    private FerryJar ferry;
    private Path marker;
    private FerryJar.Background[] workers = new FerryJar.Background[0];

    @BeforeAll
    void startServerAndWorkers() throws Exception {
        int port = FerryJar.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_API_URL", "http://127.0.0.1:" + port);
        env.put("FERRY_HOME", project.resolve("ferry-home").toString());
        ferry = new FerryJar(project, env);
        Files.createDirectories(project.resolve("flows"));
        Files.writeString(project.resolve("flows/hello.py"), FLOW);

        // An interpreter that surely has no Prefect: a virtualenv without the system's packages.
        Path bare = project.resolve("bare-venv");
        Process venv = new ProcessBuilder("python3", "-m", "venv", "--without-pip", bare.toString())
                .redirectErrorStream(true).start();
        assertThat(venv.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(venv.exitValue()).as(new String(venv.getInputStream().readAllBytes())).isZero();
        // A "Prefect" whose import leaves a mark and then fails: were it imported, the run would fail.
        marker = project.resolve("real-prefect-imported");
        Path site = project.resolve("site");
        Files.createDirectories(site.resolve("prefect"));
        Files.writeString(site.resolve("prefect/__init__.py"), "open(" + Json.string(Json.MAPPER.getNodeFactory()
                .textNode(marker.toString())) + ", 'w').write('imported')\n"
                + "raise ImportError('the installed Prefect was imported; it would start a Prefect server')\n");

        FerryJar.Background server = ferry.start("server", "start", "--port", String.valueOf(port), "--data",
                project.resolve("data").toString());
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> server.output().contains("Ferry server listening on http://127.0.0.1:" + port));
        ferry.ok("work-pool", "create", "--type", "process", "no-prefect");
        ferry.ok("work-pool", "create", "--type", "process", "fake-prefect");

        Map<String, String> bareEnv = new HashMap<>(env);
        bareEnv.put("FERRY_PYTHON", bare.resolve("bin/python").toString());
        FerryJar.Background bareWorker = new FerryJar(project, bareEnv)
                .start("worker", "start", "--pool", "no-prefect", "--name", "bare-worker");
        Map<String, String> shadowedEnv = new HashMap<>(env);
        shadowedEnv.put("PYTHONPATH", site.toString());
        FerryJar.Background shadowedWorker = new FerryJar(project, shadowedEnv)
                .start("worker", "start", "--pool", "fake-prefect", "--name", "shadowed-worker");
        workers = new FerryJar.Background[] {bareWorker, shadowedWorker};
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(300))
                .until(() -> bareWorker.output().contains("polling work pool 'no-prefect'")
                        && shadowedWorker.output().contains("polling work pool 'fake-prefect'"));
    }

    @AfterAll
    void stopAll() throws Exception {
        for (FerryJar.Background worker : workers) FerryJar.stop(worker.process(), Duration.ofSeconds(20));
        ferry.close();
    }

    @Test
    void deploy_takesTheFlowsNameDescriptionAndRetriesFromTheDecoratorAndDocstring() throws Exception {
        String out = ferry.ok("deploy", "flows/hello.py:hello", "-n", "decorated", "-p", "no-prefect");

        assertThat(out).contains("Deployment 'hello prefect/decorated' created");
        JsonNode deployment = Json.tree(ferry.ok("deployment", "inspect", "hello prefect/decorated"));
        assertThat(deployment.path("flow_name").asText()).isEqualTo("hello prefect");
        assertThat(deployment.path("description").asText()).isEqualTo("Says hello, the Prefect way.");
        assertThat(deployment.path("retries").asInt()).isEqualTo(1);
    }

    @Test
    void anUnmodifiedPrefectFlow_completes_whereNoPrefectIsInstalled() throws Exception {
        runsToCompletion("no-prefect", "bare");
    }

    @Test
    void anUnmodifiedPrefectFlow_completes_withoutImportingAnInstalledPrefect() throws Exception {
        runsToCompletion("fake-prefect", "shadowed");

        assertThat(marker).doesNotExist();
    }

    private void runsToCompletion(String pool, String deployment) throws Exception {
        ferry.ok("deploy", "flows/hello.py:hello", "-n", deployment, "-p", pool);

        FerryJar.Result watched = ferry.run(Duration.ofSeconds(120), "deployment", "run",
                "hello prefect/" + deployment, "--param", "name=ferry", "--watch");

        assertThat(watched.exitCode()).as(watched.out() + watched.err()).isZero();
        assertThat(watched.out()).contains("Completed");
        String id = watched.out().replaceAll("(?s).*Created flow run '[^']+' \\(([0-9a-f-]{36})\\).*", "$1");
        String logs = ferry.ok("flow-run", "logs", id);
        assertThat(logs).contains("INFO | Hello FERRY!").doesNotContainIgnoringCase("prefect server");
        JsonNode greeted = Json.tree(ferry.ok("event", "ls", "--event", "acme.greeted", "--related", "ferry.flow-run." + id,
                "-o", "json"));
        JsonNode event = greeted.isArray() ? greeted.get(0) : greeted.path("items").get(0);
        assertThat(event.at("/resource/ferry.resource.id").asText()).as("the flow's event, with Prefect's labels renamed")
                .isEqualTo("acme.greeting.ferry");
        assertThat(event.at("/payload/name").asText()).isEqualTo("ferry");
        JsonNode run = Json.tree(ferry.ok("flow-run", "inspect", id));
        assertThat(run.path("state").path("type").asText()).isEqualTo("COMPLETED");
        Duration took = Duration.between(Instant.parse(run.path("start_time").asText()),
                Instant.parse(run.path("end_time").asText()));
        System.out.println("[prefect flow on " + pool + "] RUNNING to COMPLETED in " + took.toMillis() + " ms, "
                + logs.lines().count() + " log lines");
        assertThat(took).as("no Prefect server start (about 20 s) inside the run").isLessThan(Duration.ofSeconds(10));
    }
}
