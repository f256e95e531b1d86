package dev.ferry.cli.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeploymentCommandTest {
    private final FakeApi fake = new FakeApi();

    @BeforeEach
    void deployment() {
        ObjectNode deployment = Json.MAPPER.createObjectNode().put("id", "dep-1").put("name", "my-deployment")
                .put("flow_name", "my-flow");
        deployment.set("parameter_openapi_schema", Json.tree(
                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\"}}}"));
        fake.on("GET", "/api/deployments/name/my-flow/my-deployment", call -> Reply.ok(deployment));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private static ObjectNode run(String type, String name, String message, String... history) {
        ObjectNode run = Json.MAPPER.createObjectNode().put("id", "run-1").put("name", "crimson-fox")
                .put("scheduled_start_time", Instant.now().toString());
        run.putObject("state").put("type", type).put("name", name).put("message", message)
                .put("timestamp", "2026-01-31T12:00:0" + history.length + "Z");
        ArrayNode states = run.putArray("state_history");
        for (int i = 0; i < history.length; i++) {
            states.addObject().put("type", history[i].toUpperCase()).put("name", history[i])
                    .put("timestamp", "2026-01-31T12:00:0" + i + "Z");
        }
        states.add(run.get("state"));
        return run;
    }

    @Test
    void run_typesParamsByTheDeploymentSchema_andSendsTheRest() {
        fake.on("POST", "/api/deployments/dep-1/create_flow_run", call -> Reply.json(201, run("SCHEDULED", "Scheduled", null)));

        Result result = Cli.run("deployment", "run", "my-flow/my-deployment", "--param", "name=42", "--param", "count=3",
                "--job-variable", "timeout_seconds=60", "--idempotency-key", "k1", "--tag", "a", "--tag", "b",
                "--start-in", "10m", "--api-url", fake.url().toString());

        assertThat(result.exitCode()).isZero();
        JsonNode sent = fake.calls("POST", ".*/create_flow_run").get(0).body();
        assertThat(sent.path("parameters").path("name").isTextual()).isTrue();
        assertThat(sent.path("parameters").path("count").isInt()).isTrue();
        assertThat(sent.path("job_variables").path("timeout_seconds").asInt()).isEqualTo(60);
        assertThat(sent.path("idempotency_key").asText()).isEqualTo("k1");
        assertThat(sent.path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        Instant start = Instant.parse(sent.path("scheduled_start_time").asText());
        assertThat(start).isBetween(Instant.now().plusSeconds(590), Instant.now().plusSeconds(601));
        assertThat(result.out()).contains("Created flow run 'crimson-fox' (run-1) of 'my-flow/my-deployment'")
                .contains("ferry flow-run logs run-1 --follow");
    }

    @Test
    void runWatch_printsEachStateAndTheLogs_andExits0OnlyWhenCompleted() {
        fake.on("POST", "/api/deployments/dep-1/create_flow_run", call -> Reply.json(201, run("SCHEDULED", "Scheduled", null)));
        AtomicInteger polls = new AtomicInteger();
        fake.on("GET", "/api/flow_runs/run-1", call -> Reply.ok(switch (polls.incrementAndGet()) {
            case 1 -> run("SCHEDULED", "Scheduled", null);
            case 2 -> run("RUNNING", "Running", null, "Scheduled", "Pending");
            default -> run("FAILED", "Failed", "exit code 1: boom", "Scheduled", "Pending", "Running");
        }));
        fake.on("GET", "/api/flow_runs/run-1/logs", call -> {
            if (polls.get() < 3 || !call.query().contains("after=0")) return Reply.ok(Json.tree("{\"items\": [], \"next\": null}"));
            return Reply.ok(Json.tree("{\"items\": [{\"seq\": 1, \"timestamp\": \"2026-01-31T12:00:02.500Z\","
                    + " \"stream\": \"stdout\", \"message\": \"Hello Marvin\"}], \"next\": null}"));
        });

        Result result = Cli.run("deployment", "run", "my-flow/my-deployment", "--watch", "--api-url", fake.url().toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out().lines().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d .*"))
                .map(l -> l.substring(9)).toList())
                .containsExactly("Scheduled", "Pending", "Running", "| Hello Marvin", "Failed - exit code 1: boom");
    }

    @Test
    void deployment_inspectByUnknownName_saysNotFound() {
        fake.on("GET", "/api/deployments/name/nope/nope",
                call -> Reply.problem(404, "deployment 'nope/nope' not found", null));

        Result result = Cli.run("deployment", "inspect", "nope/nope", "--api-url", fake.url().toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: deployment 'nope/nope' not found\n");
    }

    @Test
    void runOfAPausedDeployment_saysTheRunWaitsUntilItIsResumed_andWhy() {
        ObjectNode paused = Json.MAPPER.createObjectNode().put("id", "dep-2").put("name", "paused").put("flow_name", "my-flow")
                .put("paused", true).put("pause_note", "warehouse migration").put("paused_by", "ops").putNull("resume_at");
        fake.on("GET", "/api/deployments/name/my-flow/paused", call -> Reply.ok(paused));
        fake.on("POST", "/api/deployments/dep-2/create_flow_run", call -> Reply.json(201, run("SCHEDULED", "Scheduled", null)));

        Result result = Cli.run("deployment", "run", "my-flow/paused", "--api-url", fake.url().toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Deployment 'my-flow/paused' is paused (by ops: warehouse migration); the run "
                + "waits until it is resumed. Resume it with: ferry deployment resume my-flow/paused\n");
    }

    @Test
    void runWatch_onAQueueNoWorkerPolls_saysSoOnce_withTheCommandToStartOne_andKeepsWaiting() {
        fake.on("POST", "/api/deployments/dep-1/create_flow_run", call -> Reply.json(201, run("SCHEDULED", "Scheduled", null)));
        AtomicInteger polls = new AtomicInteger();
        fake.on("GET", "/api/flow_runs/run-1", call -> {
            ObjectNode run = polls.incrementAndGet() < 5 ? run("SCHEDULED", "Scheduled", null)
                    : run("COMPLETED", "Completed", null, "Scheduled", "Pending", "Running");
            return Reply.ok(run.put("work_pool_name", "local").put("work_queue_name", "etl"));
        });
        fake.on("GET", "/api/flow_runs/run-1/logs", call -> Reply.ok(Json.tree("{\"items\": [], \"next\": null}")));
        fake.on("GET", "/api/work_pools/local/queues/etl", call -> Reply.ok(Json.tree(
                "{\"name\": \"etl\", \"status\": \"NOT_READY\", \"last_polled\": null}")));

        Result result = Cli.run("deployment", "run", "my-flow/my-deployment", "--watch", "--api-url", fake.url().toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        String notice = "No worker has polled work pool 'local' (queue 'etl') in the last 60 s; the run waits until one "
                + "does. Start one with: ferry worker start --pool local --work-queue etl";
        assertThat(result.out().lines().filter(notice::equals)).hasSize(1);
        assertThat(polls.get()).as("it kept watching after saying so").isGreaterThanOrEqualTo(5);
        assertThat(result.out()).endsWith("Completed\n");
    }
}
