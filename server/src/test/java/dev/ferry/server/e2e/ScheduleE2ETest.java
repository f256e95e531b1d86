package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules through the CLI against a real {@code ferry server start} process, a real worker and real
 * Python flows. A real clock can't be moved, so every scenario shares one timeline: everything is set
 * up before the same minute boundary ({@link #firstBoundary}), each test asserts what that boundary
 * did, and the last one kills the server across the next boundary and starts it again. The waits for
 * the two boundaries are the suite's cost (about two minutes, whatever the number of scenarios).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScheduleE2ETest {
    private static final String POOL = "sched-pool";
    private static final String EVERY = "quick/every";          // --interval 60: fires on every minute
    private static final String OVERLAP = "sleepy/overlap";     // overlap skip, a long manual run, then a cron
    private static final String PAUSED = "quick/paused";        // paused over the first boundary, --until after it
    private static final String CATCHUP_ALL = "quick/catchup-all";
    private static final String CATCHUP_NONE = "quick/catchup-none";
    private static final String LATER = "quick/later";          // deployment run --start-in

    @TempDir
    static Path project;

    private FerryJar ferry;
    private String url;
    private String[] serverArgs;
    private FerryJar.Background server;
    private Instant firstBoundary;
    private Instant pausedUntil;
    private String longRunId;
    private String laterRunId;

    @BeforeAll
    void oneServer_oneWorker_andEverySchedule_beforeTheSameMinuteBoundary() throws Exception {
        int port = FerryJar.freePort();
        url = "http://127.0.0.1:" + port;
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_API_URL", url);
        env.put("FERRY_HOME", project.resolve("ferry-home").toString());
        ferry = new FerryJar(project, env);
        Files.createDirectories(project.resolve("flows"));
        Files.writeString(project.resolve("flows/quick.py"), """
                def quick(label: str = "plain"):
                    print(f"quick {label}", flush=True)
                """);
        Files.writeString(project.resolve("flows/sleepy.py"), """
                import time

                def sleepy(seconds: int = 300):
                    print("started", flush=True)
                    time.sleep(seconds)
                """);
        serverArgs = new String[] {"server", "start", "--port", String.valueOf(port), "--data", project.resolve("data").toString()};
        server = startServer();
        ferry.ok("work-pool", "create", "--type", "process", POOL);
        ferry.start("worker", "start", "--pool", POOL, "--name", "sched-worker");
        for (String name : List.of("every", "paused", "catchup-all", "catchup-none", "later")) {
            ferry.ok("deploy", "flows/quick.py:quick", "-n", name, "-p", POOL);
        }
        ferry.ok("deploy", "flows/sleepy.py:sleepy", "-n", "overlap", "-p", POOL);

        ferry.ok("deployment", "schedule", "create", EVERY, "--interval", "60", "--slug", "minutely",
                "--param", "label=scheduled");
        patch("/api/deployments/" + id(OVERLAP), "{\"overlap\": \"skip\"}");
        longRunId = Json.tree(ferry.ok("deployment", "run", OVERLAP, "-o", "json")).path("id").asText();
        ferry.ok("deployment", "schedule", "create", OVERLAP, "--cron", "* * * * *", "--slug", "minutely");
        ferry.ok("deployment", "schedule", "create", CATCHUP_ALL, "--cron", "* * * * *", "--slug", "minutely",
                "--catchup", "all");
        ferry.ok("deployment", "schedule", "create", CATCHUP_NONE, "--cron", "* * * * *", "--slug", "minutely");
        laterRunId = Json.tree(ferry.ok("deployment", "run", LATER, "--start-in", "20s", "-o", "json")).path("id").asText();

        // The pause must cover the boundary all the schedules above fire on, and end before the restart.
        firstBoundary = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        pausedUntil = firstBoundary.plusSeconds(50);
        ferry.ok("deployment", "pause", PAUSED, "--note", "maintenance", "--until", pausedUntil.toString());
        ferry.ok("deployment", "schedule", "create", PAUSED, "--cron", "* * * * *", "--slug", "minutely");
        assertThat(Instant.now()).as("setup must end before the boundary it prepares for").isBefore(firstBoundary);
    }

    @AfterAll
    void stopAll() throws Exception {
        if (ferry != null) ferry.close();
    }

    @Test
    @Order(1)
    void scheduleLs_showsTheNextFiring_andPoolPreview_listsFiringsAndScheduledRuns() throws Exception {
        String schedules = ferry.ok("deployment", "schedule", "ls", EVERY);
        assertThat(schedules).contains("Schedules of '" + EVERY + "'")
                .containsPattern("minutely\\s+interval 60s\\s+UTC\\s+true\\s+none\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:00Z");

        String preview = ferry.ok("work-pool", "preview", POOL);

        assertThat(preview).contains("Upcoming runs of work pool '" + POOL + "'")
                .contains("run " + laterRunId)
                .containsPattern(EVERY + "\\s+schedule minutely")
                .containsPattern(CATCHUP_NONE + "\\s+schedule minutely");
        // Paused until after the first boundary: its first firing is the one after its pause ends.
        JsonNode items = Json.tree(ferry.ok("work-pool", "preview", POOL, "-o", "json"));
        for (JsonNode item : items) {
            if (item.path("deployment").asText().equals(PAUSED)) {
                assertThat(Instant.parse(item.path("scheduled_start_time").asText())).isAfter(pausedUntil);
            }
        }
    }

    @Test
    @Order(2)
    void runStartIn_createsAScheduledRun_thatAWorkerStartsOnTime() throws Exception {
        JsonNode created = flowRun(laterRunId);
        Instant scheduled = Instant.parse(created.path("scheduled_start_time").asText());
        assertThat(created.path("state_history").get(0).path("type").asText()).isEqualTo("SCHEDULED");
        assertThat(Duration.between(Instant.parse(created.path("created").asText()), scheduled).toSeconds())
                .isBetween(18L, 21L);

        await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofSeconds(1))
                .until(() -> flowRun(laterRunId).path("state").path("type").asText().equals("COMPLETED"));

        Instant started = Instant.parse(flowRun(laterRunId).path("start_time").asText());
        assertThat(started).isAfterOrEqualTo(scheduled).isBefore(scheduled.plusSeconds(20));
    }

    @Test
    @Order(3)
    void aPausedDeployment_firesNothing_andUpcomingStartsAfterItsPause() throws Exception {
        awaitFirstBoundaryFired();
        // The janitor lifts the pause within a minute after it ends: all of this runs before it ends.

        assertThat(runs(PAUSED)).isEmpty();
        JsonNode deployment = Json.tree(ferry.ok("deployment", "inspect", PAUSED));
        assertThat(deployment.path("paused").asBoolean()).isTrue();
        assertThat(deployment.path("pause_note").asText()).isEqualTo("maintenance");
        JsonNode upcoming = Json.tree(ferry.ok("deployment", "upcoming", PAUSED, "-n", "1", "-o", "json"));
        assertThat(Instant.parse(upcoming.get(0).path("scheduled_start_time").asText())).isAfter(pausedUntil);
        assertThat(ferry.ok("deployment", "schedule", "ls", PAUSED)).contains("is paused until " + pausedUntil + " (maintenance)");
    }

    @Test
    @Order(4)
    void anIntervalSchedule_firesOnTheMinute_upcomingListsTheNextSlots_andDeletingItEmptiesThem() throws Exception {
        JsonNode run = await().atMost(firstBoundaryWait()).pollInterval(Duration.ofSeconds(1))
                .until(() -> runAt(EVERY, firstBoundary), r -> r != null);

        assertThat(run.path("parameters").path("label").asText()).isEqualTo("scheduled");
        assertThat(run.path("idempotency_key").asText()).startsWith("schedule:");
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofSeconds(1)).until(() ->
                flowRun(run.path("id").asText()).path("state").path("type").asText().equals("COMPLETED"));
        assertThat(ferry.ok("flow-run", "logs", run.path("id").asText())).contains("quick scheduled");

        // Both listings from the same instant, so a minute turning between them can't shift one of them.
        String after = firstBoundary.toString();
        String upcoming = ferry.ok("deployment", "upcoming", EVERY, "-n", "3", "--after", after);
        List<Instant> slots = new ArrayList<>();
        for (JsonNode slot : Json.tree(ferry.ok("deployment", "upcoming", EVERY, "-n", "3", "--after", after, "-o", "json"))) {
            slots.add(Instant.parse(slot.path("scheduled_start_time").asText()));
        }
        assertThat(upcoming).contains("Upcoming runs of '" + EVERY + "'").contains("minutely").contains("{\"label\":\"scheduled\"}");
        assertThat(slots).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(slots.get(i)).isEqualTo(slots.get(0).plusSeconds(60L * i)).isAfter(firstBoundary);
            assertThat(upcoming).contains(slots.get(i).toString());
        }

        ferry.ok("deployment", "schedule", "delete", EVERY, "minutely");

        assertThat(Json.tree(ferry.ok("deployment", "upcoming", EVERY, "-o", "json"))).isEmpty();
        assertThat(ferry.ok("deployment", "upcoming", EVERY)).contains("has no schedules");
    }

    @Test
    @Order(5)
    void backfill_dryRunListsPastFirings_thenCreatesTheirRunsOnce() throws Exception {
        Instant from = firstBoundary.minus(10, ChronoUnit.MINUTES);
        Instant to = firstBoundary.minus(8, ChronoUnit.MINUTES);

        String dry = ferry.ok("deployment", "backfill", CATCHUP_NONE, "--from", from.toString(), "--to", to.toString(),
                "--dry-run");
        String made = ferry.ok("deployment", "backfill", CATCHUP_NONE, "--from", from.toString(), "--to", to.toString());
        String again = ferry.ok("deployment", "backfill", CATCHUP_NONE, "--from", from.toString(), "--to", to.toString());

        assertThat(dry).contains("(dry run)").contains(from.toString()).contains(from.plusSeconds(60).toString())
                .doesNotContainPattern(to + "\\s+minutely").contains("2 firings from " + from + " to " + to);
        assertThat(made).contains("Created 2 runs for 2 firings").containsPattern(from + "\\s+minutely\\s+[0-9a-f-]{36}\\s+created");
        assertThat(again).contains("Created 0 runs for 2 firings").containsPattern(from + "\\s+minutely\\s+[0-9a-f-]{36}\\s+existed");
        assertThat(runAt(CATCHUP_NONE, from)).isNotNull();
    }

    @Test
    @Order(6)
    void overlapSkip_aFiringWhileAnEarlierRunIsActive_createsNoRun() throws Exception {
        awaitFirstBoundaryFired();

        assertThat(runs(OVERLAP)).extracting(r -> r.path("id").asText()).containsExactly(longRunId);
        assertThat(flowRun(longRunId).path("state").path("type").asText()).isIn("PENDING", "RUNNING");
        assertThat(server.output()).contains("of " + OVERLAP + ": firing at " + firstBoundary + " skipped")
                .contains("(overlap skip)");
    }


    @Test
    @Order(7)
    void afterARestart_catchupAllRunsTheMissedFiring_catchupNoneDoesNot_andAnEndedPauseIsLifted() throws Exception {
        awaitFirstBoundaryFired();
        server.process().destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        Instant killed = Instant.now();
        Instant missed = killed.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        await().atMost(65, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> Instant.now().isAfter(missed.plusMillis(1500)));

        Instant restarted = Instant.now();
        server = startServer();

        JsonNode caughtUp = runAt(CATCHUP_ALL, missed);
        assertThat(caughtUp).as("catchup all: the firing at %s, missed while the server was down", missed).isNotNull();
        assertThat(Instant.parse(caughtUp.path("created").asText())).isAfter(restarted);
        assertThat(runAt(CATCHUP_NONE, missed)).as("catchup none").isNull();
        // Its pause ended before the restart: lifted by the janitor's once-a-minute pass, or else by the start-up pass.
        JsonNode paused = Json.tree(ferry.ok("deployment", "inspect", PAUSED));
        assertThat(paused.path("paused").asBoolean()).isFalse();
        assertThat(runAt(PAUSED, missed)).as("catchup none, after the pause").isNull();
        JsonNode next = Json.tree(ferry.ok("deployment", "upcoming", PAUSED, "-n", "1", "-o", "json"));
        Instant nextFiring = Instant.parse(next.get(0).path("scheduled_start_time").asText());
        assertThat(nextFiring).isAfter(missed).isEqualTo(nextFiring.truncatedTo(ChronoUnit.MINUTES));
    }

    // ---- helpers

    private FerryJar.Background startServer() throws Exception {
        FerryJar.Background started = ferry.start(serverArgs);
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> started.output().contains("Ferry server listening on " + url));
        return started;
    }

    private Duration firstBoundaryWait() {
        Duration left = Duration.between(Instant.now(), firstBoundary).plusSeconds(60);
        // One poll is a few CLI processes: seconds each on a busy machine.
        return left.compareTo(Duration.ofSeconds(60)) < 0 ? Duration.ofSeconds(60) : left;
    }

    /** The first boundary has fired everywhere once the plain cron deployments have their runs. */
    private void awaitFirstBoundaryFired() throws Exception {
        try {
            await().atMost(firstBoundaryWait()).pollInterval(Duration.ofSeconds(1))
                    .until(() -> runAt(CATCHUP_NONE, firstBoundary) != null && runAt(CATCHUP_ALL, firstBoundary) != null);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no runs at " + firstBoundary + "; runs of " + CATCHUP_NONE + " at "
                    + startTimes(CATCHUP_NONE) + ", of " + CATCHUP_ALL + " at " + startTimes(CATCHUP_ALL)
                    + "\nserver said:\n" + server.output(), e);
        }
    }

    private JsonNode runAt(String deployment, Instant scheduled) throws Exception {
        for (JsonNode run : runs(deployment)) {
            if (Instant.parse(run.path("scheduled_start_time").asText()).equals(scheduled)) return run;
        }
        return null;
    }

    private List<String> startTimes(String deployment) throws Exception {
        return runs(deployment).stream().map(r -> r.path("scheduled_start_time").asText()).toList();
    }

    private List<JsonNode> runs(String deployment) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Json.tree(ferry.ok("flow-run", "ls", "--deployment", deployment, "--limit", "100", "-o", "json")).forEach(out::add);
        return out;
    }

    private JsonNode flowRun(String id) throws Exception {
        return Json.tree(ferry.ok("flow-run", "inspect", id));
    }

    private String id(String deployment) throws Exception {
        return Json.tree(ferry.ok("deployment", "inspect", deployment)).path("id").asText();
    }

    /** What the CLI has no command for (the overlap policy is set by ferry deploy or the API). */
    private void patch(String path, String json) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }
}
