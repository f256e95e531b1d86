package dev.ferry.cli.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.core.common.Json;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunProcessTest {
    private final FakeRuns api = new FakeRuns();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aRunThatExits0_isRunningWithItsPid_thenCompleted_andItsOutputIsShipped() {
        String script = "echo \"$GREETING from $FERRY_FLOW_RUN_ID of $FERRY_DEPLOYMENT_ID\"; "
                + "echo \"$FERRY_PARAMETERS\"; echo \"$FERRY_API_URL $FERRY_API_KEY\"; echo warn >&2";
        JsonNode item = FakeRuns.item("r1", "sh -c '" + script + "'", null, Map.of("GREETING", "hi"));

        api.runProcess(item).run();

        assertThat(api.reports("r1")).containsExactly("RUNNING", "COMPLETED");
        JsonNode running = api.http.calls("POST", "/api/flow_runs/r1/set_state").get(0).body();
        assertThat(running.path("infrastructure_id").asText()).matches("\\d+");
        assertThat(running.path("transition_id").asText()).hasSize(36);
        assertThat(api.messages("r1")).contains("hi from r1 of dep-1", "{\"name\":\"Marvin\",\"count\":3}",
                api.http.url() + " ferry_run_r1_token", "warn");
        assertThat(api.logLines("r1")).anySatisfy(l -> {
            assertThat(l.path("message").asText()).isEqualTo("warn");
            assertThat(l.path("stream").asText()).isEqualTo("stderr");
        });
        assertThat(api.console.toString()).contains("flow run 'run-r1' is Running (pid ").contains("is Completed");
    }

    @Test
    void theFlowGetsItsRunToken_andNeverTheWorkersKey() {
        api.runProcess(FakeRuns.item("r9", "sh -c 'echo \"key=$FERRY_API_KEY.\"'", null, Map.of())).run();
        assertThat(api.messages("r9")).contains("key=ferry_run_r9_token.");

        ObjectNode tokenless = FakeRuns.item("r10", "sh -c 'echo \"key=$FERRY_API_KEY.\"'", null, Map.of());
        tokenless.remove("run_token");
        api.runProcess(tokenless).run();
        assertThat(api.messages("r10")).as("a server that makes no tokens: no key at all, not the worker's k3y")
                .contains("key=.");
    }

    @Test
    void itsOwnNotes_goToTheWorkerStream_butToStderrWhenItHoldsTheRunsToken() {
        api.runProcess(FakeRuns.item("r11", "sh -c 'exit 0'", null, Map.of())).run();
        RunSettings asTheRun = new RunSettings("execute-x", api.http.url(), "ferry_run_r12_token", java.nio.file.Path.of("")
                .toAbsolutePath(), java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1));
        new RunProcess(api.retrying(), api.probe(), asTheRun, FakeRuns.item("r12", "sh -c 'exit 0'", null, Map.of()), api.log)
                .run();

        assertThat(api.logLines("r11")).anySatisfy(l -> {
            assertThat(l.path("message").asText()).startsWith("[ferry] no pull steps");
            assertThat(l.path("stream").asText()).isEqualTo("worker");
        });
        assertThat(api.logLines("r12")).anySatisfy(l -> assertThat(l.path("message").asText()).startsWith("[ferry] no pull steps"))
                .allSatisfy(l -> assertThat(l.path("stream").asText()).isEqualTo("stderr"));
    }

    @Test
    void theWorkersEcho_showsAFlowsControlCharacters_whileTheShippedLineKeepsThem() {
        ObjectNode item = FakeRuns.item("r13", "printf 'a\\033]0;title\\007b\\n'", null, Map.of());
        item.withObject("/job_configuration").put("stream_output", true);

        api.runProcess(item).run();

        assertThat(api.console.toString()).contains("[run-r13] a\\x1b]0;title\\x07b").doesNotContain("\u001b");
        assertThat(api.messages("r13")).contains("a\u001b]0;title\u0007b");
    }

    @Test
    void aRunThatExitsNonZero_failsWithTheLastLineOfStderr_notTheWholeTraceback() {
        String script = "echo Traceback >&2; for i in $(seq 1 30); do echo \"  frame $i\" >&2; done; "
                + "echo \"ValueError: boom\" >&2; echo >&2; exit 3";
        api.runProcess(FakeRuns.item("r2", "sh -c '" + script + "'", null, Map.of())).run();

        List<String> reports = api.reports("r2");
        assertThat(reports).hasSize(2);
        assertThat(reports.get(1)).isEqualTo("FAILED: exit code 3: ValueError: boom");
        assertThat(api.messages("r2")).as("the traceback is in the logs, whole").contains("Traceback", "  frame 1", "  frame 30");
    }

    @Test
    void theRunnersExplanation_isTheMessage_overTheTracebackAfterIt() {
        String script = "echo \"ferry: flow f failed: ValueError: boom\" >&2; echo Traceback >&2; "
                + "echo \"  raise ValueError(reason)\" >&2; echo \"ValueError: boom\" >&2; exit 1";
        api.runProcess(FakeRuns.item("r3", "sh -c '" + script + "'", null, Map.of())).run();

        assertThat(api.reports("r3").get(1)).isEqualTo("FAILED: exit code 1: flow f failed: ValueError: boom");
    }

    @Test
    void aVeryLongLastLine_isCut() {
        api.runProcess(FakeRuns.item("r70", "sh -c 'printf \"%0900d\\n\" 7 >&2; exit 1'", null, Map.of())).run();

        String message = api.reports("r70").get(1).substring("FAILED: ".length());
        assertThat(message).hasSize("exit code 1: ".length() + FailureSummary.MAX_LINE_CHARS + 1).endsWith("…");
    }

    @Test
    void aCommandThatCannotStart_failsWithTheReason() {
        api.runProcess(FakeRuns.item("r4", "/no/such/program --flag", null, Map.of())).run();

        assertThat(api.reports("r4")).singleElement().asString()
                .startsWith("FAILED: cannot start the flow run: /no/such/program: ");
    }

    @Test
    void aCommandThatDoesNotParse_failsWithTheReason() {
        api.runProcess(FakeRuns.item("r5", "echo 'unclosed", null, Map.of())).run();

        assertThat(api.reports("r5")).containsExactly(
                "FAILED: cannot start the flow run: command has an unclosed single quote: echo 'unclosed");
    }

    @Test
    void aCancelSeenInTheHeartbeat_killsTheWholeTree_andReportsCancelled() throws Exception {
        JsonNode item = FakeRuns.item("r6", "sh -c 'sleep 300 & sleep 300 & wait'", null, Map.of());
        RunProcess run = api.runProcess(item);
        Thread thread = new Thread(run);
        thread.start();
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.reports("r6").contains("RUNNING"));
        long pid = api.http.calls("POST", "/api/flow_runs/r6/set_state").get(0).body().path("infrastructure_id").asLong();
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow();
        await().atMost(10, TimeUnit.SECONDS).until(() -> root.descendants().count() == 2);
        List<ProcessHandle> tree = root.descendants().toList();

        api.states.put("r6", "CANCELLING");
        thread.join(15_000);

        assertThat(thread.isAlive()).isFalse();
        assertThat(api.reports("r6")).containsExactly("RUNNING", "CANCELLED: cancelled by user");
        assertThat(ProcessHandle.of(pid).map(ProcessTree::runs).orElse(false)).isFalse();
        assertThat(tree).isNotEmpty().noneMatch(ProcessTree::runs);
        assertThat(api.messages("r6")).contains("[ferry] cancel requested; stopping the process");
    }

    @Test
    void aRunOverItsTimeout_isKilled_andFailsWithTheTimeout() {
        long started = System.nanoTime();
        api.runProcess(FakeRuns.item("r7", "sleep 300", 1, Map.of())).run();

        assertThat(api.reports("r7")).containsExactly("RUNNING", "FAILED: timed out after 1 s");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(10);
    }

    @Test
    void aRefusedRunningReport_stopsTheProcess_andCompletesACancel() {
        api.http.on("POST", "/api/flow_runs/r8/set_state", call -> {
            if (call.body().path("state").path("type").asText().equals("RUNNING")) {
                var problem = Json.MAPPER.createObjectNode().put("status", 409)
                        .put("detail", "can't go from CANCELLING to RUNNING");
                problem.putObject("state").put("type", "CANCELLING").put("name", "Cancelling");
                return FakeApi.Reply.json(409, problem);
            }
            return Reply.ok(Json.MAPPER.createObjectNode().put("status", "ACCEPT")
                    .set("flow_run", FakeRuns.runNode("r8", "CANCELLED", "cancelled by user")));
        });

        api.runProcess(FakeRuns.item("r8", "sleep 300", null, Map.of())).run();

        assertThat(api.reports("r8")).containsExactly("RUNNING", "CANCELLED: cancelled by user");
        assertThat(api.console.toString()).contains("the server refused Running and keeps it Cancelling");
    }

    @Test
    void theFinalReport_waitsOutAnApiOutage_withTheSameTransitionId() {
        AtomicInteger completedAttempts = new AtomicInteger();
        api.http.on("POST", "/api/flow_runs/r9/set_state", call -> {
            String type = call.body().path("state").path("type").asText();
            if (type.equals("COMPLETED") && completedAttempts.incrementAndGet() <= 3) {
                return Reply.problem(503, "database is restarting", null);
            }
            return Reply.ok(Json.MAPPER.createObjectNode().put("status", "ACCEPT")
                    .set("flow_run", FakeRuns.runNode("r9", type, null)));
        });

        api.runProcess(FakeRuns.item("r9", "true", null, Map.of())).run();

        List<FakeApi.Call> completed = api.http.calls("POST", "/api/flow_runs/r9/set_state").stream()
                .filter(c -> c.body().path("state").path("type").asText().equals("COMPLETED")).toList();
        assertThat(completed).hasSize(4);
        assertThat(completed.stream().map(c -> c.body().path("transition_id").asText()).distinct()).hasSize(1);
        assertThat(api.console.toString()).containsOnlyOnce("retrying until it is back").contains("reachable again");
    }

    @Test
    void aFlowPrinting100MB_shipsAtMost20MiB_andStillFinishes() {
        // 100,000 lines of 1,000 characters: five times the per-run cap.
        String script = "yes \"$(printf %01000d 0)\" | head -n 100000";
        long started = System.nanoTime();

        api.runProcess(FakeRuns.item("r10", "sh -c '" + script + "'", null, Map.of())).run();

        assertThat(api.reports("r10")).containsExactly("RUNNING", "COMPLETED");
        List<String> messages = api.messages("r10");
        long shipped = messages.stream().mapToLong(String::length).sum();
        assertThat(shipped).isLessThanOrEqualTo(LogShipper.RUN_CAP_BYTES + 1_000);
        assertThat(shipped).isGreaterThan(LogShipper.RUN_CAP_BYTES - 10_000);
        assertThat(messages.get(messages.size() - 1)).isEqualTo(LogShipper.CAPPED);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(60);
    }
}
