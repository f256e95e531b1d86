package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.deployments.DeploymentService;
import dev.ferry.core.schedules.Firing;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import dev.ferry.core.testing.ThreadRace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Edits of one record racing each other through the API: every acknowledged change is stored,
 * its side effects (armed firings) exist exactly for what is stored, and a request that could
 * not get its write in answers 409, or 503 with {@code Retry-After}, never 500. Each adapter set
 * runs this by supplying {@link #newApi()}.
 */
public abstract class ConcurrentEditsContract {
    protected TestApi api;
    protected String deploymentId;

    /** A fresh, empty API over the adapter set under test. */
    protected abstract TestApi newApi();

    @BeforeEach
    void start() {
        api = newApi();
        api.pool("pool");
        deploymentId = api.deployment("pool", null).get("id").asText();
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    @ThreadRace
    @ParameterizedTest(name = "{0} writers")
    @ValueSource(ints = {16, 64})
    void concurrentScheduleCreates_storeEveryAcknowledgedSchedule_andArmOnlyThose(int writers) throws Exception {
        List<Callable<Response>> creates = new ArrayList<>();
        for (int i = 0; i < writers; i++) creates.add(addSchedule(i));

        List<Response> answers = race(creates);

        assertAcknowledgedSchedulesStoredAndArmed(answers, writers);
    }

    @ThreadRace
    @ParameterizedTest(name = "round {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void concurrentPoolPatches_ofDifferentFields_allLand(int round) throws Exception {
        List<Response> answers = race(List.of(
                () -> api.patch("/api/work_pools/pool", "{\"description\": \"round " + round + "\"}"),
                () -> api.patch("/api/work_pools/pool", "{\"concurrency_limit\": " + round + "}"),
                () -> api.patch("/api/work_pools/pool", "{\"is_paused\": " + (round % 2 == 0) + "}")));

        assertAllSucceeded(answers);
        assertPoolHasEveryPatch(round);
    }

    @ThreadRace
    @ParameterizedTest(name = "round {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void concurrentQueuePatches_ofDifferentFields_allLand(int round) throws Exception {
        String queue = "/api/work_pools/pool/queues/default";
        List<Response> answers = race(List.of(
                () -> api.patch(queue, "{\"description\": \"round " + round + "\"}"),
                () -> api.patch(queue, "{\"priority\": " + (round + 1) + "}"),
                () -> api.patch(queue, "{\"concurrency_limit\": " + round + "}"),
                () -> api.patch(queue, "{\"is_paused\": " + (round % 2 == 0) + "}")));

        assertAllSucceeded(answers);
        assertQueueHasEveryPatch(round);
    }

    @ThreadRace
    @ParameterizedTest(name = "round {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void aPauseRacingTheJanitorsResume_isNeverErased(int round) throws Exception {
        pauseUntilItIsDue();

        List<Response> answers = race(List.of(
                () -> api.post("/api/deployments/" + deploymentId + "/pause", "{\"note\": \"keep me " + round + "\"}"),
                () -> {
                    api.ferry.schedules().heal(Duration.ofMinutes(3));
                    return null;
                }));

        assertAllSucceeded(answers);
        assertPausedWithNote("keep me " + round);
    }

    @ThreadRace
    @ParameterizedTest(name = "{0} writers")
    @ValueSource(ints = {16})
    void redeploysRacingScheduleCreates_keepEveryAcknowledgedSchedule(int writers) throws Exception {
        List<Callable<Response>> writes = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            writes.add(addSchedule(i));
            writes.add(this::redeploy);
        }

        List<Response> answers = race(writes);

        assertAllSucceeded(answers);
        assertAcknowledgedSchedulesStoredAndArmed(answers.stream().filter(r -> r.status() == 201).toList(), writers);
    }

    // ------------------------------------------------------------------ for subclasses that force interleavings

    protected Callable<Response> addSchedule(int i) {
        return () -> api.post("/api/deployments/" + deploymentId + "/schedules", "{\"interval\": " + (3600 + i) + "}");
    }

    protected Response redeploy() {
        return api.post("/api/deployments", "{\"name\": \"my-deployment\", \"flow_name\": \"my-flow\", "
                + "\"entrypoint\": \"flows/my_flow.py:my_flow\", \"work_pool_name\": \"pool\", \"description\": \"again\"}");
    }

    protected Response patchPool(String body) {
        return api.patch("/api/work_pools/pool", body);
    }

    /** Pauses the deployment with a {@code resume_at} that the clock then passes: the janitor's pass would resume it. */
    protected void pauseUntilItIsDue() {
        TestApi.ok(api.post("/api/deployments/" + deploymentId + "/pause", "{\"note\": \"for a second\", \"resume_at\": \""
                + api.clock.now().plusSeconds(1) + "\"}"));
        api.clock.advance(Duration.ofSeconds(2));
    }

    /**
     * Every 201 is stored and armed, nothing else is; past the per-deployment limit the rest are
     * refused with 422 (the limit holds under the race too).
     */
    protected void assertAcknowledgedSchedulesStoredAndArmed(List<Response> answers, int writers) {
        Set<String> acknowledged = new HashSet<>();
        for (Response r : answers) {
            assertThat(r.status()).as(r.body().toString()).isIn(201, 409, 422, 503);
            if (r.status() == 503) assertThat(r.headers()).containsKey("Retry-After");
            if (r.status() == 422) assertThat(r.body().get("detail").asText()).contains("at most");
            if (r.status() == 201) acknowledged.add(r.body().get("slug").asText());
        }
        JsonNode stored = TestApi.ok(api.get("/api/deployments/" + deploymentId + "/schedules")).get("items");
        Set<String> storedSlugs = new HashSet<>();
        stored.forEach(s -> storedSlugs.add(s.get("slug").asText()));
        assertThat(storedSlugs).as("every acknowledged schedule, and only those").isEqualTo(acknowledged);
        assertThat(acknowledged).as("every writer got its schedule in, up to the limit")
                .hasSize(Math.min(writers, DeploymentService.MAX_SCHEDULES));
        Set<String> armed = api.timer.armed().keySet().stream().collect(Collectors.toSet());
        assertThat(armed).as("a firing is armed for each stored schedule, and for nothing else")
                .isEqualTo(storedSlugs.stream().map(slug -> Firing.timerKey(deploymentId, slug)).collect(Collectors.toSet()));
    }

    protected void assertAllSucceeded(List<Response> answers) {
        for (Response r : answers) {
            if (r != null) assertThat(r.status()).as(r.body().toString()).isBetween(200, 299);
        }
    }

    protected void assertPoolHasEveryPatch(int round) {
        JsonNode pool = TestApi.ok(api.get("/api/work_pools/pool"));
        assertThat(pool.get("description").asText()).isEqualTo("round " + round);
        assertThat(pool.get("concurrency_limit").asInt()).isEqualTo(round);
        assertThat(pool.get("is_paused").asBoolean()).isEqualTo(round % 2 == 0);
    }

    protected void assertQueueHasEveryPatch(int round) {
        JsonNode queue = TestApi.ok(api.get("/api/work_pools/pool/queues/default"));
        assertThat(queue.get("description").asText()).isEqualTo("round " + round);
        assertThat(queue.get("priority").asInt()).isEqualTo(round + 1);
        assertThat(queue.get("concurrency_limit").asInt()).isEqualTo(round);
        assertThat(queue.get("is_paused").asBoolean()).isEqualTo(round % 2 == 0);
    }

    protected void assertPausedWithNote(String note) {
        JsonNode d = TestApi.ok(api.get("/api/deployments/" + deploymentId));
        assertThat(d.get("paused").asBoolean()).as("the user's pause stays").isTrue();
        assertThat(d.get("pause_note").asText()).isEqualTo(note);
    }

    /** Starts every task at once (as far as threads allow) and returns their answers in order. */
    protected static <T> List<T> race(List<Callable<T>> tasks) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(threads.submit(() -> {
                    gate.await();
                    return task.call();
                }));
            }
            gate.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) out.add(f.get(60, TimeUnit.SECONDS));
            return out;
        } finally {
            threads.shutdownNow();
        }
    }
}
