package dev.ferry.cli.pools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolCommandsTest {
    private final FakeApi fake = new FakeApi();

    @AfterEach
    void stop() {
        fake.close();
    }

    private Result ferry(String... args) {
        return Cli.against(fake.url(), args);
    }

    private static ObjectNode pool(String name, String type, Integer limit, String status, boolean paused) {
        ObjectNode p = Json.MAPPER.createObjectNode().put("id", "id-" + name).put("name", name).put("type", type);
        if (limit == null) p.putNull("concurrency_limit");
        else p.put("concurrency_limit", limit);
        return p.put("status", status).put("is_paused", paused).put("default_queue_name", "default");
    }

    private static ObjectNode list(JsonNode... items) {
        ObjectNode page = Json.MAPPER.createObjectNode();
        for (JsonNode item : items) page.withArray("items").add(item);
        return page.putNull("next");
    }

    @Test
    void ls_isATableOfPools() {
        fake.on("GET", "/api/work_pools", call -> Reply.ok(list(
                pool("my-process-pool", "process", null, "NOT_READY", false),
                pool("fargate", "ecs", 5, "PAUSED", true))));

        Result result = ferry("work-pool", "ls");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("""
                Work Pools
                Name             Type     ID                  Concurrency Limit  Status     Paused
                my-process-pool  process  id-my-process-pool  None               NOT_READY  false
                fargate          ecs      id-fargate          5                  PAUSED     true
                """);
    }

    @Test
    void ls_followsTheCursorThroughEveryPage() {
        fake.on("GET", "/api/work_pools", call -> call.query().contains("next=page2")
                ? Reply.ok(list(pool("b", "process", null, "READY", false)))
                : Reply.ok(list(pool("a", "process", null, "READY", false)).put("next", "page2")));

        Result result = ferry("work-pool", "ls", "--output", "json");

        JsonNode printed = Json.tree(result.out());
        assertThat(printed.size()).isEqualTo(2);
        assertThat(printed.get(1).path("name").asText()).isEqualTo("b");
    }

    @Test
    void create_sendsTheFieldsAndPrintsAHint(@TempDir Path dir) throws Exception {
        Path template = dir.resolve("template.json");
        Files.writeString(template, "{\"job_configuration\": {\"command\": \"{{ command }}\"}, \"variables\": {}}");
        fake.on("POST", "/api/work_pools", call -> Reply.json(201, pool("p", "process", 3, "NOT_READY", true)));

        Result result = ferry("work-pool", "create", "p", "--type", "PROCESS", "--concurrency-limit", "3",
                "--paused", "--description", "mine", "--base-job-template", template.toString());

        assertThat(result.exitCode()).isZero();
        JsonNode sent = fake.calls().get(0).body();
        assertThat(sent.path("name").asText()).isEqualTo("p");
        assertThat(sent.path("type").asText()).isEqualTo("process");
        assertThat(sent.path("concurrency_limit").asInt()).isEqualTo(3);
        assertThat(sent.path("is_paused").asBoolean()).isTrue();
        assertThat(sent.path("description").asText()).isEqualTo("mine");
        assertThat(sent.path("base_job_template").path("job_configuration").path("command").asText())
                .isEqualTo("{{ command }}");
        assertThat(result.out()).contains("Created work pool 'p'").contains("ferry worker start --pool 'p'");
    }

    @Test
    void create_refusesATemplateFileThatIsNotJson(@TempDir Path dir) throws Exception {
        Path template = dir.resolve("template.json");
        Files.writeString(template, "job_configuration: {}");

        Result result = ferry("work-pool", "create", "p", "--type", "process", "--base-job-template", template.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: --base-job-template " + template + " is not valid JSON");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void clearConcurrencyLimit_sendsAnExplicitNull() {
        fake.on("PATCH", "/api/work_pools/p", call -> Reply.ok(pool("p", "process", null, "READY", false)));

        Result result = ferry("work-pool", "clear-concurrency-limit", "p");

        assertThat(result.exitCode()).isZero();
        JsonNode sent = fake.calls().get(0).body();
        assertThat(sent.has("concurrency_limit")).isTrue();
        assertThat(sent.get("concurrency_limit").isNull()).isTrue();
    }

    @Test
    void queueLs_showsStatusAndWhenItWasLastPolled() {
        ObjectNode ready = Json.MAPPER.createObjectNode().put("name", "default").put("pool", "p").put("priority", 1)
                .putNull("concurrency_limit").put("status", "READY")
                .put("last_polled", Instant.now().minusSeconds(12).toString());
        ObjectNode idle = Json.MAPPER.createObjectNode().put("name", "low").put("pool", "p").put("priority", 10)
                .put("concurrency_limit", 2).put("status", "NOT_READY").putNull("last_polled");
        fake.on("GET", "/api/work_pools/p/queues", call -> Reply.ok(list(ready, idle)));

        Result result = ferry("work-queue", "ls", "--pool", "p");

        assertThat(result.out().lines().toList()).containsExactly(
                "Work Queues in pool 'p'",
                "Name     Pool  Priority  Concurrency Limit  Status     Last Polled",
                "default  p     1         None               READY      12 seconds ago",
                "low      p     10        2                  NOT_READY  never");
    }

    @Test
    void defaultBaseJobTemplate_canBeWrittenToAFile(@TempDir Path dir) throws Exception {
        fake.on("GET", "/api/work_pool_types/process/base_job_template",
                call -> Reply.ok(Json.tree("{\"job_configuration\": {}, \"variables\": {}}")));
        Path file = dir.resolve("t.json");

        Result result = ferry("work-pool", "get-default-base-job-template", "--type", "process", "--file", file.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(Json.tree(Files.readString(file)).has("variables")).isTrue();
    }

    @Test
    void preview_listsComputedFiringsAndScheduledRuns_markingTheLateOnes() {
        ObjectNode late = Json.MAPPER.createObjectNode().put("deployment_id", "d1").put("deployment", "etl/nightly")
                .put("scheduled_start_time", "2026-01-31T11:58:00Z").putNull("schedule").put("flow_run_id", "run-1")
                .put("late", true);
        ObjectNode firing = Json.MAPPER.createObjectNode().put("deployment_id", "d2").put("deployment", "etl/hourly")
                .put("scheduled_start_time", "2026-01-31T12:00:00Z").put("schedule", "hourly").putNull("flow_run_id")
                .put("late", false);
        fake.on("GET", "/api/work_pools/my-pool/upcoming_runs", call -> Reply.ok(list(late, firing)));

        Result result = ferry("work-pool", "preview", "my-pool", "--hours", "6");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("GET", ".*/upcoming_runs").get(0).query()).isEqualTo("hours=6&limit=100");
        assertThat(result.out()).startsWith("Upcoming runs of work pool 'my-pool'\n")
                .containsPattern("2026-01-31T11:58:00Z\\s+.+ago\\s+etl/nightly\\s+run run-1\\s+LATE")
                .containsPattern("2026-01-31T12:00:00Z\\s+.+ago\\s+etl/hourly\\s+schedule hourly\\s+-\n");
    }

    @Test
    void preview_ofAnIdlePool_saysSo_andRefusesAWindowOutOfRange() {
        fake.on("GET", "/api/work_pools/my-pool/upcoming_runs", call -> Reply.ok(list()));

        assertThat(ferry("work-pool", "preview", "my-pool").out())
                .isEqualTo("Nothing due in work pool 'my-pool' within 1 hour; look further with --hours\n");
        Result tooFar = ferry("work-pool", "preview", "my-pool", "--hours", "1000");
        assertThat(tooFar.exitCode()).isEqualTo(2);
        assertThat(tooFar.err()).contains("--hours 1000 is out of range");
    }
}
