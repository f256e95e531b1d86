package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.scheduler.Scheduler;
import dev.ferry.core.scheduler.Scheduler.Outcome;
import dev.ferry.core.schedules.Firing;
import dev.ferry.core.testing.ClockDrivenDelivery;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import dev.ferry.core.testing.ThreadRace;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Schedules through the API over each adapter set, with a test timer (firings are delivered
 * when the test says) and a clock the test moves: firing idempotency, diff by slug, overlap,
 * catchup, pause with resume_at, upcoming runs, backfill and the refusals.
 */
public abstract class SchedulesContract {
    /** A fresh, empty API over the adapter set under test; {@code adminKey} null for an open server. */
    protected abstract TestApi newApi(String adminKey);

    private static final String HOURLY = "{\"slug\": \"hourly\", \"cron\": \"0 * * * *\"}";

    TestApi api;
    Scheduler schedules;

    @BeforeEach
    void start() {
        api = newApi(null);
        schedules = api.ferry.schedules();
        api.pool("pool");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private JsonNode deploy(String schedulesJson, String extra) {
        return api.deployment("pool", "\"schedules\": " + schedulesJson + (extra == null ? "" : ", " + extra));
    }

    private Instant nextHour() {
        return api.clock.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    }

    private List<JsonNode> runs(String deploymentId) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/api/flow_runs?deployment_id=" + deploymentId + "&limit=200").body().get("items").forEach(out::add);
        return out;
    }

    private Firing pending(String deploymentId, String slug) {
        return api.timer.pending(deploymentId, slug).orElseThrow(() -> new AssertionError("nothing armed for " + slug));
    }

    // ------------------------------------------------------------------ arming and firing

    @Test
    void deploy_armsTheNextFiring_andTheFiringCreatesItsRun_andArmsTheOneAfter() {
        String id = deploy("[" + HOURLY + "]", null).get("id").asText();
        Firing armed = pending(id, "hourly");
        assertThat(armed.at()).isEqualTo(nextHour());

        api.clock.advance(Duration.between(api.clock.now(), armed.at()));
        assertThat(schedules.fire(armed)).isEqualTo(Outcome.CREATED);

        List<JsonNode> runs = runs(id);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).get("scheduled_start_time").asText()).isEqualTo(armed.at().toString());
        assertThat(runs.get(0).get("idempotency_key").asText()).startsWith("schedule:");
        assertThat(pending(id, "hourly").at()).isEqualTo(armed.at().plus(Duration.ofHours(1)));
    }

    @Test
    void aFiringDeliveredTwice_makesOneRun() {
        String id = deploy("[" + HOURLY + "]", null).get("id").asText();
        Firing armed = pending(id, "hourly");

        assertThat(schedules.fire(armed)).isEqualTo(Outcome.CREATED);
        assertThat(schedules.fire(armed)).isEqualTo(Outcome.EXISTED);
        assertThat(runs(id)).hasSize(1);
    }

    @ThreadRace
    @Test
    void aFiringDeliveredConcurrently_makesOneRun() throws Exception {
        String id = deploy("[" + HOURLY + "]", null).get("id").asText();
        Firing armed = pending(id, "hourly");
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Outcome>> deliveries = new ArrayList<>();
            for (int i = 0; i < 4; i++) deliveries.add(() -> schedules.fire(armed));
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : threads.invokeAll(deliveries)) outcomes.add(f.get());
            assertThat(outcomes).containsOnly(Outcome.CREATED, Outcome.EXISTED).containsOnlyOnce(Outcome.CREATED);
        } finally {
            threads.shutdownNow();
        }
        assertThat(runs(id)).hasSize(1);
    }

    @Test
    void twoSchedulesOnTheSameSlotWithTheSameParameters_makeOneRun_withOtherParametersTwo() {
        String id = deploy("[" + HOURLY + ", {\"slug\": \"also-hourly\", \"cron\": \"0 */1 * * *\"},"
                + " {\"slug\": \"other\", \"cron\": \"0 * * * *\", \"parameters\": {\"name\": \"Arthur\"}}]", null)
                .get("id").asText();
        for (String slug : List.of("hourly", "also-hourly", "other")) schedules.fire(pending(id, slug));

        List<JsonNode> runs = runs(id);
        assertThat(runs).hasSize(2);
        assertThat(runs).extracting(r -> r.get("parameters").path("name").asText("")).containsExactlyInAnyOrder("", "Arthur");
        JsonNode upcoming = api.get("/api/deployments/" + id + "/upcoming_runs?limit=4").body().get("items");
        assertThat(upcoming).hasSize(4); // two per hour: the shared slot once, Arthur's once
    }

    @Test
    void aFiringArmedBeforeTheScheduleChanged_makesNoRun_andTheRightFiringIsArmed() {
        String id = deploy("[" + HOURLY + "]", null).get("id").asText();
        Firing stale = pending(id, "hourly");
        api.ok(api.patch("/api/deployments/" + id + "/schedules/hourly", "{\"cron\": \"30 * * * *\"}"));

        assertThat(schedules.fire(stale)).isEqualTo(Outcome.NOT_DUE);
        assertThat(runs(id)).isEmpty();
        assertThat(pending(id, "hourly").at().atZone(java.time.ZoneOffset.UTC).getMinute()).isEqualTo(30);
    }

    // ------------------------------------------------------------------ redeploy: diff by slug

    @Test
    void redeploy_keepsUnchangedSchedules_omittedKeepsThem_andAnEmptyListRemovesThem() {
        String id = deploy("[" + HOURLY + ", {\"cron\": \"15 3 * * *\", \"timezone\": \"Europe/Berlin\"}]", null)
                .get("id").asText();
        JsonNode stored = api.get("/api/deployments/" + id).body().get("schedules");
        String derived = stored.get(1).get("slug").asText();
        assertThat(derived).startsWith("cron-");
        Firing before = pending(id, derived);

        api.clock.advance(Duration.ofMinutes(1));
        deploy("[" + HOURLY + ", {\"cron\": \"15 3 * * *\", \"timezone\": \"Europe/Berlin\"}]", null);
        assertThat(pending(id, derived)).isEqualTo(before);
        assertThat(api.get("/api/deployments/" + id).body().get("schedules").get(1).get("slug").asText()).isEqualTo(derived);

        api.deployment("pool", "\"description\": \"no schedules field\"");
        assertThat(api.get("/api/deployments/" + id).body().get("schedules")).hasSize(2);
        assertThat(api.timer.all()).hasSize(2);

        deploy("[]", null);
        assertThat(api.get("/api/deployments/" + id).body().get("schedules")).isEmpty();
        assertThat(api.timer.all()).isEmpty();
        assertThat(api.get("/api/deployments/" + id + "/upcoming_runs").body().get("items")).isEmpty();
    }

    @Test
    void deletingTheDeployment_disarmsItsSchedules_andALateFiringMakesNothing() {
        String id = deploy("[" + HOURLY + "]", null).get("id").asText();
        Firing armed = pending(id, "hourly");
        assertThat(api.delete("/api/deployments/" + id).status()).isEqualTo(204);
        assertThat(api.timer.all()).isEmpty();
        assertThat(schedules.fire(armed)).isEqualTo(Outcome.GONE);
    }

    // ------------------------------------------------------------------ overlap

    @ParameterizedTest
    @CsvSource({"allow,2,0", "skip,1,0", "cancel_other,2,1", "buffer_one,2,0"})
    void overlap_decidesWhatASlotDoesWhileARunIsActive(String overlap, int runs, int cancelled) {
        String id = deploy("[" + HOURLY + "]", "\"overlap\": \"" + overlap + "\"").get("id").asText();
        fireWhenDue(id);
        JsonNode first = api.claim("pool", "w1", 1).get(0);
        api.setState(first.at("/flow_run/id").asText(), "RUNNING");

        fireWhenDue(id);

        assertThat(runs(id)).hasSize(runs);
        assertThat(runs(id)).filteredOn(r -> r.get("state_type").asText().equals("CANCELLING")).hasSize(cancelled);
    }

    @ClockDrivenDelivery
    @Test
    void overlapBufferOne_holdsOneRunBack_untilTheActiveOneEnds() {
        String id = deploy("[" + HOURLY + "]", "\"overlap\": \"buffer_one\"").get("id").asText();
        fireWhenDue(id);
        JsonNode first = api.claim("pool", "w1", 1).get(0);
        api.setState(first.at("/flow_run/id").asText(), "RUNNING");
        fireWhenDue(id);

        // One run waits, and it is not handed out while the first one runs; a third slot adds nothing.
        assertThat(api.claim("pool", "w2", 5)).isEmpty();
        fireWhenDue(id);
        assertThat(runs(id)).hasSize(2);
        api.setState(first.at("/flow_run/id").asText(), "COMPLETED");
        assertThat(api.claim("pool", "w2", 5)).hasSize(1);
    }

    private void fireWhenDue(String id) {
        Firing armed = pending(id, "hourly");
        api.clock.advance(Duration.between(api.clock.now(), armed.at()).plusSeconds(1));
        schedules.fire(armed);
    }

    // ------------------------------------------------------------------ catchup

    @ParameterizedTest
    @CsvSource({"none,0", "latest,1", "all,4"})
    void afterDowntime_missedFiringsRunByTheCatchupPolicy(String catchup, int expected) {
        String id = deploy("[{\"slug\": \"hourly\", \"cron\": \"0 * * * *\", \"catchup\": \"" + catchup + "\","
                + " \"catchup_window\": 14400}]", null).get("id").asText();
        Firing first = pending(id, "hourly");
        // The server is down over six firings; the window reaches back 4 hours, over four of them.
        api.clock.advance(Duration.between(api.clock.now(), first.at()).plus(Duration.ofHours(5)).plusMinutes(30));
        api.timer.disarm(first.timerKey()); // a restarted embedded server starts with an empty timer

        schedules.heal(Duration.ZERO);

        assertThat(runs(id)).hasSize(expected);
        assertThat(pending(id, "hourly").at()).isAfter(api.clock.now());
        schedules.heal(Duration.ZERO); // and healing again changes nothing
        assertThat(runs(id)).hasSize(expected);
    }

    // ------------------------------------------------------------------ pause

    @Test
    void pause_stopsFirings_recordsWhoAndWhy_andResumesByItselfAtResumeAt() {
        String id = deploy("[{\"slug\": \"hourly\", \"cron\": \"0 * * * *\", \"catchup\": \"latest\"}]", null)
                .get("id").asText();
        Firing armed = pending(id, "hourly");
        Instant until = armed.at().plus(Duration.ofMinutes(90));
        JsonNode paused = api.ok(api.post("/api/deployments/" + id + "/pause",
                "{\"note\": \"warehouse migration\", \"resume_at\": \"" + until + "\"}"));
        assertThat(paused.get("paused").asBoolean()).isTrue();
        assertThat(paused.get("pause_note").asText()).isEqualTo("warehouse migration");
        assertThat(paused.get("resume_at").asText()).isEqualTo(until.toString());
        assertThat(api.timer.all()).isEmpty();
        assertThat(api.get("/api/deployments/" + id + "/upcoming_runs?limit=1").body().at("/items/0/scheduled_start_time")
                .asText()).isEqualTo(armed.at().plus(Duration.ofHours(2)).toString());
        assertThat(schedules.fire(armed)).isEqualTo(Outcome.PAUSED);

        api.clock.advance(Duration.between(api.clock.now(), until).plusSeconds(1));
        api.ferry.janitor().sweep();

        JsonNode resumed = api.get("/api/deployments/" + id).body();
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        assertThat(resumed.get("pause_note").isNull()).isTrue();
        assertThat(runs(id)).hasSize(1); // the firing missed while paused, by catchup latest
        assertThat(pending(id, "hourly").at()).isEqualTo(armed.at().plus(Duration.ofHours(2)));
    }

    @Test
    void pause_refusesAResumeAtInThePast_andANoteTooLong() {
        String id = deploy("[" + HOURLY + "]", null).get("id").asText();
        Response past = api.post("/api/deployments/" + id + "/pause", "{\"resume_at\": \"2020-01-01T00:00:00Z\"}");
        assertThat(past.status()).isEqualTo(422);
        assertThat(past.field()).isEqualTo("resume_at");
        Response longNote = api.post("/api/deployments/" + id + "/pause", "{\"note\": \"" + "x".repeat(1001) + "\"}");
        assertThat(longNote.field()).isEqualTo("note");
        assertThat(api.get("/api/deployments/" + id).body().get("paused").asBoolean()).isFalse();
    }

    // ------------------------------------------------------------------ upcoming, backfill, preview

    @Test
    void upcomingRuns_honourTimezoneDstAndParameters() {
        String id = deploy("[{\"slug\": \"berlin\", \"cron\": \"30 2 * * *\", \"timezone\": \"Europe/Berlin\","
                + " \"dst_policy\": {\"nonexistent\": \"shift\"}, \"parameters\": {\"name\": \"Zaphod\"}}]", null)
                .get("id").asText();
        JsonNode items = api.get("/api/deployments/" + id + "/upcoming_runs?after=2027-03-27T00:00:00Z&limit=3")
                .body().get("items");
        // 2027-03-28 02:30 does not exist in Berlin: shifted by the gap to 03:30 CEST = 01:30Z.
        assertThat(items).extracting(n -> n.get("scheduled_start_time").asText())
                .containsExactly("2027-03-27T01:30:00Z", "2027-03-28T01:30:00Z", "2027-03-29T00:30:00Z");
        assertThat(items.get(0).get("parameters").get("name").asText()).isEqualTo("Zaphod");
        assertThat(items.get(0).get("schedule").asText()).isEqualTo("berlin");
    }

    @Test
    void backfill_listsForADryRun_createsIdempotently_andRefusesBadRanges() {
        String id = deploy("[" + HOURLY + "]", null).get("id").asText();
        String body = "{\"start\": \"2026-01-01T00:00:00Z\", \"end\": \"2026-01-01T05:00:00Z\"";
        JsonNode dry = api.ok(api.post("/api/deployments/" + id + "/backfill", body + ", \"dry_run\": true}")).get("items");
        assertThat(dry).hasSize(5);
        assertThat(runs(id)).isEmpty();

        JsonNode made = api.ok(api.post("/api/deployments/" + id + "/backfill", body + "}")).get("items");
        assertThat(made).extracting(n -> n.get("created").asBoolean()).containsOnly(true);
        JsonNode again = api.ok(api.post("/api/deployments/" + id + "/backfill", body + "}")).get("items");
        assertThat(again).extracting(n -> n.get("created").asBoolean()).containsOnly(false);
        assertThat(runs(id)).hasSize(5);

        Response backwards = api.post("/api/deployments/" + id + "/backfill",
                "{\"start\": \"2026-01-02T00:00:00Z\", \"end\": \"2026-01-01T00:00:00Z\"}");
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.field()).isEqualTo("end");
        Response tooMany = api.post("/api/deployments/" + id + "/backfill",
                "{\"start\": \"2020-01-01T00:00:00Z\", \"end\": \"2026-01-01T00:00:00Z\"}");
        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(runs(id)).hasSize(5);
    }

    @Test
    void poolPreview_showsComingFirings_andLateRuns() {
        String id = deploy("[" + HOURLY + "]", null).get("id").asText();
        api.run(id, "{\"scheduled_start_time\": \"" + api.clock.now().minusSeconds(60) + "\"}");
        api.ferry.janitor().sweep(); // marks it Late

        JsonNode items = api.get("/api/work_pools/pool/upcoming_runs?hours=2").body().get("items");
        assertThat(items).hasSize(3);
        assertThat(items.get(0).get("late").asBoolean()).isTrue();
        assertThat(items.get(0).get("flow_run_id").isNull()).isFalse();
        assertThat(items.get(1).get("schedule").asText()).isEqualTo("hourly");
        assertThat(api.get("/api/work_pools/nope/upcoming_runs").status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ schedules one by one, refusals

    @Test
    void schedules_areAddedChangedAndDeletedOneByOne() {
        String id = deploy("[]", null).get("id").asText();
        assertThat(api.post("/api/deployments/" + id + "/schedules", HOURLY).status()).isEqualTo(201);
        assertThat(api.post("/api/deployments/" + id + "/schedules", HOURLY).status()).isEqualTo(409);
        assertThat(api.timer.all()).hasSize(1);

        JsonNode changed = api.ok(api.patch("/api/deployments/" + id + "/schedules/hourly", "{\"active\": false}"));
        assertThat(changed.get("active").asBoolean()).isFalse();
        assertThat(api.timer.all()).isEmpty();
        api.ok(api.patch("/api/deployments/" + id + "/schedules/hourly", "{\"active\": null, \"interval\": 600}"));
        assertThat(api.get("/api/deployments/" + id + "/schedules").body().at("/items/0/interval").asInt()).isEqualTo(600);
        assertThat(api.get("/api/deployments/" + id + "/schedules").body().at("/items/0").has("cron")).isFalse();

        assertThat(api.delete("/api/deployments/" + id + "/schedules/hourly").status()).isEqualTo(204);
        assertThat(api.delete("/api/deployments/" + id + "/schedules/hourly").status()).isEqualTo(404);
        assertThat(api.timer.all()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"cron\": \"0 0 * * * *\"}|schedules[0].cron",
            "{\"cron\": \"61 * * * *\"}|schedules[0].cron",
            "{\"cron\": \"0 * * * *\", \"timezone\": \"Mars/Olympus\"}|schedules[0].timezone",
            "{\"interval\": 59}|schedules[0].interval",
            "{\"rrule\": \"BYHOUR=9\"}|schedules[0].rrule",
            "{\"cron\": \"0 * * * *\", \"start_at\": \"2026-02-01T00:00:00Z\", \"end_at\": \"2026-01-01T00:00:00Z\"}|schedules[0].end_at",
            "{\"cron\": \"0 * * * *\", \"catchup\": \"sometimes\"}|schedules[0].catchup",
            "{\"cron\": \"0 * * * *\", \"parameters\": {\"name\": 42}}|schedules[0].parameters.name"})
    void badSchedules_areRefusedNamingTheField_andNothingIsWritten(String schedule, String field) {
        api.deployment("pool", "\"parameter_openapi_schema\": {\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"}}}");
        Response r = api.post("/api/deployments", "{\"name\": \"my-deployment\", \"flow_name\": \"my-flow\","
                + " \"entrypoint\": \"flows/my_flow.py:my_flow\", \"work_pool_name\": \"pool\","
                + " \"parameter_openapi_schema\": {\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"}}},"
                + " \"schedules\": [" + schedule + "]}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(422);
        assertThat(r.field()).startsWith(field);
        assertThat(api.get("/api/deployments/name/my-flow/my-deployment").body().get("schedules")).isEmpty();
        assertThat(api.timer.all()).isEmpty();
    }

    @Test
    void badOverlap_isRefusedNamingTheField() {
        Response r = api.post("/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\","
                + " \"entrypoint\": \"f.py:f\", \"work_pool_name\": \"pool\", \"overlap\": \"sometimes\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.field()).isEqualTo("overlap");
    }
}
