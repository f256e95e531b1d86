package dev.ferry.cli.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessWorkerTest {
    private final FakeRuns api = new FakeRuns();

    @AfterEach
    void stop() {
        api.close();
    }

    private ProcessWorker worker(List<String> queues, int limit, boolean runOnce) {
        return new ProcessWorker(api.retrying(), api.probe(),
                new ProcessWorker.Options("local", queues, limit, runOnce, 30), api.settings("w1"), api.log);
    }

    @Test
    void runOnce_claimsWhatFitsItsFreeSlots_runsItToTheEnd_andReturns() {
        api.toClaim.add(FakeRuns.item("a", "echo a", null, Map.of()));
        api.toClaim.add(FakeRuns.item("b", "sh -c 'exit 4'", null, Map.of()));
        api.toClaim.add(FakeRuns.item("c", "echo c", null, Map.of()));

        worker(List.of("high", "low"), 2, true).run();

        assertThat(api.reports("a")).containsExactly("RUNNING", "COMPLETED");
        assertThat(api.reports("b")).containsExactly("RUNNING", "FAILED: exit code 4");
        assertThat(api.reports("c")).isEmpty();
        JsonNode claim = api.http.calls("POST", "/api/work_pools/local/get_scheduled_flow_runs").get(0).body();
        assertThat(claim.path("worker_name").asText()).isEqualTo("w1");
        assertThat(claim.path("limit").asInt()).isEqualTo(2);
        assertThat(claim.path("wait_seconds").asInt()).isEqualTo(ProcessWorker.RUN_ONCE_POLL_SECONDS);
        assertThat(claim.path("work_queue_names").toString()).isEqualTo("[\"high\",\"low\"]");
        JsonNode heartbeat = api.http.calls("POST", "/api/work_pools/local/workers/heartbeat").get(0).body();
        assertThat(heartbeat.path("name").asText()).isEqualTo("w1");
        assertThat(heartbeat.path("heartbeat_interval_seconds").asInt()).isEqualTo(30);
        assertThat(api.console.toString()).contains("Worker 'w1' started; polling work pool 'local' (queues high, low)");
    }

    @Test
    void withoutQueues_theClaimOmitsThem() {
        worker(List.of(), 1, true).run();

        JsonNode claim = api.http.calls("POST", "/api/work_pools/local/get_scheduled_flow_runs").get(0).body();
        assertThat(claim.has("work_queue_names")).isFalse();
    }

    @Test
    void withAllSlotsBusy_itDoesNotPoll_untilARunEnds() throws Exception {
        api.toClaim.add(FakeRuns.item("slow", "sleep 2", null, Map.of()));
        ProcessWorker worker = worker(List.of(), 1, false);
        Thread thread = new Thread(worker::run);
        thread.start();
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.reports("slow").contains("RUNNING"));
        int pollsWhileBusy = api.http.calls("POST", ".*/get_scheduled_flow_runs").size();

        await().atMost(10, TimeUnit.SECONDS).until(() -> api.reports("slow").contains("COMPLETED"));
        int pollsAtEnd = api.http.calls("POST", ".*/get_scheduled_flow_runs").size();
        worker.shutdown();
        thread.join(20_000);

        assertThat(pollsWhileBusy).isEqualTo(1);
        assertThat(pollsAtEnd).isLessThanOrEqualTo(2);
    }

    @Test
    void shutdown_killsRunningProcesses_andReportsThemCrashed_withinTheDeadline() throws Exception {
        api.toClaim.add(FakeRuns.item("long", "sh -c 'sleep 300 & wait'", null, Map.of()));
        ProcessWorker worker = worker(List.of(), 5, false);
        Thread thread = new Thread(worker::run);
        thread.start();
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.reports("long").contains("RUNNING"));
        long pid = api.http.calls("POST", "/api/flow_runs/long/set_state").get(0).body().path("infrastructure_id").asLong();
        ProcessHandle root = ProcessHandle.of(pid).orElseThrow();
        await().atMost(10, TimeUnit.SECONDS).until(() -> root.descendants().count() == 1);
        ProcessHandle child = root.descendants().findFirst().orElseThrow();

        long started = System.nanoTime();
        worker.shutdown();
        long tookSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        thread.join(5_000);

        assertThat(tookSeconds).isLessThan(15);
        assertThat(thread.isAlive()).isFalse();
        assertThat(api.reports("long")).containsExactly("RUNNING", "CRASHED: worker w1 shut down");
        assertThat(ProcessTree.runs(root)).isFalse();
        assertThat(ProcessTree.runs(child)).isFalse();
    }
}
