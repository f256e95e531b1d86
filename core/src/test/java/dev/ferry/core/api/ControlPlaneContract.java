package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.testing.ClockDrivenDelivery;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import dev.ferry.core.testing.ThreadRace;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The control plane through the router, on each adapter set. */
public abstract class ControlPlaneContract {
    /** A fresh, empty API over the adapter set under test; {@code adminKey} null for an open server. */
    protected abstract TestApi newApi(String adminKey);

    /** {@link #newApi(String)} with other settings (a run log quota a test reaches in two requests). */
    protected abstract TestApi newApi(String adminKey, dev.ferry.core.Settings settings);

    TestApi api;

    @BeforeEach
    void start() {
        api = newApi(null);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void tutorialPath_poolQueueWorkerDeploymentRunLogs() {
        JsonNode pool = api.pool("my-process-pool");
        assertThat(pool.get("type").asText()).isEqualTo("process");
        assertThat(pool.get("status").asText()).isEqualTo("NOT_READY");
        assertThat(pool.at("/base_job_template/job_configuration/command").asText()).isEqualTo("{{ command }}");

        JsonNode queues = TestApi.ok(api.get("/api/work_pools/my-process-pool/queues")).get("items");
        assertThat(queues).hasSize(1);
        assertThat(queues.get(0).get("name").asText()).isEqualTo("default");
        assertThat(queues.get(0).get("status").asText()).isEqualTo("NOT_READY");

        assertThat(api.claim("my-process-pool", "w1", 1)).isEmpty();
        assertThat(TestApi.ok(api.get("/api/work_pools/my-process-pool/queues/default")).get("status").asText())
                .isEqualTo("READY");
        JsonNode workers = TestApi.ok(api.get("/api/work_pools/my-process-pool/workers")).get("items");
        assertThat(workers.get(0).get("name").asText()).isEqualTo("w1");
        assertThat(workers.get(0).get("status").asText()).isEqualTo("ONLINE");
        assertThat(TestApi.ok(api.get("/api/work_pools/my-process-pool")).get("status").asText()).isEqualTo("READY");

        JsonNode deployment = api.deployment("my-process-pool", "\"parameter_openapi_schema\": {\"type\": \"object\", "
                + "\"properties\": {\"name\": {\"type\": \"string\", \"default\": \"world\"}}}");
        JsonNode run = api.run(deployment.get("id").asText(), "{\"parameters\": {\"name\": \"Marvin\"}}");
        assertThat(run.get("state_type").asText()).isEqualTo("SCHEDULED");
        assertThat(run.get("name").asText()).matches("[a-z]+-[a-z]+");

        JsonNode claimed = api.claim("my-process-pool", "w1", 1);
        assertThat(claimed).hasSize(1);
        assertThat(claimed.get(0).at("/flow_run/state_type").asText()).isEqualTo("PENDING");
        assertThat(claimed.get(0).at("/flow_run/worker_name").asText()).isEqualTo("w1");
        assertThat(claimed.get(0).at("/flow_run/parameters/name").asText()).isEqualTo("Marvin");
        assertThat(claimed.get(0).at("/deployment/entrypoint").asText()).isEqualTo("flows/my_flow.py:my_flow");
        assertThat(claimed.get(0).at("/job_configuration/stream_output").asBoolean()).isTrue();

        String id = run.get("id").asText();
        assertThat(api.post("/api/flow_runs/" + id + "/set_state",
                "{\"state\": {\"type\": \"RUNNING\"}, \"infrastructure_id\": \"4242\"}").status()).isEqualTo(200);
        assertThat(api.post("/api/flow_runs/" + id + "/logs",
                "{\"logs\": [{\"stream\": \"stdout\", \"message\": \"Hello, Marvin!\"}]}").status()).isEqualTo(204);
        assertThat(api.setState(id, "COMPLETED").status()).isEqualTo(200);

        JsonNode done = TestApi.ok(api.get("/api/flow_runs/" + id));
        assertThat(done.get("state_type").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("infrastructure_id").asText()).isEqualTo("4242");
        assertThat(done.get("run_count").asInt()).isEqualTo(1);
        assertThat(done.get("state_history")).extracting(s -> s.get("type").asText())
                .containsExactly("SCHEDULED", "PENDING", "RUNNING", "COMPLETED");
        JsonNode logs = TestApi.ok(api.get("/api/flow_runs/" + id + "/logs")).get("items");
        assertThat(logs.get(0).get("message").asText()).isEqualTo("Hello, Marvin!");
    }

    @Test
    void createFlowRun_withTheSameIdempotencyKey_returnsTheSameRun() {
        api.pool("p");
        String dep = api.deployment("p", null).get("id").asText();
        Response first = api.post("/api/deployments/" + dep + "/create_flow_run", "{\"idempotency_key\": \"k1\"}");
        Response again = api.post("/api/deployments/" + dep + "/create_flow_run", "{\"idempotency_key\": \"k1\"}");
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("id")).isEqualTo(first.body().get("id"));
        assertThat(api.claim("p", "w", 10)).as("one run, delivered once").hasSize(1);
    }

    @Test
    void deploy_isAnUpsertOnFlowNameAndName() {
        api.pool("p");
        JsonNode first = api.deployment("p", "\"description\": \"one\"");
        Response second = api.post("/api/deployments", "{\"name\": \"my-deployment\", \"flow_name\": \"my-flow\", "
                + "\"entrypoint\": \"flows/other.py:f\", \"work_pool_name\": \"p\", \"description\": \"two\"}");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body().get("id")).isEqualTo(first.get("id"));
        assertThat(second.body().get("entrypoint").asText()).isEqualTo("flows/other.py:f");
        assertThat(TestApi.ok(api.get("/api/deployments/name/my-flow/my-deployment")).get("description").asText())
                .isEqualTo("two");
    }

    @Test
    void parametersAndJobVariables_mergeOverTheDeployments_andDefaultsFillTheRest() {
        api.pool("p");
        String dep = api.deployment("p", "\"parameters\": {\"a\": 1, \"b\": 2}, "
                + "\"job_variables\": {\"env\": {\"MODE\": \"prod\", \"X\": \"1\"}}").get("id").asText();
        JsonNode run = api.run(dep, "{\"parameters\": {\"b\": 3}, \"job_variables\": {\"env\": {\"X\": \"2\"}, \"timeout_seconds\": 60}}");
        assertThat(run.get("parameters").toString()).isEqualTo("{\"a\":1,\"b\":3}");
        assertThat(run.at("/job_variables/env").toString()).isEqualTo("{\"MODE\":\"prod\",\"X\":\"2\"}");
        assertThat(run.at("/job_variables/stream_output").asBoolean()).as("schema default").isTrue();
        JsonNode claimed = api.claim("p", "w", 1).get(0);
        assertThat(claimed.at("/job_configuration/timeout_seconds").asInt()).isEqualTo(60);
        assertThat(claimed.at("/job_configuration/env/MODE").asText()).isEqualTo("prod");
    }

    @Test
    void claims_followQueuePriority_thenScheduledTime() {
        api.pool("p");
        TestApi.ok(api.post("/api/work_pools/p/queues", "{\"name\": \"urgent\", \"priority\": 1}"));
        TestApi.ok(api.patch("/api/work_pools/p/queues/default", "{\"priority\": 5}"));
        String low = api.deployment("p", null).get("id").asText();
        String high = TestApi.ok(api.post("/api/deployments", "{\"name\": \"hi\", \"flow_name\": \"f\", "
                + "\"entrypoint\": \"a.py:f\", \"work_pool_name\": \"p\", \"work_queue_name\": \"urgent\"}")).get("id").asText();
        String lowRun = api.run(low, null).get("id").asText();
        String highRun = api.run(high, null).get("id").asText();
        assertThat(api.claim("p", "w", 1).get(0).at("/flow_run/id").asText()).isEqualTo(highRun);
        assertThat(api.claim("p", "w", 1).get(0).at("/flow_run/id").asText()).isEqualTo(lowRun);
    }

    @ClockDrivenDelivery
    @Test
    void poolLimit_isNeverExceeded_andTheSlotComesBackOnATerminalState() {
        api.pool("p");
        TestApi.ok(api.patch("/api/work_pools/p", "{\"concurrency_limit\": 1}"));
        String dep = api.deployment("p", null).get("id").asText();
        for (int i = 0; i < 3; i++) api.run(dep, null);
        JsonNode first = api.claim("p", "w", 10);
        assertThat(first).hasSize(1);
        assertThat(api.claim("p", "w", 10)).isEmpty();
        String id = first.get(0).at("/flow_run/id").asText();
        api.setState(id, "RUNNING");
        api.setState(id, "FAILED");
        api.clock.advance(Duration.ofSeconds(3)); // past the limit back-off of the refused messages
        assertThat(api.claim("p", "w", 10)).hasSize(1);
    }

    @Test
    void queueLimit_isEnforced_whileOtherQueuesStillServe() {
        api.pool("p");
        TestApi.ok(api.patch("/api/work_pools/p/queues/default", "{\"concurrency_limit\": 1}"));
        String dep = api.deployment("p", null).get("id").asText();
        api.run(dep, null);
        api.run(dep, null);
        assertThat(api.claim("p", "w", 10)).hasSize(1);
        assertThat(api.claim("p", "w", 10)).isEmpty();
    }

    @Test
    void deploymentLimit_withCancelNew_cancelsTheNewRun() {
        api.pool("p");
        String dep = api.deployment("p", "\"concurrency_limit\": 1, \"collision_strategy\": \"CANCEL_NEW\"").get("id").asText();
        String a = api.run(dep, null).get("id").asText();
        String b = api.run(dep, null).get("id").asText();
        assertThat(api.claim("p", "w", 10)).hasSize(1);
        JsonNode cancelled = TestApi.ok(api.get("/api/flow_runs/" + b));
        assertThat(cancelled.get("state_type").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.at("/state/message").asText()).contains("CANCEL_NEW");
        assertThat(TestApi.ok(api.get("/api/flow_runs/" + a)).get("state_type").asText()).isEqualTo("PENDING");
    }

    @ClockDrivenDelivery
    @Test
    void pausedPoolQueueOrDeployment_givesNothing() {
        api.pool("p");
        String dep = api.deployment("p", null).get("id").asText();
        api.run(dep, null);
        TestApi.ok(api.patch("/api/work_pools/p", "{\"is_paused\": true}"));
        assertThat(api.claim("p", "w", 10)).isEmpty();
        TestApi.ok(api.patch("/api/work_pools/p", "{\"is_paused\": false}"));
        TestApi.ok(api.patch("/api/work_pools/p/queues/default", "{\"is_paused\": true}"));
        assertThat(api.claim("p", "w", 10)).isEmpty();
        assertThat(TestApi.ok(api.get("/api/work_pools/p/queues/default")).get("status").asText()).isEqualTo("PAUSED");
        TestApi.ok(api.patch("/api/work_pools/p/queues/default", "{\"is_paused\": false}"));
        TestApi.ok(api.patch("/api/deployments/" + dep, "{\"paused\": true}"));
        assertThat(api.claim("p", "w", 10)).isEmpty();
        TestApi.ok(api.patch("/api/deployments/" + dep, "{\"paused\": false}"));
        api.clock.advance(Duration.ofSeconds(3));
        assertThat(api.claim("p", "w", 10)).hasSize(1);
    }

    @ClockDrivenDelivery
    @Test
    void futureRuns_areNotClaimedBeforeTheirTime() {
        api.pool("p");
        String dep = api.deployment("p", null).get("id").asText();
        String at = api.clock.now().plusSeconds(600).toString();
        api.run(dep, "{\"scheduled_start_time\": \"" + at + "\"}");
        assertThat(api.claim("p", "w", 10)).isEmpty();
        api.clock.advance(Duration.ofSeconds(601));
        assertThat(api.claim("p", "w", 10)).hasSize(1);
    }

    @Test
    void longPoll_handsOverARunCreatedWhileTheWorkerWaits() throws Exception {
        api.pool("p");
        String dep = api.deployment("p", null).get("id").asText();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Response> poll = pool.submit(() -> api.post("/api/work_pools/p/get_scheduled_flow_runs",
                    "{\"worker_name\": \"w\", \"wait_seconds\": 10}"));
            Thread.onSpinWait();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    TestApi.ok(api.get("/api/work_pools/p/queues/default")).get("status").asText().equals("READY"));
            long start = System.nanoTime();
            String id = api.run(dep, null).get("id").asText();
            Response answer = poll.get(5, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(answer.body().at("/items/0/flow_run/id").asText()).isEqualTo(id);
            assertThat(millis).as("handed over at once, not at the next poll").isLessThan(2000);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void longPoll_answersBeforeTheCallersTimeRunsOut_evenWhenItAskedToWaitLonger() {
        api.pool("p");
        ApiRequest poll = new ApiRequest("POST", "/api/work_pools/p/get_scheduled_flow_runs", Map.of(),
                Map.of("content-type", "application/json"),
                "{\"worker_name\": \"w\", \"wait_seconds\": 20}".getBytes(StandardCharsets.UTF_8));
        Duration timeLeft = Duration.ofSeconds(4); // a Lambda with 4 s to its deadline

        long start = System.nanoTime();
        ApiResponse answer = api.router.handle(poll.withTimeLeft(timeLeft));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(took).as("stops waiting with room for the answer, not after 20 s").isLessThan(timeLeft);
    }

    @ThreadRace
    @ClockDrivenDelivery
    @Test
    void twoWorkersRacing_underALimitOfOne_neverRunTwoAtOnce_andRunEachRunOnce() throws Exception {
        api.pool("p");
        TestApi.ok(api.patch("/api/work_pools/p", "{\"concurrency_limit\": 1}"));
        String dep = api.deployment("p", null).get("id").asText();
        int runs = 20;
        for (int i = 0; i < runs; i++) api.run(dep, null);
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        Set<String> executed = ConcurrentHashMap.newKeySet();
        List<String> duplicates = new CopyOnWriteArrayList<>();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        List<Future<?>> futures = new ArrayList<>();
        for (String worker : List.of("w1", "w2")) {
            futures.add(workers.submit(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (executed.size() < runs && System.nanoTime() < deadline) {
                    for (JsonNode item : api.claim("p", worker, 1)) {
                        String id = item.at("/flow_run/id").asText();
                        maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                        if (!executed.add(id)) duplicates.add(id);
                        assertThat(api.setState(id, "RUNNING").status()).isEqualTo(200);
                        active.decrementAndGet();
                        assertThat(api.setState(id, "COMPLETED").status()).isEqualTo(200);
                    }
                    api.clock.advance(Duration.ofSeconds(3));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get(90, TimeUnit.SECONDS);
        workers.shutdownNow();
        assertThat(executed).hasSize(runs);
        assertThat(duplicates).isEmpty();
        assertThat(maxActive.get()).isEqualTo(1);
        assertThat(TestApi.ok(api.get("/api/flow_runs?state_type=COMPLETED&limit=200")).get("items")).hasSize(runs);
    }

    @Test
    void aLogPageOfLongLines_staysSmall_andTheNextPagesHaveTheRest() {
        api.pool("p");
        String id = api.run(api.deployment("p", null).get("id").asText(), null).get("id").asText();
        String line = "x".repeat(60_000);
        for (int batch = 0; batch < 2; batch++) {
            StringBuilder body = new StringBuilder("{\"logs\": [");
            for (int i = 0; i < 10; i++) body.append(i == 0 ? "" : ", ").append("{\"message\": \"").append(line).append("\"}");
            assertThat(api.post("/api/flow_runs/" + id + "/logs", body.append("]}").toString()).status()).isEqualTo(204);
        }

        JsonNode first = TestApi.ok(api.get("/api/flow_runs/" + id + "/logs?limit=1000"));
        int total = first.get("items").size();
        String next = first.get("next").asText(null);
        while (next != null) {
            JsonNode page = TestApi.ok(api.get("/api/flow_runs/" + id + "/logs?limit=1000&after=" + next));
            total += page.get("items").size();
            next = page.get("next").asText(null);
        }

        assertThat(first.get("items").size()).as("about 512 Ki characters a page").isBetween(1, 9);
        assertThat(total).isEqualTo(20);
    }

    @Test
    void poolQueueAndWorkerLists_comeInPages_followingTheirCursors() {
        for (String name : List.of("c", "a", "b")) api.pool(name);
        for (int i = 0; i < 3; i++) {
            TestApi.ok(api.post("/api/work_pools/a/queues", "{\"name\": \"q" + i + "\", \"priority\": " + (3 - i) + "}"));
            TestApi.ok(api.post("/api/work_pools/a/workers/heartbeat", "{\"name\": \"w" + i + "\"}"));
        }

        assertThat(allPages("/api/work_pools", 2)).containsExactly("a", "b", "c");
        assertThat(allPages("/api/work_pools/a/queues", 3)).as("priority order").containsExactly("default", "q2", "q1", "q0");
        assertThat(allPages("/api/work_pools/a/workers", 1)).containsExactly("w0", "w1", "w2");
        JsonNode first = TestApi.ok(api.get("/api/work_pools?limit=2"));
        assertThat(first.get("items")).hasSize(2);
        Response foreign = api.get("/api/work_pools/a/workers?next=" + first.get("next").asText());
        assertThat(foreign.status()).as("a pool list's cursor on the worker list").isEqualTo(422);
        assertThat(foreign.field()).isEqualTo("next");
        assertThat(api.get("/api/work_pools/a/queues?limit=0").field()).isEqualTo("limit");
    }

    private List<String> allPages(String path, int limit) {
        List<String> names = new ArrayList<>();
        String next = null;
        do {
            JsonNode page = TestApi.ok(api.get(path + "?limit=" + limit + (next == null ? "" : "&next=" + next)));
            assertThat(page.get("items").size()).isLessThanOrEqualTo(limit);
            page.get("items").forEach(item -> names.add(item.get("name").asText()));
            next = page.get("next").isNull() ? null : page.get("next").asText();
        } while (next != null);
        return names;
    }

    @Test
    void aRunsLogPastItsQuota_isTruncated_endsWithOneMarker_andEveryPageSaysSo() {
        dev.ferry.core.Settings oneMib = dev.ferry.core.Settings.from(java.util.Map.of(dev.ferry.core.Settings.RUN_LOG_MAX_MIB, "1"));
        try (TestApi small = newApi(null, oneMib)) {
            small.pool("p");
            String id = small.run(small.deployment("p", null).get("id").asText(), null).get("id").asText();
            String line = "x".repeat(60_000);
            for (int batch = 0; batch < 2; batch++) {
                StringBuilder body = new StringBuilder("{\"logs\": [");
                for (int i = 0; i < 10; i++) body.append(i == 0 ? "" : ", ").append("{\"message\": \"").append(line).append("\"}");
                assertThat(small.post("/api/flow_runs/" + id + "/logs", body.append("]}").toString()).status()).isEqualTo(204);
            }

            List<JsonNode> lines = new ArrayList<>();
            List<Boolean> truncated = new ArrayList<>();
            String next = "0";
            while (next != null) {
                JsonNode page = TestApi.ok(small.get("/api/flow_runs/" + id + "/logs?limit=1000&after=" + next));
                page.get("items").forEach(lines::add);
                truncated.add(page.get("truncated").asBoolean());
                next = page.get("next").asText(null);
            }

            assertThat(truncated).as("every page").containsOnly(true);
            assertThat(lines).as("17 lines of 60,000 bytes fit 1 MiB, then the marker").hasSize(18);
            JsonNode marker = lines.get(17);
            assertThat(marker.get("stream").asText()).isEqualTo("worker");
            assertThat(marker.get("message").asText()).contains("truncated").contains("3 more lines (180000 bytes) were dropped");
        }
        api.pool("q");
        String untouched = api.run(api.deployment("q", null).get("id").asText(), null).get("id").asText();
        assertThat(TestApi.ok(api.get("/api/flow_runs/" + untouched + "/logs")).get("truncated").asBoolean()).isFalse();
    }

    @ThreadRace
    @Test
    void manyProgressReportsAtOnce_allAnswer200Or503_andTheRunStaysSmall() throws Exception {
        api.pool("p");
        String id = api.run(api.deployment("p", null).get("id").asText(), null).get("id").asText();
        api.claim("p", "w", 1);
        ExecutorService reporters = Executors.newFixedThreadPool(16);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String body = "{\"state\": {\"type\": \"PENDING\", \"message\": \"step " + i + "\"}}";
                answers.add(reporters.submit(() -> api.post("/api/flow_runs/" + id + "/set_state", body)));
            }
            for (Future<Response> answer : answers) {
                Response r = answer.get(60, TimeUnit.SECONDS);
                assertThat(r.status()).as("%s", r.body()).isIn(200, 503);
                if (r.status() == 503) assertThat(r.headers()).containsKey("Retry-After");
            }
        } finally {
            reporters.shutdownNow();
        }
        assertThat(TestApi.ok(api.get("/api/flow_runs/" + id)).get("state_history").size()).isLessThanOrEqualTo(3);
    }

    @Test
    void aWorkerOrFlow_mayEndARunCancelled_onlyAfterAUserCancelledIt() {
        api.pool("p");
        String id = api.run(api.deployment("p", null).get("id").asText(), null).get("id").asText();
        api.claim("p", "w", 1);
        api.setState(id, "RUNNING");

        Response early = api.setState(id, "CANCELLED");
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.body().path("detail").asText()).contains("only after it was cancelled");
        assertThat(TestApi.ok(api.get("/api/flow_runs/" + id)).get("state_type").asText()).isEqualTo("RUNNING");

        TestApi.ok(api.post("/api/flow_runs/" + id + "/cancel", null));
        assertThat(TestApi.ok(api.setState(id, "CANCELLED")).at("/flow_run/state_type").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void aRunList_leavesTheHistoryOut_whileTheRunHasIt() {
        api.pool("p");
        String id = api.run(api.deployment("p", null).get("id").asText(), null).get("id").asText();

        JsonNode listed = TestApi.ok(api.get("/api/flow_runs")).get("items").get(0);
        JsonNode read = TestApi.ok(api.get("/api/flow_runs/" + id));

        assertThat(listed.get("id").asText()).isEqualTo(id);
        assertThat(listed.has("state_history")).isFalse();
        assertThat(listed.at("/state/type").asText()).isEqualTo("SCHEDULED");
        assertThat(read.get("state_history")).hasSize(1);
    }

    @Test
    void repeatedReportsOfTheSameState_writeNothing_andProgressDoesNotGrowTheRun() {
        api.pool("p");
        String id = api.run(api.deployment("p", null).get("id").asText(), null).get("id").asText();
        api.claim("p", "w", 1);
        api.setState(id, "PENDING");
        long reportedVersion = TestApi.ok(api.get("/api/flow_runs/" + id)).get("version").asLong();

        for (int i = 0; i < 50; i++) api.setState(id, "PENDING");
        JsonNode afterRepeats = TestApi.ok(api.get("/api/flow_runs/" + id));
        for (int i = 0; i < 50; i++) {
            TestApi.ok(api.post("/api/flow_runs/" + id + "/set_state",
                    "{\"state\": {\"type\": \"PENDING\", \"message\": \"provisioning " + i + "\"}}"));
        }
        JsonNode afterProgress = TestApi.ok(api.get("/api/flow_runs/" + id));

        assertThat(afterRepeats.get("version").asLong()).as("a repeated report is no write").isEqualTo(reportedVersion);
        assertThat(afterProgress.get("state_history")).as("scheduled, claimed, the latest progress").hasSize(3);
        assertThat(afterProgress.at("/state/message").asText()).isEqualTo("provisioning 49");
        assertThat(afterProgress.at("/state_history/1/message").asText()).as("the claim's entry stays").contains("claimed by w");
    }

    @Test
    void janitor_crashesRunsWithoutHeartbeat_andTheirSlotComesBack() {
        api.pool("p");
        TestApi.ok(api.patch("/api/work_pools/p", "{\"concurrency_limit\": 1}"));
        String dep = api.deployment("p", null).get("id").asText();
        String first = api.run(dep, null).get("id").asText();
        api.run(dep, null);
        api.claim("p", "w", 1);
        api.setState(first, "RUNNING");
        api.clock.advance(Duration.ofSeconds(60));
        assertThat(api.post("/api/flow_runs/" + first + "/heartbeat", null).status()).isEqualTo(200);
        api.clock.advance(Duration.ofSeconds(60));
        api.ferry.janitor().sweep();
        assertThat(TestApi.ok(api.get("/api/flow_runs/" + first)).get("state_type").asText())
                .as("a heartbeat 60 s ago keeps it alive").isEqualTo("RUNNING");
        api.clock.advance(Duration.ofSeconds(31));
        api.ferry.janitor().sweep();
        JsonNode crashed = TestApi.ok(api.get("/api/flow_runs/" + first));
        assertThat(crashed.get("state_type").asText()).isEqualTo("CRASHED");
        assertThat(crashed.at("/state/message").asText()).contains("no heartbeat");
        assertThat(api.claim("p", "w", 1)).as("the slot is back").hasSize(1);
    }

    @Test
    void janitor_marksRunsLate_andEndsCancellationsNobodyCarriesOut() {
        api.pool("p");
        String dep = api.deployment("p", "\"concurrency_limit\": 5").get("id").asText();
        String late = api.run(dep, null).get("id").asText();
        api.clock.advance(Duration.ofSeconds(16));
        api.ferry.janitor().sweep();
        assertThat(TestApi.ok(api.get("/api/flow_runs/" + late)).at("/state/name").asText()).isEqualTo("Late");

        api.claim("p", "w", 1);
        api.setState(late, "RUNNING");
        assertThat(TestApi.ok(api.post("/api/flow_runs/" + late + "/cancel", null)).get("state_type").asText())
                .isEqualTo("CANCELLING");
        api.clock.advance(Duration.ofMinutes(6));
        api.ferry.janitor().sweep();
        assertThat(TestApi.ok(api.get("/api/flow_runs/" + late)).get("state_type").asText()).isEqualTo("CANCELLED");
    }

    @ClockDrivenDelivery
    @Test
    void failedRunWithRetries_isScheduledAgain_afterTheDelay() {
        api.pool("p");
        String dep = api.deployment("p", "\"retries\": 1, \"retry_delay_seconds\": 30").get("id").asText();
        String id = api.run(dep, null).get("id").asText();
        api.claim("p", "w", 1);
        api.setState(id, "RUNNING");
        JsonNode retrying = TestApi.ok(api.post("/api/flow_runs/" + id + "/set_state",
                "{\"state\": {\"type\": \"FAILED\", \"message\": \"boom\"}}")).get("flow_run");
        assertThat(retrying.at("/state/name").asText()).isEqualTo("AwaitingRetry");
        assertThat(api.claim("p", "w", 1)).isEmpty();
        api.clock.advance(Duration.ofSeconds(31));
        assertThat(api.claim("p", "w", 1)).hasSize(1);
        api.setState(id, "RUNNING");
        api.setState(id, "FAILED");
        assertThat(TestApi.ok(api.get("/api/flow_runs/" + id)).get("state_type").asText()).isEqualTo("FAILED");
        assertThat(TestApi.ok(api.post("/api/flow_runs/" + id + "/retry", null)).get("state_type").asText())
                .isEqualTo("SCHEDULED");
    }

    @Test
    void cancellingAScheduledRun_endsItAtOnce_andItIsNeverClaimed() {
        api.pool("p");
        String dep = api.deployment("p", null).get("id").asText();
        String id = api.run(dep, null).get("id").asText();
        assertThat(TestApi.ok(api.post("/api/flow_runs/" + id + "/cancel", null)).get("state_type").asText())
                .isEqualTo("CANCELLED");
        assertThat(api.claim("p", "w", 10)).isEmpty();
    }

    @Test
    void apiKey_isRequiredWhenConfigured_exceptForHealth() {
        try (TestApi secured = newApi("s3cret")) {
            assertThat(secured.get("/api/health").status()).isEqualTo(200);
            assertThat(secured.get("/api/work_pools").status()).isEqualTo(401);
            assertThat(secured.call("GET", "/api/work_pools", null, Map.of("authorization", "Bearer wrong")).status()).isEqualTo(401);
            assertThat(secured.call("GET", "/api/work_pools", null, Map.of("authorization", "Bearer s3cret")).status()).isEqualTo(200);
        }
    }
}
