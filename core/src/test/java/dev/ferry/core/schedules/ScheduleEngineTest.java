package dev.ferry.core.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.core.common.Json;
import dev.ferry.core.schedules.DstPolicy.AmbiguousPolicy;
import dev.ferry.core.schedules.DstPolicy.NonexistentPolicy;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Vectors across DST, checked against an independent brute-force oracle: walk every minute of local
 * wall-clock time, match it by the plain cron fields (or the rrule read by hand), resolve it through
 * {@link ZoneRules#getValidOffsets} and apply the policy. The oracle shares no code with the engine.
 */
class ScheduleEngineTest {
    private static final ScheduleEngine ENGINE = new ScheduleEngine();
    private static final String DEPLOYMENT = "0b9f6a3e-deployment";
    private static final List<String> ZONES = List.of(
            "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "UTC");
    private static final List<DstPolicy> POLICIES = Stream.of(NonexistentPolicy.values())
            .flatMap(n -> Stream.of(AmbiguousPolicy.values()).map(a -> new DstPolicy(n, a))).toList();
    private static final List<String> CRONS = List.of(
            "30 2 * * *", "0 2 * * *", "15 2 * * *", "45 1 * * *", "30 1 * * *", "*/15 * * * *",
            "*/20 1-3 * * *", "0 0,1,2,3 * * *", "5 2 * * 0", "0 3 1,15 * 0", "10 */5 * * *", "0 2-4/2 * * 6,0",
            "@hourly", "@daily");

    // ---------------------------------------------------------------- oracle vectors

    @TestFactory
    Stream<DynamicTest> cron_matchesOracle_acrossDst_inEveryZone_forEveryPolicy() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String zone : ZONES) {
            for (Instant[] window : windows(ZoneId.of(zone))) {
                for (String cron : CRONS) {
                    for (boolean dayOr : new boolean[] {true, false}) {
                        if (!dayOr && !cron.equals("0 3 1,15 * 0") && !cron.equals("5 2 * * 0")) continue;
                        for (DstPolicy policy : POLICIES) {
                            String name = zone + " " + window[0] + " '" + cron + "' day_or=" + dayOr + " " + policy;
                            tests.add(DynamicTest.dynamicTest(name, () -> {
                                Schedule s = cron(cron, zone, policy, dayOr);
                                List<Instant> expected = oracle(OracleCron.of(cron, dayOr), ZoneId.of(zone), policy, window[0], window[1]);

                                assertThat(ENGINE.between(s, window[0], window[1], DEPLOYMENT, 10_000)).containsExactlyElementsOf(expected);
                            }));
                        }
                    }
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> rrule_matchesOracle_acrossDst_inEveryZone_forEveryPolicy() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String zone : ZONES) {
            for (Instant[] window : windows(ZoneId.of(zone))) {
                LocalDate pivot = LocalDateTime.ofInstant(window[0], ZoneId.of(zone)).toLocalDate().plusDays(2);
                String exdate = pivot.atTime(1, 30).format(DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss"));
                Map<String, Predicate<LocalDateTime>> rules = Map.of(
                        "DTSTART:20250101T023000\nRRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
                        t -> t.getHour() == 2 && t.getMinute() == 30,
                        "DTSTART:20250101T001500\nRRULE:FREQ=HOURLY",
                        t -> t.getMinute() == 15,
                        "DTSTART:20250101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=20",
                        t -> t.getMinute() % 20 == 0,
                        "DTSTART:20250105T013000\nRRULE:FREQ=WEEKLY;BYDAY=SU;BYHOUR=1,2;BYMINUTE=30",
                        t -> t.getDayOfWeek() == DayOfWeek.SUNDAY && (t.getHour() == 1 || t.getHour() == 2) && t.getMinute() == 30,
                        "DTSTART:20250101T011500\nRRULE:FREQ=DAILY;BYHOUR=1,2;BYMINUTE=15,45",
                        t -> (t.getHour() == 1 || t.getHour() == 2) && (t.getMinute() == 15 || t.getMinute() == 45),
                        "DTSTART:20250101T013000\nRRULE:FREQ=DAILY\nEXDATE:" + exdate,
                        t -> t.getHour() == 1 && t.getMinute() == 30 && !t.toLocalDate().equals(pivot));
                rules.forEach((rrule, matches) -> {
                    for (DstPolicy policy : POLICIES) {
                        String name = zone + " " + window[0] + " " + rrule.replace('\n', ' ') + " " + policy;
                        tests.add(DynamicTest.dynamicTest(name, () -> {
                            Schedule s = rrule(rrule, zone, policy);
                            List<Instant> expected = oracle(matches, ZoneId.of(zone), policy, window[0], window[1]);

                            assertThat(ENGINE.between(s, window[0], window[1], DEPLOYMENT, 10_000)).containsExactlyElementsOf(expected);
                        }));
                    }
                });
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> next_chainedFromEachFiring_equalsBetween() {
        return ZONES.stream().map(zone -> DynamicTest.dynamicTest(zone, () -> {
            for (Instant[] window : windows(ZoneId.of(zone))) {
                for (DstPolicy policy : POLICIES) {
                    Schedule s = cron("*/30 0-3 * * *", zone, policy, true);
                    List<Instant> chained = new ArrayList<>();
                    Optional<Instant> next = ENGINE.next(s, window[0].minusNanos(1), DEPLOYMENT);
                    while (next.isPresent() && next.get().isBefore(window[1])) {
                        chained.add(next.get());
                        next = ENGINE.next(s, next.get(), DEPLOYMENT);
                    }
                    assertThat(chained).isEqualTo(ENGINE.between(s, window[0], window[1], DEPLOYMENT, 10_000)).isNotEmpty();
                }
            }
        }));
    }

    /** Four days around each 2025 transition of the zone, or a month end for zones without DST. */
    private static List<Instant[]> windows(ZoneId zone) {
        List<Instant[]> out = new ArrayList<>();
        ZoneRules rules = zone.getRules();
        ZoneOffsetTransition t = rules.nextTransition(Instant.parse("2025-01-01T00:00:00Z"));
        while (t != null && t.getInstant().isBefore(Instant.parse("2026-01-01T00:00:00Z"))) {
            out.add(new Instant[] {t.getInstant().minus(Duration.ofDays(2)), t.getInstant().plus(Duration.ofDays(2))});
            t = rules.nextTransition(t.getInstant());
        }
        if (out.isEmpty()) {
            out.add(new Instant[] {Instant.parse("2025-03-28T00:00:00Z"), Instant.parse("2025-04-02T00:00:00Z")});
        }
        return out;
    }

    /** The oracle: every local minute from a day before the window to a day after, resolved by hand. */
    private static List<Instant> oracle(Predicate<LocalDateTime> matches, ZoneId zone, DstPolicy policy, Instant from, Instant until) {
        ZoneRules rules = zone.getRules();
        TreeSet<Instant> out = new TreeSet<>();
        LocalDateTime end = LocalDateTime.ofInstant(until, zone).plusDays(1);
        for (LocalDateTime t = LocalDateTime.ofInstant(from, zone).minusDays(1).truncatedTo(ChronoUnit.MINUTES);
                t.isBefore(end); t = t.plusMinutes(1)) {
            if (!matches.test(t)) continue;
            List<ZoneOffset> offsets = rules.getValidOffsets(t);
            if (offsets.size() == 1) {
                out.add(t.toInstant(offsets.get(0)));
            } else if (offsets.isEmpty()) {
                // shift by the gap == the wall time read with the offset in force before the gap
                if (policy.nonexistent() == NonexistentPolicy.SHIFT) out.add(t.toInstant(rules.getTransition(t).getOffsetBefore()));
            } else {
                Instant x = t.toInstant(offsets.get(0));
                Instant y = t.toInstant(offsets.get(1));
                Instant earlier = x.isBefore(y) ? x : y;
                Instant later = x.isBefore(y) ? y : x;
                if (policy.ambiguous() != AmbiguousPolicy.LAST) out.add(earlier);
                if (policy.ambiguous() != AmbiguousPolicy.FIRST) out.add(later);
            }
        }
        return out.stream().filter(i -> !i.isBefore(from) && i.isBefore(until)).toList();
    }

    /** A plain reading of 5 cron fields, written separately from the engine's parser. */
    private record OracleCron(String[] fields, boolean dayOr) implements Predicate<LocalDateTime> {
        static final Map<String, String> MACROS = Map.of("@hourly", "0 * * * *", "@daily", "0 0 * * *");

        static OracleCron of(String cron, boolean dayOr) {
            return new OracleCron(MACROS.getOrDefault(cron, cron).split(" "), dayOr);
        }

        @Override
        public boolean test(LocalDateTime t) {
            int dow = t.getDayOfWeek().getValue() % 7;
            boolean dom = field(fields[2], t.getDayOfMonth(), 31);
            boolean wd = field(fields[4], dow, 6);
            boolean day = dayOr && !fields[2].equals("*") && !fields[4].equals("*") ? dom || wd : dom && wd;
            return field(fields[0], t.getMinute(), 59) && field(fields[1], t.getHour(), 23)
                    && field(fields[3], t.getMonthValue(), 12) && day;
        }

        private static boolean field(String spec, int value, int max) {
            for (String item : spec.split(",")) {
                String[] stepParts = item.split("/");
                int step = stepParts.length > 1 ? Integer.parseInt(stepParts[1]) : 1;
                String range = stepParts[0];
                int lo;
                int hi;
                if (range.equals("*")) {
                    lo = 0;
                    hi = max;
                } else if (range.contains("-")) {
                    lo = Integer.parseInt(range.split("-")[0]);
                    hi = Integer.parseInt(range.split("-")[1]);
                } else {
                    lo = Integer.parseInt(range);
                    hi = lo;
                }
                // "*" in day-of-month starts at 1, not 0; steps count from the start of the range
                if (range.equals("*") && max == 31) lo = 1;
                if (value >= lo && value <= hi && (value - lo) % step == 0) return true;
            }
            return false;
        }
    }

    // ---------------------------------------------------------------- hand-checked vectors

    @Test
    void newYork_springForward_skipDropsTheRun_shiftRunsAtThreeThirty() {
        Instant from = Instant.parse("2025-03-08T12:00:00Z");
        Instant until = Instant.parse("2025-03-10T12:00:00Z");

        assertThat(ENGINE.between(cron("30 2 * * *", "America/New_York", DstPolicy.DEFAULT, true), from, until, DEPLOYMENT, 10))
                .containsExactly(Instant.parse("2025-03-10T06:30:00Z"));
        assertThat(ENGINE.between(cron("30 2 * * *", "America/New_York", policy(NonexistentPolicy.SHIFT, AmbiguousPolicy.FIRST), true),
                from, until, DEPLOYMENT, 10))
                .containsExactly(Instant.parse("2025-03-09T07:30:00Z"), Instant.parse("2025-03-10T06:30:00Z"));
    }

    @Test
    void newYork_fallBack_firstLastBoth() {
        Instant from = Instant.parse("2025-11-02T00:00:00Z");
        Instant until = Instant.parse("2025-11-02T12:00:00Z");

        assertThat(ENGINE.between(cron("30 1 * * *", "America/New_York", policy(NonexistentPolicy.SKIP, AmbiguousPolicy.FIRST), true),
                from, until, DEPLOYMENT, 10)).containsExactly(Instant.parse("2025-11-02T05:30:00Z"));
        assertThat(ENGINE.between(cron("30 1 * * *", "America/New_York", policy(NonexistentPolicy.SKIP, AmbiguousPolicy.LAST), true),
                from, until, DEPLOYMENT, 10)).containsExactly(Instant.parse("2025-11-02T06:30:00Z"));
        assertThat(ENGINE.between(cron("30 1 * * *", "America/New_York", policy(NonexistentPolicy.SKIP, AmbiguousPolicy.BOTH), true),
                from, until, DEPLOYMENT, 10))
                .containsExactly(Instant.parse("2025-11-02T05:30:00Z"), Instant.parse("2025-11-02T06:30:00Z"));
    }

    @Test
    void lordHowe_thirtyMinuteGapAndOverlap() {
        // 2025-10-05 02:00 +10:30 -> 02:30 +11:00; 2025-04-06 02:00 +11:00 -> 01:30 +10:30
        Schedule shift = cron("15 2 * * *", "Australia/Lord_Howe", policy(NonexistentPolicy.SHIFT, AmbiguousPolicy.FIRST), true);
        assertThat(ENGINE.next(shift, Instant.parse("2025-10-04T12:00:00Z"), DEPLOYMENT))
                .contains(Instant.parse("2025-10-04T15:45:00Z"));   // 02:45 +11:00
        Schedule skip = cron("15 2 * * *", "Australia/Lord_Howe", DstPolicy.DEFAULT, true);
        assertThat(ENGINE.next(skip, Instant.parse("2025-10-04T12:00:00Z"), DEPLOYMENT))
                .contains(Instant.parse("2025-10-05T15:15:00Z"));   // the next day, 02:15 +11:00

        Schedule both = cron("45 1 * * *", "Australia/Lord_Howe", policy(NonexistentPolicy.SKIP, AmbiguousPolicy.BOTH), true);
        assertThat(ENGINE.between(both, Instant.parse("2025-04-05T12:00:00Z"), Instant.parse("2025-04-05T18:00:00Z"), DEPLOYMENT, 10))
                .containsExactly(Instant.parse("2025-04-05T14:45:00Z"), Instant.parse("2025-04-05T15:15:00Z"));
    }

    @Test
    void berlin_springForward_shift_and_kolkata_halfHourOffset() {
        assertThat(ENGINE.next(cron("30 2 * * *", "Europe/Berlin", policy(NonexistentPolicy.SHIFT, AmbiguousPolicy.FIRST), true),
                Instant.parse("2025-03-29T12:00:00Z"), DEPLOYMENT)).contains(Instant.parse("2025-03-30T01:30:00Z"));
        assertThat(ENGINE.next(cron("0 9 * * *", "Asia/Kolkata", DstPolicy.DEFAULT, true),
                Instant.parse("2025-06-01T00:00:00Z"), DEPLOYMENT)).contains(Instant.parse("2025-06-01T03:30:00Z"));
    }

    @Test
    void shiftedTime_thatEqualsARealOccurrence_firesOnce() {
        // 02:00 shifts to 03:00 EDT, which "0 2,3 * * *" also names: one run, not two
        Schedule s = cron("0 2,3 * * *", "America/New_York", policy(NonexistentPolicy.SHIFT, AmbiguousPolicy.FIRST), true);

        assertThat(ENGINE.between(s, Instant.parse("2025-03-09T05:00:00Z"), Instant.parse("2025-03-09T12:00:00Z"), DEPLOYMENT, 10))
                .containsExactly(Instant.parse("2025-03-09T07:00:00Z"));
    }

    // ---------------------------------------------------------------- day_or and macros

    @Test
    void dayOr_true_firesOnEitherDayField_false_onBoth() {
        Instant from = Instant.parse("2025-01-01T00:00:00Z");
        Instant until = Instant.parse("2026-01-01T00:00:00Z");

        List<Instant> either = ENGINE.between(cron("0 0 13 * 5", "UTC", DstPolicy.DEFAULT, true), from, until, DEPLOYMENT, 1000);
        List<Instant> both = ENGINE.between(cron("0 0 13 * 5", "UTC", DstPolicy.DEFAULT, false), from, until, DEPLOYMENT, 1000);

        assertThat(both).containsExactly(Instant.parse("2025-06-13T00:00:00Z"));   // the one Friday the 13th of 2025
        assertThat(either).hasSize(52 + 12 - 1)                                     // Fridays + 13ths, June 13 once
                .contains(Instant.parse("2025-01-03T00:00:00Z"), Instant.parse("2025-01-13T00:00:00Z"));
    }

    @Test
    void dayOr_stepIsRestricted_fullRangeIsNot() {
        Instant from = Instant.parse("2025-01-01T00:00:00Z");
        Instant until = Instant.parse("2025-01-15T00:00:00Z");

        // */2 restricts day-of-month (odd days), so with day_or Mondays fire too
        assertThat(ENGINE.between(cron("0 0 */2 * 1", "UTC", DstPolicy.DEFAULT, true), from, until, DEPLOYMENT, 100))
                .extracting(i -> LocalDate.ofInstant(i, ZoneOffset.UTC).getDayOfMonth())
                .containsExactly(1, 3, 5, 6, 7, 9, 11, 13);
        // 1-31 restricts nothing: only Mondays
        assertThat(ENGINE.between(cron("0 0 1-31 * 1", "UTC", DstPolicy.DEFAULT, true), from, until, DEPLOYMENT, 100))
                .extracting(i -> LocalDate.ofInstant(i, ZoneOffset.UTC).getDayOfMonth())
                .containsExactly(6, 13);
        // weekday 7 and names mean the same as 0
        assertThat(ENGINE.between(cron("0 0 * * 7", "UTC", DstPolicy.DEFAULT, true), from, until, DEPLOYMENT, 100))
                .isEqualTo(ENGINE.between(cron("0 0 * jan SUN", "UTC", DstPolicy.DEFAULT, true), from, until, DEPLOYMENT, 100))
                .hasSize(2);
    }

    @Test
    void macros_expandToTheirVixieMeaning() {
        Instant from = Instant.parse("2025-01-01T00:00:00Z");
        Instant until = Instant.parse("2028-01-01T00:00:00Z");
        for (String[] pair : new String[][] {{"@hourly", "0 * * * *"}, {"@daily", "0 0 * * *"}, {"@midnight", "0 0 * * *"},
                {"@weekly", "0 0 * * 0"}, {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}}) {
            assertThat(ENGINE.between(cron(pair[0], "Europe/Berlin", DstPolicy.DEFAULT, true), from, until, DEPLOYMENT, 5000))
                    .as(pair[0]).isEqualTo(ENGINE.between(cron(pair[1], "Europe/Berlin", DstPolicy.DEFAULT, true), from, until, DEPLOYMENT, 5000));
        }
        assertThat(ENGINE.between(cron("@yearly", "UTC", DstPolicy.DEFAULT, true), from, until, DEPLOYMENT, 10))
                .containsExactly(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(ENGINE.between(cron("@weekly", "UTC", DstPolicy.DEFAULT, true), from, Instant.parse("2025-02-01T00:00:00Z"), DEPLOYMENT, 10))
                .extracting(i -> LocalDate.ofInstant(i, ZoneOffset.UTC).getDayOfMonth()).containsExactly(5, 12, 19, 26);
    }

    // ---------------------------------------------------------------- window, strictness, limits

    @Test
    void startAndEnd_boundOccurrences_inclusive() {
        Schedule s = schedule("{\"cron\": \"0 * * * *\", \"start_at\": \"2025-01-01T03:00:00Z\", \"end_at\": \"2025-01-01T06:00:00Z\"}");

        assertThat(ENGINE.between(s, Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2025-01-02T00:00:00Z"), DEPLOYMENT, 100))
                .containsExactly(Instant.parse("2025-01-01T03:00:00Z"), Instant.parse("2025-01-01T04:00:00Z"),
                        Instant.parse("2025-01-01T05:00:00Z"), Instant.parse("2025-01-01T06:00:00Z"));
        assertThat(ENGINE.next(s, Instant.parse("2024-06-01T00:00:00Z"), DEPLOYMENT)).contains(Instant.parse("2025-01-01T03:00:00Z"));
        assertThat(ENGINE.next(s, Instant.parse("2025-01-01T06:00:00Z"), DEPLOYMENT)).isEmpty();
    }

    @Test
    void next_isStrictlyAfter_andBetweenIsHalfOpen() {
        Schedule s = cron("0 * * * *", "UTC", DstPolicy.DEFAULT, true);

        assertThat(ENGINE.next(s, Instant.parse("2025-01-01T03:00:00Z"), DEPLOYMENT)).contains(Instant.parse("2025-01-01T04:00:00Z"));
        assertThat(ENGINE.next(s, Instant.parse("2025-01-01T02:59:59.999Z"), DEPLOYMENT)).contains(Instant.parse("2025-01-01T03:00:00Z"));
        assertThat(ENGINE.between(s, Instant.parse("2025-01-01T03:00:00Z"), Instant.parse("2025-01-01T05:00:00Z"), DEPLOYMENT, 10))
                .containsExactly(Instant.parse("2025-01-01T03:00:00Z"), Instant.parse("2025-01-01T04:00:00Z"));
        assertThat(ENGINE.between(s, Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2025-02-01T00:00:00Z"), DEPLOYMENT, 3))
                .hasSize(3);
    }

    @Test
    void inactiveSchedule_firesNothing() {
        Schedule s = schedule("{\"cron\": \"* * * * *\", \"active\": false}");

        assertThat(ENGINE.next(s, Instant.parse("2025-01-01T00:00:00Z"), DEPLOYMENT)).isEmpty();
    }

    @Test
    void rareCron_isFoundWithoutWalkingMinutes() {
        // Monday, February 29th: 2044 is the next one after 2025
        Schedule s = cron("0 12 29 2 1", "UTC", DstPolicy.DEFAULT, false);

        long t0 = System.nanoTime();
        Optional<Instant> next = ENGINE.next(s, Instant.parse("2025-01-01T00:00:00Z"), DEPLOYMENT);
        long millis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(next).contains(Instant.parse("2044-02-29T12:00:00Z"));
        assertThat(LocalDate.of(2044, 2, 29).getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
        assertThat(millis).isLessThan(500);
    }

    @Test
    void rrule_countAndUntil_end_andExdateRemovesAnOccurrence() {
        Schedule count = rrule("DTSTART:20250101T090000\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20250102T090000", "Europe/Berlin", DstPolicy.DEFAULT);

        assertThat(ENGINE.between(count, Instant.parse("2024-12-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"), DEPLOYMENT, 10))
                .containsExactly(Instant.parse("2025-01-01T08:00:00Z"), Instant.parse("2025-01-03T08:00:00Z"));
        assertThat(ENGINE.next(count, Instant.parse("2025-01-03T08:00:00Z"), DEPLOYMENT)).isEmpty();

        Schedule until = rrule("DTSTART:20250101T090000\nRRULE:FREQ=WEEKLY;UNTIL=20250115T090000", "UTC", DstPolicy.DEFAULT);
        assertThat(ENGINE.between(until, Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"), DEPLOYMENT, 10))
                .hasSize(3);
    }

    @Test
    void rrule_rareButValid_isFound() {
        Schedule s = rrule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;BYHOUR=9;BYMINUTE=0", "Asia/Kolkata", DstPolicy.DEFAULT);

        assertThat(ENGINE.next(s, Instant.parse("2025-01-01T00:00:00Z"), DEPLOYMENT)).contains(Instant.parse("2044-02-29T03:30:00Z"));
    }

    @Test
    void rrule_farFromDtstart_isFastForwarded() {
        Schedule s = rrule("DTSTART:20200101T000000\nRRULE:FREQ=MINUTELY;INTERVAL=7", "UTC", DstPolicy.DEFAULT);

        long t0 = System.nanoTime();
        Optional<Instant> next = ENGINE.next(s, Instant.parse("2025-06-01T00:00:00Z"), DEPLOYMENT);

        long minutes = Duration.between(Instant.parse("2020-01-01T00:00:00Z"), next.orElseThrow()).toMinutes();
        assertThat(minutes % 7).isZero();
        assertThat(next.get()).isBetween(Instant.parse("2025-06-01T00:00:01Z"), Instant.parse("2025-06-01T00:07:00Z"));
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
    }

    // ---------------------------------------------------------------- interval

    @Test
    void interval_acrossDst_isExactElapsedTime() {
        for (String zone : ZONES) {
            Schedule s = schedule("{\"interval\": 3600, \"anchor_date\": \"2025-01-01T00:20:00\", \"timezone\": \"" + zone + "\","
                    + " \"dst_policy\": {\"nonexistent\": \"shift\", \"ambiguous\": \"both\"}}");
            for (Instant[] window : windows(ZoneId.of(zone))) {
                List<Instant> got = ENGINE.between(s, window[0], window[1], DEPLOYMENT, 1000);

                assertThat(got).as(zone).hasSize((int) Duration.between(window[0], window[1]).toHours());
                for (int i = 1; i < got.size(); i++) {
                    assertThat(Duration.between(got.get(i - 1), got.get(i))).isEqualTo(Duration.ofSeconds(3600));
                }
                Instant anchor = LocalDateTime.of(2025, 1, 1, 0, 20).atZone(ZoneId.of(zone)).toInstant();
                assertThat(Duration.between(anchor, got.get(0)).getSeconds() % 3600).isZero();
            }
        }
    }

    @Test
    void interval_newYorkFallBack_wallClockRepeatsOneAm() {
        Schedule s = schedule("{\"interval\": 3600, \"anchor_date\": \"2025-01-01T00:00:00Z\", \"timezone\": \"America/New_York\"}");

        List<Instant> got = ENGINE.between(s, Instant.parse("2025-11-02T04:00:00Z"), Instant.parse("2025-11-02T08:00:00Z"), DEPLOYMENT, 10);

        assertThat(got).extracting(i -> i.atZone(ZoneId.of("America/New_York")).toLocalTime().getHour()).containsExactly(0, 1, 1, 2);
    }

    @Test
    void interval_beforeItsAnchor_staysAligned() {
        Schedule s = schedule("{\"interval\": 900, \"anchor_date\": \"2030-01-01T00:05:00Z\"}");

        assertThat(ENGINE.next(s, Instant.parse("2025-01-01T00:00:00Z"), DEPLOYMENT)).contains(Instant.parse("2025-01-01T00:05:00Z"));
    }

    // ---------------------------------------------------------------- jitter

    @Test
    void jitter_isDeterministic_inRange_andSpreadsDeployments() {
        Schedule s = schedule("{\"slug\": \"hourly\", \"cron\": \"@hourly\", \"jitter_seconds\": 600}");
        Set<Long> offsets = new HashSet<>();
        for (int d = 0; d < 200; d++) {
            String id = "deployment-" + d;
            Duration offset = ScheduleEngine.jitter(s, id);

            assertThat(offset).isEqualTo(ScheduleEngine.jitter(s, id)).isBetween(Duration.ZERO, Duration.ofSeconds(599));
            assertThat(ENGINE.next(s, Instant.parse("2024-12-31T23:59:59Z"), id))
                    .contains(Instant.parse("2025-01-01T00:00:00Z").plus(offset));
            offsets.add(offset.getSeconds());
        }
        assertThat(offsets).hasSizeGreaterThan(150);
        Schedule otherSlug = schedule("{\"slug\": \"other\", \"cron\": \"@hourly\", \"jitter_seconds\": 600}");
        assertThat(Stream.of("a", "b", "c", "d", "e").filter(id -> !ScheduleEngine.jitter(s, id).equals(ScheduleEngine.jitter(otherSlug, id))))
                .isNotEmpty();
    }

    @Test
    void jitter_firingIsOccurrencePlusOffset_andNextIsStrictlyAfterTheFiring() {
        Schedule s = schedule("{\"slug\": \"s\", \"cron\": \"0 * * * *\", \"jitter_seconds\": 3000}");
        Duration offset = ScheduleEngine.jitter(s, DEPLOYMENT);
        Instant firing = Instant.parse("2025-01-01T05:00:00Z").plus(offset);

        assertThat(ENGINE.next(s, firing.minusSeconds(1), DEPLOYMENT)).contains(firing);
        assertThat(ENGINE.next(s, firing, DEPLOYMENT)).contains(firing.plus(Duration.ofHours(1)));
        assertThat(ENGINE.between(s, firing, firing.plusSeconds(1), DEPLOYMENT, 10)).containsExactly(firing);
    }

    // ---------------------------------------------------------------- helpers

    private static DstPolicy policy(NonexistentPolicy n, AmbiguousPolicy a) {
        return new DstPolicy(n, a);
    }

    private static Schedule schedule(String json) {
        return ScheduleParser.parse("schedules[0]", Json.tree(json));
    }

    private static Schedule cron(String cron, String zone, DstPolicy policy, boolean dayOr) {
        var node = JsonNodeFactory.instance.objectNode().put("cron", cron).put("timezone", zone).put("day_or", dayOr);
        node.putObject("dst_policy").put("nonexistent", policy.nonexistent().name()).put("ambiguous", policy.ambiguous().name());
        return ScheduleParser.parse("schedules[0]", node);
    }

    private static Schedule rrule(String rrule, String zone, DstPolicy policy) {
        var node = JsonNodeFactory.instance.objectNode().put("rrule", rrule).put("timezone", zone);
        node.putObject("dst_policy").put("nonexistent", policy.nonexistent().name()).put("ambiguous", policy.ambiguous().name());
        return ScheduleParser.parse("schedules[0]", node);
    }
}
