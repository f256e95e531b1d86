package dev.ferry.core.schedules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Set;

/**
 * One schedule of a deployment, validated. Build it with {@link ScheduleParser}; decide its instants
 * with {@link ScheduleEngine}.
 *
 * @param slug          name of the schedule within its deployment (may be null); part of the jitter seed
 * @param spec          when it fires: a cron, an interval or an RRULE
 * @param timezone      IANA zone the wall-clock times of cron and rrule are read in (UTC by default)
 * @param dstPolicy     what happens to wall times that fall in a DST gap or overlap
 * @param active        false: the schedule fires nothing, but is kept
 * @param startAt       no occurrence before this instant (inclusive), or null
 * @param endAt         no occurrence after this instant (inclusive), or null
 * @param jitterSeconds each firing is delayed by a fixed per-deployment offset in [0, jitterSeconds)
 * @param parameters    flow parameters this schedule's runs get on top of the deployment's defaults
 * @param catchup       which firings missed while the server was down or the deployment paused still run
 * @param catchupWindow how far back a missed firing may lie and still be caught up
 * @param source        the schedule object as the user gave it, with its slug: what the API shows
 *                      and the store keeps. Every other field is parsed from it, once, so two
 *                      schedules are equal when their sources are.
 */
public record Schedule(
        String slug,
        Spec spec,
        ZoneId timezone,
        DstPolicy dstPolicy,
        boolean active,
        Instant startAt,
        Instant endAt,
        int jitterSeconds,
        ObjectNode parameters,
        Catchup catchup,
        Duration catchupWindow,
        ObjectNode source) {

    /** Reads a stored or given schedule object (fields named as in {@code schedules[i]}). */
    @JsonCreator
    public static Schedule of(ObjectNode source) {
        return ScheduleParser.parse("schedules", source);
    }

    @JsonValue
    @Override
    public ObjectNode source() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule other && source.equals(other.source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    /** Firings missed while down or paused: none of them, the most recent one, or all (within the window). */
    public enum Catchup { NONE, LATEST, ALL }

    /** When a schedule fires. */
    public sealed interface Spec permits Cron, Interval, RRule {}

    /**
     * Vixie cron in the schedule's timezone. With {@code dayOr} (the default) a day matches when
     * day-of-month OR day-of-week matches, if both are restricted; otherwise both must match.
     */
    public record Cron(CronExpression expression, boolean dayOr) implements Spec {}

    /** Every {@code every} of exact elapsed time from {@code anchor}, in both directions; DST plays no part. */
    public record Interval(Duration every, Instant anchor) implements Spec {}

    /**
     * An RFC 5545 rule expanded in local wall-clock time of the schedule's timezone.
     *
     * @param text    the rrule as the user wrote it (DTSTART / RRULE / EXDATE lines)
     * @param dtstart first local occurrence the rule counts from
     * @param rule    the RRULE value (after "RRULE:"), validated
     * @param exdates local wall times that are excluded before DST resolution
     */
    public record RRule(String text, LocalDateTime dtstart, String rule, Set<LocalDateTime> exdates) implements Spec {
        public RRule {
            exdates = Set.copyOf(exdates);
        }
    }
}
