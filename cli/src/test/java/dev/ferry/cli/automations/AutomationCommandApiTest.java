package dev.ferry.cli.automations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.RouterServer;
import dev.ferry.core.common.Json;
import dev.ferry.core.testing.TestApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The automation commands against the real API: core's router over in-memory adapters, and its automation engine. */
class AutomationCommandApiTest {
    private final RouterServer server = new RouterServer();
    private String load;
    private String extract;
    private String report;

    @TempDir
    Path dir;

    @BeforeEach
    void deployments() {
        server.api.pool("p");
        load = deployment("etl", "load");
        extract = deployment("etl", "extract");
        report = deployment("reports", "nightly-report");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Result ferry(String... args) {
        return Cli.against(server.url(), args);
    }

    private String deployment(String flow, String name) {
        return TestApi.ok(server.api.post("/api/deployments", "{\"name\": \"" + name + "\", \"flow_name\": \"" + flow + "\", "
                + "\"entrypoint\": \"flows/" + flow + ".py:" + flow + "\", \"work_pool_name\": \"p\"}")).path("id").asText();
    }

    private Path file(String description, String threshold) throws Exception {
        Path file = dir.resolve("nightly-report.yaml");
        Files.writeString(file, """
                name: nightly-report-after-load
                description: %s
                trigger:
                  type: event
                  expect: [ferry.flow-run.Completed]
                  match_related:
                    ferry.resource.role: deployment
                    ferry.resource.name: etl/load
                  threshold: %s
                actions:
                  - type: run-deployment
                    deployment_id: %s
                    parameters:
                      upstream_run: "{{ flow_run.name }}"
                """.formatted(description, threshold, report));
        return file;
    }

    /** One run of the deployment, claimed and run to COMPLETED through the API, as a worker would; its name. */
    private String complete(String deploymentId) {
        JsonNode run = server.api.run(deploymentId, null);
        server.api.claim("p", "w1", 10);
        TestApi.ok(server.api.setState(run.path("id").asText(), "RUNNING"));
        TestApi.ok(server.api.setState(run.path("id").asText(), "COMPLETED"));
        return run.path("name").asText();
    }

    private List<JsonNode> runsOf(String deploymentId) {
        List<JsonNode> runs = new ArrayList<>();
        TestApi.ok(server.api.get("/api/flow_runs?deployment_id=" + deploymentId)).path("items").forEach(runs::add);
        return runs;
    }

    @Test
    void create_ls_pause_resume_inspectAfterItFired_update_delete() throws Exception {
        // create, from YAML, with a run-deployment action
        Result created = ferry("automation", "create", "-f", file("Run the report once the load is done", "1").toString());
        assertThat(created.exitCode()).as(created.err()).isZero();
        String id = TestApi.ok(server.api.get("/api/automations/name/nightly-report-after-load")).path("id").asText();
        assertThat(created.out()).isEqualTo("Created automation 'nightly-report-after-load' (" + id + ")\n");

        Result listed = ferry("automation", "ls");
        assertThat(listed.exitCode()).as(listed.err()).isZero();
        assertThat(listed.out().lines().skip(2).toList()).singleElement().asString()
                .contains("nightly-report-after-load", "true", "event: ferry.flow-run.Completed ×1", "run-deployment")
                .endsWith(id);

        // pause and resume
        assertThat(ferry("automation", "pause", "nightly-report-after-load").out())
                .isEqualTo("Paused automation 'nightly-report-after-load'\n");
        assertThat(Json.tree(ferry("automation", "ls", "-o", "json").out()).get(0).path("enabled").asBoolean()).isFalse();
        assertThat(ferry("automation", "resume", id).out()).isEqualTo("Resumed automation 'nightly-report-after-load'\n");
        assertThat(Json.tree(ferry("automation", "ls", "-o", "json").out()).get(0).path("enabled").asBoolean()).isTrue();

        // an extract completing is a near miss; the load completing fires it
        complete(extract);
        String loadRun = complete(load);
        server.api.ferry.automations().follower().drain();

        List<JsonNode> reports = runsOf(report);
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).at("/parameters/upstream_run").asText()).isEqualTo(loadRun);
        String reportRun = reports.get(0).path("id").asText();

        Result inspected = ferry("automation", "inspect", "nightly-report-after-load");
        assertThat(inspected.exitCode()).as(inspected.err()).isZero();
        String out = inspected.out();
        assertThat(out).startsWith("Automation 'nightly-report-after-load' (" + id + ")\nEnabled:     true\n")
                .contains("Trigger:     event: ferry.flow-run.Completed ×1\n")
                .contains("Actions:     1. run-deployment (deployment_id=" + report + ")\n")
                .contains("Open windows: none\n");
        List<String> lines = out.lines().toList();
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("1/1", "run-deployment", "ok").endsWith(reportRun));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("ferry.flow-run.Completed", "NEAR MISS",
                "ferry.resource.name", "etl/extract"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("ferry.flow-run.Completed", "fired", "1/1"));
        assertThat(out).contains("1 near miss: an expected event whose labels differed");

        JsonNode history = Json.tree(ferry("automation", "inspect", id, "-o", "json").out());
        assertThat(history.path("automation").path("id").asText()).isEqualTo(id);
        assertThat(history.at("/firings/0/actions/0/flow_run_id").asText()).isEqualTo(reportRun);

        // a bad trigger is refused by the server naming the field; --update replaces the automation of that name
        Result refused = ferry("automation", "create", "-f", file("x", "0").toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).startsWith("error: ").contains("trigger.threshold").hasLineCount(1);

        Result taken = ferry("automation", "create", "-f", file("x", "1").toString());
        assertThat(taken.exitCode()).isEqualTo(1);
        assertThat(taken.err()).contains("exists").contains("add --update");

        Result updated = ferry("automation", "create", "-f", file("Run the report after every second load", "2").toString(),
                "--update");
        assertThat(updated.exitCode()).as(updated.err()).isZero();
        assertThat(updated.out()).isEqualTo("Updated automation 'nightly-report-after-load' (" + id + ")\n");
        JsonNode now = TestApi.ok(server.api.get("/api/automations/" + id));
        assertThat(now.path("description").asText()).isEqualTo("Run the report after every second load");
        assertThat(now.at("/trigger/threshold").asInt()).isEqualTo(2);

        // delete
        Result deleted = ferry("automation", "delete", "nightly-report-after-load");
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(deleted.out()).isEqualTo("Deleted automation 'nightly-report-after-load'\n");
        assertThat(ferry("automation", "ls").out()).startsWith("No automations yet");
        Result gone = ferry("automation", "inspect", "nightly-report-after-load");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).isEqualTo("error: automation 'nightly-report-after-load' not found\n");
    }
}
