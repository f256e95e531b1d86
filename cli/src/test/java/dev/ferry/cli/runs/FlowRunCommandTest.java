package dev.ferry.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlowRunCommandTest {
    private final FakeApi fake = new FakeApi();

    @AfterEach
    void stop() {
        fake.close();
    }

    private Result ferry(String... args) {
        return Cli.against(fake.url(), args);
    }

    private static ObjectNode run(String id, String type, String name, Instant start, Instant end) {
        ObjectNode run = Json.MAPPER.createObjectNode().put("id", id).put("name", "run-" + id)
                .put("flow_name", "my-flow").put("deployment_name", "nightly")
                .put("scheduled_start_time", Instant.now().minusSeconds(120).toString());
        run.putObject("state").put("type", type).put("name", name);
        run.put("start_time", start == null ? null : start.toString());
        run.put("end_time", end == null ? null : end.toString());
        run.put("run_count", start == null ? 0 : 1);
        return run;
    }

    @Test
    void ls_showsDeploymentStateStartAndDuration_andPassesTheFilters() {
        Instant now = Instant.now();
        ObjectNode page = Json.MAPPER.createObjectNode().putNull("next");
        page.putArray("items")
                .add(run("r2", "SCHEDULED", "Late", null, null))
                .add(run("r1", "COMPLETED", "Completed", now.minusSeconds(60), now.minusSeconds(55)));
        fake.on("GET", "/api/flow_runs", call -> Reply.ok(page));

        Result result = ferry("flow-run", "ls", "--state", "scheduled,completed", "--pool", "local", "--limit", "5");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines().toList()).containsExactly(
                "Flow Runs",
                "Name    ID  Deployment       State      Scheduled/Start  Attempts  Duration",
                "run-r2  r2  my-flow/nightly  Late       2 minutes ago    0         -",
                "run-r1  r1  my-flow/nightly  Completed  1 minute ago     1         5.0s");
        String query = fake.calls().get(0).query();
        assertThat(query).contains("state_type=SCHEDULED").contains("state_type=COMPLETED")
                .contains("work_pool_name=local").contains("limit=5");
    }

    @Test
    void ls_refusesAnUnknownStateType() {
        Result result = ferry("flow-run", "ls", "--state", "DONE");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: --state 'DONE' is not a state type; accepted: SCHEDULED, PENDING");
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void logsFollow_printsEveryLineOnce_untilTheRunIsOver() {
        AtomicInteger polls = new AtomicInteger();
        fake.on("GET", "/api/flow_runs/r1", call -> Reply.ok(polls.incrementAndGet() < 3
                ? run("r1", "RUNNING", "Running", Instant.now(), null)
                : run("r1", "COMPLETED", "Completed", Instant.now(), Instant.now())));
        fake.on("GET", "/api/flow_runs/r1/logs", call -> {
            long after = Long.parseLong(call.query().replaceAll(".*after=(\\d+).*", "$1"));
            long upTo = Math.min(polls.get() * 2L, 5);
            ObjectNode page = Json.MAPPER.createObjectNode().putNull("next");
            var items = page.putArray("items");
            for (long seq = after + 1; seq <= upTo; seq++) {
                items.addObject().put("seq", seq).put("timestamp", "2026-01-31T12:00:0" + seq + "Z")
                        .put("stream", "stdout").put("message", "line " + seq);
            }
            return Reply.ok(page);
        });

        Result result = ferry("flow-run", "logs", "r1", "--follow");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out().lines().map(l -> l.substring(l.indexOf('|') + 2)).toList())
                .containsExactly("line 1", "line 2", "line 3", "line 4", "line 5");
    }

    @Test
    void cancel_saysWhatHappensNext() {
        fake.on("GET", "/api/flow_runs/r1", call -> Reply.ok(run("r1", "RUNNING", "Running", Instant.now(), null)));
        fake.on("POST", "/api/flow_runs/r1/cancel", call -> Reply.ok(run("r1", "CANCELLING", "Cancelling", null, null)));

        Result result = ferry("flow-run", "cancel", "r1");

        assertThat(result.out()).isEqualTo(
                "Cancelling flow run 'run-r1' (r1); its worker stops it at the next heartbeat\n");
    }

    @Test
    void ls_ofARetriedRun_showsItsAttempts_andTheDurationOfTheLastOne() {
        Instant t0 = Instant.parse("2026-01-31T12:00:00Z");
        ObjectNode retried = run("r3", "COMPLETED", "Completed", t0, t0.plusSeconds(600)).put("run_count", 2);
        ObjectNode page = Json.MAPPER.createObjectNode().putNull("next");
        page.putArray("items").add(retried);
        fake.on("GET", "/api/flow_runs", call -> Reply.ok(page));
        ObjectNode full = retried.deepCopy();
        var history = full.putArray("state_history");
        history.addObject().put("type", "RUNNING").put("name", "Running").put("timestamp", t0.toString());
        history.addObject().put("type", "SCHEDULED").put("name", "AwaitingRetry").put("timestamp", t0.plusSeconds(30).toString());
        history.addObject().put("type", "PENDING").put("name", "Pending").put("timestamp", t0.plusSeconds(590).toString());
        history.addObject().put("type", "RUNNING").put("name", "Running").put("timestamp", t0.plusSeconds(592).toString());
        history.addObject().put("type", "COMPLETED").put("name", "Completed").put("timestamp", t0.plusSeconds(600).toString());
        fake.on("GET", "/api/flow_runs/r3", call -> Reply.ok(full));

        Result result = ferry("flow-run", "ls");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).as("8 s of the last attempt, not the 10 min since the first start")
                .containsPattern("run-r3\\s+r3\\s+my-flow/nightly\\s+Completed\\s+.+\\s+2\\s+8\\.0s\\n");
    }

    @Test
    void logsInspectAndCancel_takeARunsName() {
        fake.on("GET", "/api/flow_runs", call -> Reply.ok(page(run("r1", "RUNNING", "Running", Instant.now(), null),
                run("r2", "COMPLETED", "Completed", Instant.now(), Instant.now()))));
        fake.on("GET", "/api/flow_runs/r1", call -> Reply.ok(run("r1", "RUNNING", "Running", Instant.now(), null)));
        fake.on("GET", "/api/flow_runs/r1/logs", call -> Reply.ok(page()));
        fake.on("POST", "/api/flow_runs/r1/cancel", call -> Reply.ok(run("r1", "CANCELLING", "Cancelling", null, null)));

        assertThat(ferry("flow-run", "logs", "run-r1").exitCode()).isZero();
        assertThat(fake.calls("GET", "/api/flow_runs/r1/logs")).hasSize(1);
        assertThat(ferry("flow-run", "inspect", "run-r1").out()).contains("\"id\": \"r1\"");
        assertThat(ferry("flow-run", "cancel", "run-r1").out()).startsWith("Cancelling flow run 'run-r1' (r1)");
    }

    @Test
    void aNameSeveralRunsShare_isRefused_listingTheirIds_withExit2() {
        ObjectNode other = run("r9", "FAILED", "Failed", Instant.now(), Instant.now()).put("name", "run-r1");
        fake.on("GET", "/api/flow_runs", call -> Reply.ok(page(run("r1", "RUNNING", "Running", Instant.now(), null), other)));

        Result result = ferry("flow-run", "cancel", "run-r1");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: 2 flow runs are named 'run-r1'; give one's ID instead: "
                + "r1 (Running, my-flow/nightly), r9 (Failed, my-flow/nightly)");
        assertThat(fake.calls("POST", ".*")).as("nothing was cancelled").isEmpty();
    }

    @Test
    void aNameNoRunHas_saysSo_withExit1() {
        fake.on("GET", "/api/flow_runs", call -> Reply.ok(page(run("r1", "RUNNING", "Running", Instant.now(), null))));

        Result result = ferry("flow-run", "logs", "no-such-run");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("error: no flow run is named 'no-such-run' among the newest 1000 runs; "
                + "see their names and IDs with: ferry flow-run ls\n");
    }

    @Test
    void logsAndFollowAndJson_showControlCharacters_insteadOfSendingThemToTheTerminal() {
        String hostile = "\u001b]0;pwned\u0007\u001b[2Jok\rfake\u009b31m\tend";
        ObjectNode running = run("r1", "COMPLETED", "Completed", Instant.now(), Instant.now());
        running.withObject("/state").put("message", "done\u001b[1A");
        running.putArray("state_history").addObject().put("type", "RUNNING").put("name", "Running\u001b[8m")
                .put("timestamp", "2026-01-31T12:00:00Z");
        fake.on("GET", "/api/flow_runs/r1", call -> Reply.ok(running));
        fake.on("GET", "/api/flow_runs/r1/logs", call -> {
            ObjectNode page = Json.MAPPER.createObjectNode().putNull("next");
            long after = Long.parseLong(call.query().replaceAll(".*after=(\\d+).*", "$1"));
            if (after == 0) page.putArray("items").addObject().put("seq", 1).put("timestamp", "2026-01-31T12:00:01Z")
                    .put("stream", "stdout").put("message", hostile);
            else page.putArray("items");
            return Reply.ok(page);
        });

        Result logs = ferry("flow-run", "logs", "r1");
        Result follow = ferry("flow-run", "logs", "r1", "--follow");
        Result json = ferry("flow-run", "logs", "r1", "-o", "json");

        String shown = "\\x1b]0;pwned\\x07\\x1b[2Jok\\x0dfake\\x9b31m\tend";
        assertThat(logs.out()).contains(shown);
        assertThat(follow.out()).contains(shown);
        for (Result r : new Result[] {logs, follow, json}) {
            assertThat(r.out().chars().filter(c -> c == 0x1b || c == 0x07 || c == '\r' || c == 0x9b)).as(r.out()).isEmpty();
        }
        assertThat(Json.tree(json.out()).get(0).path("message").asText()).as("JSON keeps the message, escaped").isEqualTo(hostile);
    }

    @Test
    void watch_showsControlCharactersInStateNamesAndMessages() {
        ObjectNode ended = run("r1", "COMPLETED", "Completed\u001b[2J", Instant.now(), Instant.now());
        ended.withObject("/state").put("message", "done\u001b[1A").put("timestamp", "2026-01-31T12:00:09Z");
        fake.on("GET", "/api/flow_runs/r1", call -> Reply.ok(ended));
        fake.on("GET", "/api/flow_runs/r1/logs", call -> Reply.ok(page()));

        java.io.StringWriter out = new java.io.StringWriter();
        new RunWatcher(new dev.ferry.cli.client.FerryApi(new dev.ferry.cli.client.ApiClient(fake.url(), null,
                dev.ferry.cli.client.Retry.never())), new java.io.PrintWriter(out), java.time.ZoneOffset.UTC).watch("r1");

        assertThat(out.toString()).contains("Completed\\x1b[2J - done\\x1b[1A").doesNotContain("\u001b");
    }

    private static ObjectNode page(ObjectNode... runs) {
        ObjectNode page = Json.MAPPER.createObjectNode().putNull("next");
        var items = page.putArray("items");
        for (ObjectNode r : runs) items.add(r);
        return page;
    }
}
