package dev.ferry.core.schedules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.dmfs.rfc5545.DateTime;
import org.dmfs.rfc5545.recur.InvalidRecurrenceRuleException;
import org.dmfs.rfc5545.recur.RecurrenceRule;
import org.dmfs.rfc5545.recur.RecurrenceRuleIterator;

/**
 * Decides the instants at which a {@link Schedule} fires. Pure and stateless: no clock, no store, no
 * I/O; the AWS path (EventBridge Scheduler -> ScheduleFunction) and the embedded path (in-process timer)
 * both ask this class and nothing else, so they cannot disagree.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #next} returns the first firing strictly after {@code after}; {@link #between} returns
 *       firings in {@code [from, until)}, ascending, without duplicates, at most {@code limit}.
 *       An inactive schedule fires nothing.</li>
 *   <li>A firing is an <em>occurrence</em> plus the schedule's jitter offset. {@code start_at} and
 *       {@code end_at} bound occurrences, both inclusive, before jitter is added (so the set of runs
 *       does not depend on jitter; a firing may land up to jitter-1 s after end_at).</li>
 *   <li>Jitter: {@link #jitter} is a fixed offset in {@code [0, jitter_seconds)} seconds from SHA-256 of
 *       deployment id + NUL + slug. Same deployment and slug, same offset, on every machine and
 *       every release; it spreads many deployments on {@code @hourly} without making any one drift.</li>
 * </ul>
 *
 * <h2>How each kind is computed</h2>
 * <ul>
 *   <li><b>cron</b>: local wall-clock candidates day by day (matching days only, then the hour and
 *       minute bit sets), each resolved to instants in the schedule's timezone by {@link DstPolicy};
 *       cron-utils is not used because its DST handling is not what the policies require. day_or as in
 *       Vixie cron: with both day fields restricted, either may match; a field whose values cover its
 *       whole range ({@code *}, {@code 1-31}, {@code *&#47;1}) counts as unrestricted, {@code *&#47;2} does not.</li>
 *   <li><b>interval</b>: {@code anchor + k * interval} for every integer k (also before the anchor), in
 *       exact elapsed time; DST and dst_policy play no part, the timezone only places a local anchor.</li>
 *   <li><b>rrule</b>: lib-recur expands the rule in floating local time from DTSTART, EXDATEs (local wall
 *       times) are removed, then each wall time goes through the same {@link DstPolicy} as cron. Note
 *       the default ({@code skip}) differs from RFC 5545 §3.3.5, which shifts nonexistent times;
 *       {@code nonexistent: shift} gives the RFC behaviour.</li>
 *   <li><b>dst_policy</b>: a wall time in a gap is skipped, or with {@code shift} moved later by the gap
 *       (NY 02:30 on spring-forward day runs at 03:30 EDT; Lord Howe 02:15 runs at 02:45). A shifted
 *       time that equals a real occurrence (02:00 shifted to 03:00 when 03:00 also matches) is one
 *       firing. A wall time in an overlap runs at the earlier instant ({@code first}), the later
 *       ({@code last}) or at {@code both}.</li>
 * </ul>
 *
 * <h2>Wiring it (what the timer and EventBridge adapters need)</h2>
 * <ul>
 *   <li>Keep only the next firing armed per schedule: after a firing at {@code t}, arm {@code next(s, t, id)}.
 *       On EventBridge use a one-time {@code at(yyyy-mm-ddThh:mm:ss)} expression in UTC built from that
 *       instant, not EventBridge's own cron/rate, whose DST rules differ from ours.</li>
 *   <li>Idempotency key of a run: deployment id + slug + occurrence/firing instant (invariant 3), so a
 *       redelivered firing makes one run.</li>
 *   <li>To catch up after downtime, or to pre-create runs ahead (Prefect's scheduler does), use
 *       {@link #between} with a limit; it is fast (no minute-by-minute walk), but a cron that fires every
 *       minute still has 1440 firings a day.</li>
 *   <li>Validate input with {@link ScheduleParser} at the API edge; it names the field, e.g.
 *       {@code schedules[0].cron}. A never-firing cron (Feb 30) is refused there; a rule that ends
 *       (COUNT, UNTIL, end_at) simply returns empty from {@link #next}.</li>
 * </ul>
 */
public final class ScheduleEngine {
    /** Java's bound on any UTC offset; instants from a wall time w are never before w - 18 h. */
    private static final long MAX_OFFSET_SECONDS = 18 * 3600;
    /** The Gregorian calendar repeats after 400 years: a cron that matches nothing in that span never will. */
    private static final int SEARCH_YEARS = 400;

    /** The first firing strictly after {@code after}, or empty when the schedule never fires again. */
    public Optional<Instant> next(Schedule s, Instant after, String deploymentId) {
        List<Instant> one = firings(s, after, null, deploymentId, 1);
        return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
    }

    /** Firings in {@code [from, until)}, ascending, at most {@code limit}. */
    public List<Instant> between(Schedule s, Instant from, Instant until, String deploymentId, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        return firings(s, from.minusNanos(1), until, deploymentId, limit);
    }

    /** The fixed delay of every firing of {@code s} for this deployment, in {@code [0, jitter_seconds)}. */
    public static Duration jitter(Schedule s, String deploymentId) {
        if (s.jitterSeconds() <= 1) return Duration.ZERO;
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(
                    (deploymentId + "\u0000" + (s.slug() == null ? "" : s.slug())).getBytes(StandardCharsets.UTF_8));
            long bits = 0;
            for (int i = 0; i < 8; i++) bits = (bits << 8) | (hash[i] & 0xff);
            return Duration.ofSeconds(Long.remainderUnsigned(bits, s.jitterSeconds()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private List<Instant> firings(Schedule s, Instant after, Instant until, String deploymentId, int limit) {
        List<Instant> out = new ArrayList<>();
        if (!s.active()) return out;
        Duration jitter = jitter(s, deploymentId);
        // fire = occurrence + jitter > after  <=>  occurrence > after - jitter
        Instant lower = after.minus(jitter);
        if (s.startAt() != null && s.startAt().isAfter(lower)) lower = s.startAt().minusNanos(1);
        if (s.spec() instanceof Schedule.Interval interval) {
            Instant o = firstIntervalAfter(interval, lower);
            while (out.size() < limit && (s.endAt() == null || !o.isAfter(s.endAt()))) {
                Instant fire = o.plus(jitter);
                if (until != null && !fire.isBefore(until)) break;
                out.add(fire);
                o = o.plus(interval.every());
            }
            return out;
        }
        WallClock clock = s.spec() instanceof Schedule.Cron cron
                ? new CronWallClock(cron, LocalDate.ofInstant(lower, s.timezone()).minusDays(2))
                : new RRuleWallClock((Schedule.RRule) s.spec(), LocalDateTime.ofInstant(lower, s.timezone()).minusDays(2));
        Occurrences occurrences = new Occurrences(s, lower, clock);
        while (out.size() < limit) {
            Instant o = occurrences.next();
            if (o == null) break;
            Instant fire = o.plus(jitter);
            if (until != null && !fire.isBefore(until)) break;
            out.add(fire);
        }
        return out;
    }

    private static Instant firstIntervalAfter(Schedule.Interval interval, Instant lower) {
        long every = interval.every().getSeconds();
        long k = Math.floorDiv(Duration.between(interval.anchor(), lower).getSeconds(), every);
        Instant o = interval.anchor().plusSeconds(Math.multiplyExact(k, every));
        while (!o.isAfter(lower)) o = o.plusSeconds(every);
        while (o.minusSeconds(every).isAfter(lower)) o = o.minusSeconds(every);
        return o;
    }

    /**
     * The instants a local wall time stands for under {@code policy}: none (skipped gap), one, or two
     * (overlap with BOTH), ascending.
     */
    static List<Instant> resolve(LocalDateTime wall, ZoneRules rules, DstPolicy policy) {
        List<ZoneOffset> offsets = rules.getValidOffsets(wall);
        if (offsets.size() == 1) return List.of(wall.toInstant(offsets.get(0)));
        if (offsets.isEmpty()) {
            if (policy.nonexistent() == DstPolicy.NonexistentPolicy.SKIP) return List.of();
            ZoneOffsetTransition gap = rules.getTransition(wall);
            return List.of(wall.plus(gap.getDuration()).toInstant(gap.getOffsetAfter()));
        }
        Instant a = wall.toInstant(offsets.get(0));
        Instant b = wall.toInstant(offsets.get(1));
        Instant first = a.isBefore(b) ? a : b;
        Instant last = a.isBefore(b) ? b : a;
        return switch (policy.ambiguous()) {
            case FIRST -> List.of(first);
            case LAST -> List.of(last);
            case BOTH -> List.of(first, last);
        };
    }

    /** Local wall times in ascending order, a batch at a time; an empty batch means no more. */
    private interface WallClock {
        List<LocalDateTime> nextBatch();
    }

    /**
     * Turns ascending wall times into ascending instants. Wall-time order is not instant order around
     * an overlap (01:30 EST is after 01:45 EDT), so instants wait in a buffer until no later wall time
     * can produce an earlier instant: a wall time w never maps before w - 18 h.
     */
    private static final class Occurrences {
        private final Schedule schedule;
        private final Instant lower;
        private final WallClock clock;
        private final ZoneRules rules;
        private final TreeSet<Instant> buffer = new TreeSet<>();
        private Instant safeBefore = Instant.MIN;
        private boolean exhausted;

        Occurrences(Schedule schedule, Instant lower, WallClock clock) {
            this.schedule = schedule;
            this.lower = lower;
            this.clock = clock;
            this.rules = schedule.timezone().getRules();
        }

        /** The next occurrence, or null. */
        Instant next() {
            while (!exhausted && (buffer.isEmpty() || !buffer.first().isBefore(safeBefore))) {
                List<LocalDateTime> batch = clock.nextBatch();
                if (batch.isEmpty()) {
                    exhausted = true;
                    break;
                }
                for (LocalDateTime wall : batch) {
                    for (Instant i : resolve(wall, rules, schedule.dstPolicy())) {
                        if (i.isAfter(lower) && (schedule.endAt() == null || !i.isAfter(schedule.endAt()))) buffer.add(i);
                    }
                }
                safeBefore = batch.get(batch.size() - 1).toInstant(ZoneOffset.UTC).minusSeconds(MAX_OFFSET_SECONDS);
                if (schedule.endAt() != null && safeBefore.isAfter(schedule.endAt())) exhausted = true;
            }
            return buffer.pollFirst();
        }
    }

    private static final class CronWallClock implements WallClock {
        private final CronExpression cron;
        private final boolean dayOr;
        private final LocalDate stop;
        private LocalDate day;

        CronWallClock(Schedule.Cron spec, LocalDate firstDay) {
            this.cron = spec.expression();
            this.dayOr = spec.dayOr();
            this.day = firstDay;
            this.stop = firstDay.plusYears(SEARCH_YEARS);
        }

        @Override
        public List<LocalDateTime> nextBatch() {
            while (day.isBefore(stop)) {
                LocalDate d = day;
                day = day.plusDays(1);
                if (!cron.matchesDate(d, dayOr)) continue;
                List<LocalDateTime> times = new ArrayList<>();
                BitSet hours = cron.hours();
                BitSet minutes = cron.minutes();
                for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
                    for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
                        times.add(d.atTime(h, m));
                    }
                }
                return times;
            }
            return List.of();
        }
    }

    private static final class RRuleWallClock implements WallClock {
        private final RecurrenceRuleIterator it;
        private final java.util.Set<LocalDateTime> exdates;
        private final LocalDateTime stop;

        RRuleWallClock(Schedule.RRule spec, LocalDateTime from) {
            RecurrenceRule rule;
            try {
                rule = new RecurrenceRule(spec.rule(), RecurrenceRule.RfcMode.RFC5545_STRICT);
            } catch (InvalidRecurrenceRuleException e) {
                throw new IllegalStateException("rrule was validated by ScheduleParser: " + spec.rule(), e);
            }
            this.it = rule.iterator(floating(spec.dtstart()));
            this.exdates = spec.exdates();
            this.stop = (from.isAfter(spec.dtstart()) ? from : spec.dtstart()).plusYears(SEARCH_YEARS);
            if (from.isAfter(spec.dtstart())) it.fastForward(floating(from));
        }

        @Override
        public List<LocalDateTime> nextBatch() {
            while (true) {
                DateTime next;
                try {
                    if (!it.hasNext()) return List.of();
                    next = it.nextDateTime();
                } catch (IllegalArgumentException tooSparse) {
                    // lib-recur stops a rule after ~1000 empty steps of its FREQ; the parser refuses rules that
                    // start that way, so this is a rule gone sparse later: it has no next occurrence we can compute.
                    return List.of();
                }
                LocalDateTime wall = next.isAllDay()
                        ? LocalDate.of(next.getYear(), next.getMonth() + 1, next.getDayOfMonth()).atTime(LocalTime.MIDNIGHT)
                        : LocalDateTime.of(next.getYear(), next.getMonth() + 1, next.getDayOfMonth(),
                                next.getHours(), next.getMinutes(), next.getSeconds());
                if (wall.isAfter(stop)) return List.of();
                if (exdates.contains(wall)) continue;
                return List.of(wall);
            }
        }

        private static DateTime floating(LocalDateTime t) {
            return new DateTime(t.getYear(), t.getMonthValue() - 1, t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
        }
    }
}
