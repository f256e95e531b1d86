package dev.ferry.core.schedules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleParsingTest {

    private static Schedule parse(String json) {
        return ScheduleParser.parse("schedules[0]", Json.tree(json));
    }

    private static void assertRefused(String json, String field) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(BadInput.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.getMessage()).contains(field);
                });
    }

    @Test
    void fullCronSchedule_isParsedWithEveryField() {
        Schedule s = parse("""
                {"slug": "weekday-mornings", "cron": "0 9 * * 1-5", "timezone": "Europe/Berlin", "day_or": false,
                 "dst_policy": {"nonexistent": "shift", "ambiguous": "both"}, "active": false,
                 "start_at": "2026-01-01T00:00:00Z", "end_at": "2026-12-31T00:00:00+01:00",
                 "jitter_seconds": 300, "parameters": {"name": "Marvin"}}""");

        assertThat(s.slug()).isEqualTo("weekday-mornings");
        assertThat(s.spec()).isInstanceOfSatisfying(Schedule.Cron.class, c -> {
            assertThat(c.expression().text()).isEqualTo("0 9 * * 1-5");
            assertThat(c.dayOr()).isFalse();
        });
        assertThat(s.timezone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(s.dstPolicy()).isEqualTo(new DstPolicy(DstPolicy.NonexistentPolicy.SHIFT, DstPolicy.AmbiguousPolicy.BOTH));
        assertThat(s.active()).isFalse();
        assertThat(s.startAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(s.endAt()).isEqualTo(Instant.parse("2026-12-30T23:00:00Z"));
        assertThat(s.jitterSeconds()).isEqualTo(300);
        assertThat(s.parameters().get("name").asText()).isEqualTo("Marvin");
    }

    @Test
    void defaults_areUtcDayOrSkipFirstActiveNoJitter() {
        Schedule s = parse("{\"cron\": \"@daily\"}");

        assertThat(s.timezone()).isEqualTo(ZoneOffset.UTC);
        assertThat(((Schedule.Cron) s.spec()).dayOr()).isTrue();
        assertThat(s.dstPolicy()).isEqualTo(DstPolicy.DEFAULT);
        assertThat(s.active()).isTrue();
        assertThat(s.jitterSeconds()).isZero();
        assertThat(s.parameters()).isEmpty();
        assertThat(s.slug()).isNull();
    }

    @Test
    void interval_withLocalAnchor_isReadInTheTimezone() {
        Schedule s = parse("{\"interval\": 3600, \"anchor_date\": \"2025-03-08T00:00:00\", \"timezone\": \"America/New_York\"}");

        assertThat(s.spec()).isEqualTo(new Schedule.Interval(Duration.ofHours(1), Instant.parse("2025-03-08T05:00:00Z")));
    }

    @Test
    void rrule_withDtstartAndExdates_isParsed() {
        Schedule s = parse("""
                {"rrule": "DTSTART;TZID=Europe/Berlin:20250101T093000\\nRRULE:FREQ=DAILY\\nEXDATE:20250102T093000,20250103T093000",
                 "timezone": "Europe/Berlin"}""");

        Schedule.RRule r = (Schedule.RRule) s.spec();
        assertThat(r.dtstart()).isEqualTo(LocalDateTime.of(2025, 1, 1, 9, 30));
        assertThat(r.rule()).isEqualTo("FREQ=DAILY");
        assertThat(r.exdates()).containsExactlyInAnyOrder(
                LocalDateTime.of(2025, 1, 2, 9, 30), LocalDateTime.of(2025, 1, 3, 9, 30));
    }

    @ParameterizedTest(name = "cron ''{0}'' is refused")
    @ValueSource(strings = {
            "0 0 9 * * 1",      // 6 fields (seconds)
            "0 9 * *",          // 4 fields
            "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 32 * *", "0 0 * 0 *", "0 0 * 13 *", "0 0 * * 8",
            "5-1 * * * *",      // backwards range
            "*/0 * * * *",      // zero step
            "0 0 L * *", "0 0 ? * 1", "0 0 * * 1#2", "x * * * *", "1,,2 * * * *",
            "@reboot", "@every_minute",
            "0 0 30 2 *",       // February 30th never comes
            "0 0 31 4,6,9,11 *",
            ""})
    void invalidCron_isRefusedNamingTheCronField(String cron) {
        assertRefused("{\"cron\": \"" + cron + "\"}", "schedules[0].cron");
    }

    @Test
    void februaryThirtieth_isAccepted_whenDayOrLetsTheWeekdayFireAlone() {
        Schedule s = parse("{\"cron\": \"0 0 30 2 1\"}");

        assertThat(((Schedule.Cron) s.spec()).expression().text()).isEqualTo("0 0 30 2 1");
        assertRefused("{\"cron\": \"0 0 30 2 1\", \"day_or\": false}", "schedules[0].cron");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Mars/Olympus_Mons", "EST5EDT_nope", "+05:00", "UTC+1", "GMT+2", "america/new_york"})
    void unknownTimezone_isRefused(String zone) {
        assertRefused("{\"cron\": \"@daily\", \"timezone\": \"" + zone + "\"}", "schedules[0].timezone");
    }

    @ParameterizedTest
    @ValueSource(ints = {59, 0, -60})
    void intervalUnderAMinute_isRefused(int seconds) {
        assertRefused("{\"interval\": " + seconds + "}", "schedules[0].interval");
    }

    @ParameterizedTest
    @ValueSource(strings = {"INTERVAL=2;BYHOUR=9", "RRULE:BYDAY=MO", "DTSTART:20250101T090000", "", "FREQ=FORTNIGHTLY",
            "FREQ=SECONDLY", "FREQ=DAILY\\nRRULE:FREQ=WEEKLY", "DTSTART:2025-01-01\\nFREQ=DAILY", "RDATE:20250101T090000\\nFREQ=DAILY",
            "DTSTART:20250101T090000Z\\nFREQ=DAILY", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=DAILY;BYHOUR=25"})
    void badRrule_isRefused(String rrule) {
        // the last one: a UTC DTSTART in a non-UTC zone is refused rather than silently converted
        assertRefused("{\"rrule\": \"" + rrule + "\", \"timezone\": \"Europe/Berlin\"}", "schedules[0].rrule");
    }

    @Test
    void dtstartWithAnotherTzid_isRefused() {
        assertRefused("{\"rrule\": \"DTSTART;TZID=Asia/Tokyo:20250101T090000\\nFREQ=DAILY\", \"timezone\": \"UTC\"}",
                "schedules[0].rrule");
    }

    @Test
    void endBeforeStart_isRefusedNamingEndAt() {
        assertRefused("{\"cron\": \"@daily\", \"start_at\": \"2026-02-01T00:00:00Z\", \"end_at\": \"2026-01-31T23:59:59Z\"}",
                "schedules[0].end_at");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"cron\": \"@daily\", \"interval\": 3600}                          | schedules[0]",
            "{\"timezone\": \"UTC\"}                                             | schedules[0]",
            "{\"interval\": 3600, \"day_or\": false}                             | schedules[0].day_or",
            "{\"cron\": \"@daily\", \"anchor_date\": \"2025-01-01T00:00:00Z\"}   | schedules[0].anchor_date",
            "{\"interval\": 3600, \"anchor_date\": \"yesterday\"}                | schedules[0].anchor_date",
            "{\"cron\": \"@daily\", \"start_at\": \"2026-01-01T00:00:00\"}       | schedules[0].start_at",
            "{\"cron\": \"@daily\", \"dst_policy\": {\"nonexistent\": \"later\"}} | schedules[0].dst_policy.nonexistent",
            "{\"cron\": \"@daily\", \"dst_policy\": {\"ambiguous\": \"second\"}}  | schedules[0].dst_policy.ambiguous",
            "{\"cron\": \"@daily\", \"jitter_seconds\": -1}                      | schedules[0].jitter_seconds",
            "{\"cron\": \"@daily\", \"jitter_seconds\": 86401}                   | schedules[0].jitter_seconds",
            "{\"cron\": \"@daily\", \"slug\": \"a/b\"}                           | schedules[0].slug"})
    void otherContentErrors_areRefusedNamingTheField(String json, String field) {
        assertRefused(json, field);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"cron\": \"@daily\", \"every\": 5}               | schedules[0].every",
            "{\"interval\": \"3600\"}                           | schedules[0].interval",
            "{\"interval\": 90.5}                               | schedules[0].interval",
            "{\"cron\": 5}                                      | schedules[0].cron",
            "{\"cron\": \"@daily\", \"active\": \"yes\"}        | schedules[0].active",
            "{\"cron\": \"@daily\", \"parameters\": [1]}        | schedules[0].parameters",
            "{\"cron\": \"@daily\", \"dst_policy\": {\"gap\": \"skip\"}} | schedules[0].dst_policy.gap"})
    void unknownFieldsAndWrongTypes_areMalformed(String json, String field) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(BadInput.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.status()).isEqualTo(400);
        });
    }

    @Test
    void errorsInALaterSchedule_nameItsIndex() {
        assertThatThrownBy(() -> ScheduleParser.parseAll("schedules",
                Json.tree("[{\"cron\": \"@daily\"}, {\"cron\": \"0 0 9 * * 1\"}]")))
                .isInstanceOfSatisfying(BadInput.class, e -> assertThat(e.field()).isEqualTo("schedules[1].cron"));
    }

    @Test
    void duplicateSlugs_areRefused() {
        assertThatThrownBy(() -> ScheduleParser.parseAll("schedules",
                Json.tree("[{\"slug\": \"a\", \"cron\": \"@daily\"}, {\"slug\": \"a\", \"interval\": 600}]")))
                .isInstanceOfSatisfying(BadInput.class, e -> assertThat(e.field()).isEqualTo("schedules[1].slug"));
    }

    @Test
    void parseAll_keepsOrder() {
        List<Schedule> all = ScheduleParser.parseAll("schedules",
                Json.tree("[{\"cron\": \"@hourly\"}, {\"interval\": 600}, {\"rrule\": \"FREQ=DAILY\"}]"));

        assertThat(all).extracting(s -> s.spec().getClass().getSimpleName()).containsExactly("Cron", "Interval", "RRule");
    }
}
