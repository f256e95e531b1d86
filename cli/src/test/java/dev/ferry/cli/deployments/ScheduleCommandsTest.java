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
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ferry deployment schedule ...}, {@code pause}/{@code resume}, {@code upcoming} and {@code backfill} against a fake API. */
class ScheduleCommandsTest {
    private final FakeApi fake = new FakeApi();
    private final ObjectNode deployment = Json.MAPPER.createObjectNode().put("id", "dep-1").put("name", "nightly")
            .put("flow_name", "etl").put("paused", false).putNull("resume_at");

    @BeforeEach
    void deployment() {
        deployment.set("parameter_openapi_schema", Json.tree(
                "{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\"},\"days\":{\"type\":\"integer\"}}}"));
        deployment.putArray("schedules");
        fake.on("GET", "/api/deployments/name/etl/nightly", call -> Reply.ok(deployment));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private Result ferry(String... args) {
        return Cli.against(fake.url(), args);
    }

    private static ObjectNode list(JsonNode... items) {
        ObjectNode page = Json.MAPPER.createObjectNode().putNull("next");
        ArrayNode array = page.putArray("items");
        for (JsonNode item : items) array.add(item);
        return page;
    }

    private static ObjectNode slot(String at, String schedule) {
        ObjectNode slot = Json.MAPPER.createObjectNode().put("scheduled_start_time", at).put("slot", at)
                .put("schedule", schedule).putNull("flow_run_id").putNull("created");
        slot.putObject("parameters").put("region", "eu");
        return slot;
    }

    @Test
    void scheduleCreate_sendsEveryFieldByItsApiName_andTypesParamsByTheDeploymentSchema() {
        fake.on("POST", "/api/deployments/dep-1/schedules", call -> Reply.json(201, call.body()));

        Result result = ferry("deployment", "schedule", "create", "etl/nightly", "--cron", "30 2 * * *",
                "--timezone", "Europe/Berlin", "--slug", "night", "--dst-nonexistent", "shift", "--dst-ambiguous", "BOTH",
                "--jitter", "120", "--param", "region=eu", "--param", "days=3", "--catchup", "latest",
                "--catchup-window", "3600", "--start-at", "2026-03-01T00:00:00+01:00", "--end-at", "2026-12-31T00:00:00Z",
                "--inactive");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode sent = fake.calls("POST", "/api/deployments/dep-1/schedules").get(0).body();
        assertThat(sent).isEqualTo(Json.tree("""
                {"cron": "30 2 * * *", "timezone": "Europe/Berlin",
                 "dst_policy": {"nonexistent": "shift", "ambiguous": "both"}, "jitter_seconds": 120,
                 "parameters": {"region": "eu", "days": 3}, "catchup": "latest", "catchup_window": 3600,
                 "start_at": "2026-02-28T23:00:00Z", "end_at": "2026-12-31T00:00:00Z", "slug": "night", "active": false}
                """));
        assertThat(result.out()).contains("Created schedule 'night' (cron 30 2 * * *) of 'etl/nightly'");
    }

    @Test
    void scheduleCreate_interval_sendsSecondsAndAnchor_andRruleLinesMayBeSeparatedByBackslashN() {
        fake.on("POST", "/api/deployments/dep-1/schedules", call -> Reply.json(201, call.body()));

        ferry("deployment", "schedule", "create", "etl/nightly", "--interval", "3600", "--anchor-date", "2026-01-01T00:30:00");
        ferry("deployment", "schedule", "create", "etl/nightly", "--rrule", "DTSTART:20260105T090000\\nRRULE:FREQ=WEEKLY;BYDAY=MO");

        assertThat(fake.calls("POST", ".*/schedules").get(0).body())
                .isEqualTo(Json.tree("{\"interval\": 3600, \"anchor_date\": \"2026-01-01T00:30:00\"}"));
        assertThat(fake.calls("POST", ".*/schedules").get(1).body().path("rrule").asText())
                .isEqualTo("DTSTART:20260105T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO");
    }

    @Test
    void scheduleCreate_needsExactlyOneKind_beforeAnythingIsSent() {
        Result none = ferry("deployment", "schedule", "create", "etl/nightly", "--timezone", "UTC");
        Result two = ferry("deployment", "schedule", "create", "etl/nightly", "--cron", "* * * * *", "--interval", "60");

        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).isEqualTo("error: give exactly one of --cron, --interval, --rrule (got 0)\n");
        assertThat(two.exitCode()).isEqualTo(2);
        assertThat(fake.calls("POST", ".*/schedules")).isEmpty();
    }

    @Test
    void scheduleCreate_refusedByTheServer_namesTheOptionTheUserTyped_andExits2() {
        fake.on("POST", "/api/deployments/dep-1/schedules", call -> Reply.problem(422,
                "'schedules[0].timezone' 'Mars/Olympus' is not an IANA time zone; expected e.g. America/New_York",
                "schedules[0].timezone"));

        Result result = ferry("deployment", "schedule", "create", "etl/nightly", "--cron", "0 9 * * *", "--timezone", "Mars/Olympus");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo(
                "error: --timezone 'Mars/Olympus' is not an IANA time zone; expected e.g. America/New_York\n");
    }

    @Test
    void scheduleUpdate_sendsOnlyWhatChanged_andKeepsTheOtherHalfOfTheDstPolicy() {
        ObjectNode current = Json.MAPPER.createObjectNode().put("slug", "night").put("cron", "0 2 * * *");
        current.putObject("dst_policy").put("nonexistent", "skip").put("ambiguous", "first");
        fake.on("GET", "/api/deployments/dep-1/schedules", call -> Reply.ok(list(current)));
        fake.on("PATCH", "/api/deployments/dep-1/schedules/night", call -> Reply.ok(current));

        Result result = ferry("deployment", "schedule", "update", "etl/nightly", "night", "--dst-ambiguous", "last",
                "--jitter", "0");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("PATCH", ".*/schedules/night").get(0).body()).isEqualTo(Json.tree(
                "{\"dst_policy\": {\"nonexistent\": \"skip\", \"ambiguous\": \"last\"}, \"jitter_seconds\": 0}"));
        assertThat(result.out()).contains("Updated schedule 'night' (cron 0 2 * * *) of 'etl/nightly'");
        assertThat(ferry("deployment", "schedule", "update", "etl/nightly", "night").exitCode()).isEqualTo(2);
    }

    @Test
    void schedulePauseResumeDelete_patchActive_andDelete() {
        fake.on("PATCH", "/api/deployments/dep-1/schedules/night", call -> Reply.ok(call.body()));
        fake.on("DELETE", "/api/deployments/dep-1/schedules/night", call -> Reply.noContent());

        assertThat(ferry("deployment", "schedule", "pause", "etl/nightly", "night").out())
                .isEqualTo("Paused schedule 'night' of 'etl/nightly'\n");
        assertThat(ferry("deployment", "schedule", "resume", "etl/nightly", "night").out())
                .isEqualTo("Resumed schedule 'night' of 'etl/nightly'\n");
        assertThat(ferry("deployment", "schedule", "delete", "etl/nightly", "night").out())
                .isEqualTo("Deleted schedule 'night' of 'etl/nightly'\n");

        assertThat(fake.calls("PATCH", ".*/night")).extracting(c -> c.body().toString())
                .containsExactly("{\"active\":false}", "{\"active\":true}");
        assertThat(fake.calls("DELETE", "/api/deployments/dep-1/schedules/night")).hasSize(1);
    }

    @Test
    void scheduleLs_showsKindTimezoneAndTheNextFiringOfEachSchedule() {
        ObjectNode night = Json.MAPPER.createObjectNode().put("slug", "night").put("cron", "30 2 * * *")
                .put("timezone", "Europe/Berlin").put("catchup", "all");
        ObjectNode hourly = Json.MAPPER.createObjectNode().put("slug", "hourly").put("interval", 3600).put("active", false);
        fake.on("GET", "/api/deployments/dep-1/schedules", call -> Reply.ok(list(night, hourly)));
        fake.on("GET", "/api/deployments/dep-1/upcoming_runs", call -> Reply.ok(list(
                slot("2099-01-01T01:30:00Z", "night"), slot("2099-01-02T01:30:00Z", "night"))));

        Result result = ferry("deployment", "schedule", "ls", "etl/nightly");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("Schedules of 'etl/nightly'\n")
                .containsPattern("night\\s+cron 30 2 \\* \\* \\*\\s+Europe/Berlin\\s+true\\s+all\\s+2099-01-01T01:30:00Z\\s+in \\d+ days")
                .containsPattern("hourly\\s+interval 3600s\\s+UTC\\s+false\\s+none\\s+-\\s+-");
    }

    @Test
    void pause_postsTheNoteAndResumeTime_andResume_postsResume() {
        fake.on("POST", "/api/deployments/dep-1/pause", call -> {
            ObjectNode paused = deployment.deepCopy().put("paused", true).put("pause_note", "db migration")
                    .put("resume_at", call.body().path("resume_at").asText());
            return Reply.ok(paused);
        });
        fake.on("POST", "/api/deployments/dep-1/resume", call -> Reply.ok(deployment));

        Result paused = ferry("deployment", "pause", "etl/nightly", "--note", "db migration", "--until", "2026-03-08T08:00:00+01:00");
        Result resumed = ferry("deployment", "resume", "etl/nightly");

        assertThat(fake.calls("POST", ".*/pause").get(0).body())
                .isEqualTo(Json.tree("{\"note\": \"db migration\", \"resume_at\": \"2026-03-08T07:00:00Z\"}"));
        assertThat(paused.out()).isEqualTo("Deployment 'etl/nightly' is paused until 2026-03-08T07:00:00Z (db migration); "
                + "it resumes by itself, or now with: ferry deployment resume etl/nightly\n");
        assertThat(fake.calls("POST", ".*/resume")).hasSize(1);
        assertThat(resumed.out()).isEqualTo("Resumed deployment 'etl/nightly'\n");
        assertThat(fake.calls("PATCH", ".*")).isEmpty();
    }

    @Test
    void pause_withAnUnreadableUntil_exits2_beforeAnythingIsSent() {
        Result result = ferry("deployment", "pause", "etl/nightly", "--until", "tomorrow");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: --until 'tomorrow' is not a date and time");
        assertThat(fake.calls("POST", ".*")).isEmpty();
    }

    @Test
    void upcoming_asksForTheRange_andListsStartScheduleAndParameters() {
        fake.on("GET", "/api/deployments/dep-1/upcoming_runs", call -> Reply.ok(list(
                slot("2099-01-01T01:30:00Z", "night"), slot("2099-01-02T01:30:00Z", "night"))));

        Result result = ferry("deployment", "upcoming", "etl/nightly", "-n", "2", "--after", "2098-12-31T00:00:00Z",
                "--until", "2099-02-01T00:00:00Z");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("GET", ".*/upcoming_runs").get(0).query())
                .isEqualTo("after=2098-12-31T00%3A00%3A00Z&until=2099-02-01T00%3A00%3A00Z&limit=2");
        assertThat(result.out()).startsWith("Upcoming runs of 'etl/nightly'\n")
                .containsPattern("2099-01-01T01:30:00Z\\s+2099-01-01 .+\\s+in \\d+ days\\s+night\\s+\\{\"region\":\"eu\"\\}");
    }

    @Test
    void upcoming_showsLocalTimesInEachSchedulesZone_labelledWithIt() {
        deployment.putArray("schedules").addObject().put("slug", "night").put("cron", "30 2 * * *").put("timezone", "Europe/Berlin");
        ((com.fasterxml.jackson.databind.node.ArrayNode) deployment.get("schedules")).addObject().put("slug", "utc")
                .put("interval", 3600);
        fake.on("GET", "/api/deployments/dep-1/upcoming_runs", call -> Reply.ok(list(
                slot("2099-07-01T00:30:00Z", "night"), slot("2099-07-01T01:00:00Z", "utc"))));

        Result result = ferry("deployment", "upcoming", "etl/nightly");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("Schedule's Local Time")
                .containsPattern("2099-07-01T00:30:00Z\\s+2099-07-01 02:30:00 Europe/Berlin\\s+in \\d+ days\\s+night")
                .containsPattern("2099-07-01T01:00:00Z\\s+2099-07-01 01:00:00 UTC\\s+in \\d+ days\\s+utc");
    }

    @Test
    void upcoming_ofAPausedDeployment_saysItIsPaused_andOfOneWithoutSchedules_howToAddOne() {
        fake.on("GET", "/api/deployments/dep-1/upcoming_runs", call -> Reply.ok(list()));

        assertThat(ferry("deployment", "upcoming", "etl/nightly").out())
                .isEqualTo("Deployment 'etl/nightly' has no schedules; add one with: "
                        + "ferry deployment schedule create etl/nightly --cron '0 9 * * *'\n");
        deployment.put("paused", true).put("pause_note", "broken upstream");
        assertThat(ferry("deployment", "upcoming", "etl/nightly").out()).isEqualTo("Deployment 'etl/nightly' is paused "
                + "(broken upstream); resume it with: ferry deployment resume etl/nightly\n");
        assertThat(ferry("deployment", "upcoming", "etl/nightly", "-n", "0").exitCode()).isEqualTo(2);
    }

    @Test
    void backfill_postsTheRange_listsEachFiringWithItsRun_andCountsThem() {
        fake.on("POST", "/api/deployments/dep-1/backfill", call -> {
            ObjectNode made = slot("2026-01-01T02:30:00Z", "night").put("flow_run_id", "run-1").put("created", true);
            ObjectNode existed = slot("2026-01-02T02:30:00Z", "night").put("flow_run_id", "run-2").put("created", false);
            return Reply.json(201, list(made, existed));
        });

        Result result = ferry("deployment", "backfill", "etl/nightly", "--from", "2026-01-01T00:00:00Z",
                "--to", "2026-01-03T00:00:00Z");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(fake.calls("POST", ".*/backfill").get(0).body()).isEqualTo(Json.tree(
                "{\"start\": \"2026-01-01T00:00:00Z\", \"end\": \"2026-01-03T00:00:00Z\", \"dry_run\": false}"));
        assertThat(result.out()).startsWith("Backfill of 'etl/nightly'\n")
                .containsPattern("2026-01-01T02:30:00Z\\s+night\\s+run-1\\s+created")
                .containsPattern("2026-01-02T02:30:00Z\\s+night\\s+run-2\\s+existed")
                .endsWith("Created 1 run for 2 firings from 2026-01-01T00:00:00Z to 2026-01-03T00:00:00Z "
                        + "(1 had their run already or were refused)\n");
    }

    @Test
    void backfillDryRun_createsNothing_andSaysHowToRunIt() {
        fake.on("POST", "/api/deployments/dep-1/backfill", call -> Reply.ok(list(slot("2026-01-01T02:30:00Z", "night"))));

        Result result = ferry("deployment", "backfill", "etl/nightly", "--from", "2026-01-01T00:00:00Z",
                "--to", "2026-01-02T00:00:00Z", "--dry-run");

        assertThat(fake.calls("POST", ".*/backfill").get(0).body().path("dry_run").asBoolean()).isTrue();
        assertThat(result.out()).contains("Backfill of 'etl/nightly' (dry run)")
                .endsWith("1 firing from 2026-01-01T00:00:00Z to 2026-01-02T00:00:00Z; "
                        + "run again without --dry-run to create their runs\n");
    }

    @Test
    void backfill_refusedRanges_exit2() {
        fake.on("POST", "/api/deployments/dep-1/backfill", call -> Reply.problem(422,
                "more than 1000 firings between start and end; backfill a shorter range", "end"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        Result backwards = ferry("deployment", "backfill", "etl/nightly", "--from", now.toString(), "--to", now.minusSeconds(60).toString());
        Result tooMany = ferry("deployment", "backfill", "etl/nightly", "--from", "2020-01-01T00:00:00Z", "--to", now.toString());

        assertThat(backwards.exitCode()).isEqualTo(2);
        assertThat(backwards.err()).contains("--to").contains("must be after --from");
        assertThat(tooMany.exitCode()).isEqualTo(2);
        assertThat(tooMany.err()).isEqualTo("error: more than 1000 firings between start and end; backfill a shorter range\n");
    }
}
