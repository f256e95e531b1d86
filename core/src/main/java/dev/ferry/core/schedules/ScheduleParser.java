package dev.ferry.core.schedules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Hashes;
import dev.ferry.core.common.Instants;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Names;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmfs.rfc5545.recur.InvalidRecurrenceRuleException;
import org.dmfs.rfc5545.recur.RecurrenceRule;

/**
 * Reads schedules from the API's JSON shape (snake_case) and refuses anything wrong with a
 * {@link BadInput} naming the field, such as {@code schedules[0].cron}.
 */
public final class ScheduleParser {
    public static final int MIN_INTERVAL_SECONDS = 60;
    public static final long MAX_INTERVAL_SECONDS = 10L * 366 * 24 * 3600;
    public static final int MAX_JITTER_SECONDS = 24 * 3600;
    /** Where interval and rrule schedules count from when the user gives no anchor: midnight, 2020-01-01, local. */
    static final LocalDateTime DEFAULT_ANCHOR = LocalDateTime.of(2020, 1, 1, 0, 0);

    /** The fields a schedule object may have. */
    public static final Set<String> FIELDS = Set.of("slug", "cron", "interval", "rrule", "timezone", "day_or",
            "anchor_date", "dst_policy", "active", "start_at", "end_at", "jitter_seconds", "parameters", "catchup",
            "catchup_window");
    public static final long DEFAULT_CATCHUP_WINDOW_SECONDS = 24 * 3600;
    public static final long MAX_CATCHUP_WINDOW_SECONDS = 366L * 24 * 3600;
    /** Copied once: the JDK makes a new set of its ~600 zone ids on every call, which cost most of a parse. */
    private static final Set<String> ZONES = Set.copyOf(ZoneId.getAvailableZoneIds());
    private static final DateTimeFormatter ICAL = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss");
    private static final Pattern ICAL_LINE = Pattern.compile("(?i)(DTSTART|EXDATE)((?:;[^:]*)?):(.*)");

    private ScheduleParser() {}

    /** Parses a deployment's {@code schedules} array; {@code field} is the array's name, e.g. "schedules". */
    public static List<Schedule> parseAll(String field, JsonNode array) {
        if (array == null || array.isNull()) return List.of();
        if (!array.isArray()) throw BadInput.malformed(field, "'" + field + "' must be an array of schedules");
        List<Schedule> out = new ArrayList<>();
        Set<String> slugs = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String path = field + "[" + i + "]";
            Schedule s = parse(path, array.get(i));
            if (s.slug() != null && !slugs.add(s.slug())) {
                throw BadInput.invalid(path + ".slug", "'" + path + ".slug' '" + s.slug() + "' is used by another schedule of this deployment");
            }
            out.add(s);
        }
        return out;
    }

    /** Parses one schedule object; {@code path} prefixes every field named in an error. */
    public static Schedule parse(String path, JsonNode node) {
        if (node == null || !node.isObject()) throw BadInput.malformed(path, "'" + path + "' must be a JSON object");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw BadInput.malformed(path + "." + name, "unknown field '" + path + "." + name + "'; accepted: "
                        + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        String slug = text(node, path, "slug");
        if (slug != null) Names.check(path + ".slug", slug);

        ZoneId zone = zone(path + ".timezone", text(node, path, "timezone"));
        DstPolicy dst = dstPolicy(path + ".dst_policy", node.get("dst_policy"));
        boolean active = bool(node, path, "active", true);
        Instant startAt = instant(path + ".start_at", text(node, path, "start_at"));
        Instant endAt = instant(path + ".end_at", text(node, path, "end_at"));
        if (startAt != null && endAt != null && endAt.isBefore(startAt)) {
            throw BadInput.invalid(path + ".end_at", "'" + path + ".end_at' " + endAt + " is before start_at " + startAt);
        }
        int jitter = jitter(node, path);
        ObjectNode parameters = parameters(node, path);

        String cron = text(node, path, "cron");
        String rrule = text(node, path, "rrule");
        boolean hasInterval = present(node, "interval");
        int kinds = (cron != null ? 1 : 0) + (rrule != null ? 1 : 0) + (hasInterval ? 1 : 0);
        if (kinds != 1) {
            throw BadInput.invalid(path, "'" + path + "' must have exactly one of cron, interval, rrule (got " + kinds + ")");
        }
        if (present(node, "day_or") && cron == null) {
            throw BadInput.invalid(path + ".day_or", "'" + path + ".day_or' applies only to cron schedules");
        }
        if (present(node, "anchor_date") && !hasInterval) {
            throw BadInput.invalid(path + ".anchor_date", "'" + path + ".anchor_date' applies only to interval schedules");
        }

        Schedule.Spec spec;
        if (cron != null) {
            boolean dayOr = bool(node, path, "day_or", true);
            CronExpression expression = CronExpression.parse(path + ".cron", cron);
            if (!expression.canEverMatch(dayOr)) {
                throw BadInput.invalid(path + ".cron", "'" + path + ".cron' '" + cron
                        + "' can never fire: no chosen month has the chosen day of month");
            }
            spec = new Schedule.Cron(expression, dayOr);
        } else if (hasInterval) {
            spec = interval(node, path, zone);
        } else {
            spec = rrule(path + ".rrule", rrule, zone, startAt);
        }
        Schedule.Catchup catchup = catchup(node, path);
        Duration window = seconds(node, path, "catchup_window", DEFAULT_CATCHUP_WINDOW_SECONDS, 1, MAX_CATCHUP_WINDOW_SECONDS);
        return new Schedule(slug, spec, zone, dst, active, startAt, endAt, jitter, parameters, catchup, window,
                ((ObjectNode) node).deepCopy());
    }

    /**
     * The schedule with a {@code slug}: the one it has, or one derived from its content, so that
     * deploying the same schedule again finds the same schedule (and keeps its next firing).
     */
    public static ObjectNode withSlug(JsonNode node) {
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        if (copy.hasNonNull("slug")) return copy;
        String kind = copy.has("cron") ? "cron" : copy.has("interval") ? "interval" : "rrule";
        String digest = Hashes.sha256Hex(Json.canonical(copy));
        copy.put("slug", kind + "-" + digest.substring(0, 8));
        return copy;
    }

    private static Schedule.Catchup catchup(JsonNode node, String path) {
        String value = text(node, path, "catchup");
        if (value == null) return Schedule.Catchup.NONE;
        try {
            return Schedule.Catchup.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw BadInput.invalid(path + ".catchup", "'" + path + ".catchup' must be none, latest or all (got '" + value + "')");
        }
    }

    private static Duration seconds(JsonNode node, String path, String name, long fallback, long min, long max) {
        String field = path + "." + name;
        JsonNode n = node.get(name);
        if (n == null || n.isNull()) return Duration.ofSeconds(fallback);
        if (!n.isIntegralNumber()) throw BadInput.malformed(field, "'" + field + "' must be a whole number of seconds");
        if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw BadInput.invalid(field, "'" + field + "' is " + n.asText() + "; accepted: " + min + " to " + max);
        }
        return Duration.ofSeconds(n.longValue());
    }

    private static Schedule.Interval interval(JsonNode node, String path, ZoneId zone) {
        String field = path + ".interval";
        JsonNode n = node.get("interval");
        if (!n.isIntegralNumber()) {
            throw BadInput.malformed(field, "'" + field + "' must be a whole number of seconds");
        }
        if (!n.canConvertToLong() || n.longValue() < MIN_INTERVAL_SECONDS || n.longValue() > MAX_INTERVAL_SECONDS) {
            throw BadInput.invalid(field, "'" + field + "' is " + n.asText() + " seconds; accepted: "
                    + MIN_INTERVAL_SECONDS + " to " + MAX_INTERVAL_SECONDS);
        }
        String anchorText = text(node, path, "anchor_date");
        Instant anchor = anchorText == null
                ? DEFAULT_ANCHOR.atZone(zone).toInstant()
                : anchor(path + ".anchor_date", anchorText, zone);
        return new Schedule.Interval(Duration.ofSeconds(n.longValue()), anchor);
    }

    private static Schedule.RRule rrule(String field, String text, ZoneId zone, Instant startAt) {
        LocalDateTime dtstart = null;
        String rule = null;
        Set<LocalDateTime> exdates = new HashSet<>();
        for (String raw : text.strip().split("\\r?\\n")) {
            String line = raw.strip();
            if (line.isEmpty()) continue;
            String upper = line.toUpperCase(Locale.ROOT);
            Matcher m = ICAL_LINE.matcher(line);
            if (upper.startsWith("RRULE:") || upper.startsWith("FREQ=")) {
                if (rule != null) throw BadInput.invalid(field, "'" + field + "' has more than one RRULE; give one rule per schedule");
                rule = upper.startsWith("RRULE:") ? line.substring(6).strip() : line;
            } else if (m.matches()) {
                boolean start = m.group(1).equalsIgnoreCase("DTSTART");
                checkParams(field, m.group(1).toUpperCase(Locale.ROOT), m.group(2), zone);
                for (String value : m.group(3).split(",")) {
                    LocalDateTime local = icalDateTime(field, m.group(1).toUpperCase(Locale.ROOT), value.strip(), zone);
                    if (start) {
                        if (dtstart != null) throw BadInput.invalid(field, "'" + field + "' has more than one DTSTART");
                        dtstart = local;
                    } else {
                        exdates.add(local);
                    }
                }
            } else {
                throw BadInput.invalid(field, "'" + field + "' line '" + line + "' is not supported; accepted lines: "
                        + "DTSTART, RRULE (or a bare FREQ=...), EXDATE");
            }
        }
        if (rule == null || !(";" + rule.toUpperCase(Locale.ROOT)).contains(";FREQ=")) {
            throw BadInput.invalid(field, "'" + field + "' has no FREQ; expected e.g. 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0'");
        }
        RecurrenceRule parsed;
        try {
            parsed = new RecurrenceRule(rule, RecurrenceRule.RfcMode.RFC5545_STRICT);
        } catch (InvalidRecurrenceRuleException | IllegalArgumentException e) {
            throw BadInput.invalid(field, "'" + field + "' RRULE '" + rule + "' is invalid: " + e.getMessage());
        }
        if (parsed.getFreq() == org.dmfs.rfc5545.recur.Freq.SECONDLY) {
            throw BadInput.invalid(field, "'" + field + "' FREQ=SECONDLY is not supported; schedules fire at most once a minute");
        }
        if (parsed.getUntil() != null && !parsed.getUntil().isFloating() && !parsed.getUntil().isAllDay()) {
            throw BadInput.invalid(field, "'" + field + "' UNTIL must be a local time (no Z): the rule runs in wall-clock "
                    + "time of 'timezone'; use end_at for an absolute end");
        }
        if (dtstart == null) {
            dtstart = startAt != null
                    ? LocalDateTime.ofInstant(startAt, zone).truncatedTo(ChronoUnit.SECONDS)
                    : DEFAULT_ANCHOR;
        }
        try {
            // lib-recur gives up (IllegalArgumentException) on a rule with no instance in ~1000 steps of its FREQ
            var it = parsed.iterator(new org.dmfs.rfc5545.DateTime(dtstart.getYear(), dtstart.getMonthValue() - 1,
                    dtstart.getDayOfMonth(), dtstart.getHour(), dtstart.getMinute(), dtstart.getSecond()));
            if (it.hasNext()) it.nextDateTime();
        } catch (IllegalArgumentException e) {
            throw BadInput.invalid(field, "'" + field + "' RRULE '" + rule + "' never fires, or too rarely for FREQ="
                    + parsed.getFreq() + " to be expanded; use a coarser FREQ (e.g. FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29)");
        }
        return new Schedule.RRule(text, dtstart, rule, exdates);
    }

    private static void checkParams(String field, String property, String params, ZoneId zone) {
        if (params.isEmpty()) return;
        for (String param : params.substring(1).split(";")) {
            String[] kv = param.split("=", 2);
            if (kv.length == 2 && kv[0].equalsIgnoreCase("TZID") && kv[1].equals(zone.getId())) continue;
            throw BadInput.invalid(field, "'" + field + "' " + property + " parameter '" + param + "' is not supported; "
                    + "times are local to 'timezone' (" + zone.getId() + "); only TZID=" + zone.getId() + " is accepted");
        }
    }

    private static LocalDateTime icalDateTime(String field, String property, String value, ZoneId zone) {
        boolean utc = value.endsWith("Z") || value.endsWith("z");
        String local = utc ? value.substring(0, value.length() - 1) : value;
        if (utc && !zone.normalized().equals(ZoneOffset.UTC)) {
            throw BadInput.invalid(field, "'" + field + "' " + property + " " + value + " is in UTC but timezone is "
                    + zone.getId() + "; write it as local time (no Z)");
        }
        try {
            return LocalDateTime.parse(local, ICAL);
        } catch (DateTimeParseException e) {
            throw BadInput.invalid(field, "'" + field + "' " + property + " '" + value
                    + "' is not a date-time; expected e.g. 20260131T090000");
        }
    }

    private static ZoneId zone(String field, String text) {
        if (text == null) return ZoneOffset.UTC;
        if (!ZONES.contains(text)) {
            throw BadInput.invalid(field, "'" + field + "' '" + text + "' is not an IANA time zone; expected e.g. "
                    + "America/New_York, Europe/Berlin or UTC");
        }
        return ZoneId.of(text);
    }

    private static DstPolicy dstPolicy(String field, JsonNode node) {
        if (node == null || node.isNull()) return DstPolicy.DEFAULT;
        if (!node.isObject()) throw BadInput.malformed(field, "'" + field + "' must be an object {nonexistent, ambiguous}");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("nonexistent") && !name.equals("ambiguous")) {
                throw BadInput.malformed(field + "." + name, "unknown field '" + field + "." + name + "'; accepted: ambiguous, nonexistent");
            }
        }
        return new DstPolicy(
                choice(field, node, "nonexistent", DstPolicy.NonexistentPolicy.class),
                choice(field, node, "ambiguous", DstPolicy.AmbiguousPolicy.class));
    }

    private static <E extends Enum<E>> E choice(String path, JsonNode node, String name, Class<E> type) {
        String value = text(node, path, name);
        if (value == null) return null;
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) return e;
        }
        throw BadInput.invalid(path + "." + name, "'" + path + "." + name + "' '" + value + "' is not accepted; accepted: "
                + String.join(", ", java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList()));
    }

    private static Instant instant(String field, String text) {
        if (text == null) return null;
        try {
            return Instants.check(field, OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            throw BadInput.invalid(field, "'" + field + "' '" + text + "' is not an ISO-8601 timestamp with offset; "
                    + "expected e.g. 2026-01-31T09:00:00Z or 2026-01-31T09:00:00+01:00");
        }
    }

    /** An anchor may be absolute, or local wall time read in the schedule's zone (earlier instant in an overlap). */
    private static Instant anchor(String field, String text, ZoneId zone) {
        try {
            return Instants.check(field, OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException absolute) {
            try {
                return Instants.check(field, ZonedDateTime.of(LocalDateTime.parse(text), zone).toInstant());
            } catch (DateTimeException local) {
                throw BadInput.invalid(field, "'" + field + "' '" + text + "' is not an ISO-8601 date-time; expected e.g. "
                        + "2026-01-31T09:00:00Z, or 2026-01-31T09:00:00 read in 'timezone'");
            }
        }
    }

    private static int jitter(JsonNode node, String path) {
        String field = path + ".jitter_seconds";
        JsonNode n = node.get("jitter_seconds");
        if (n == null || n.isNull()) return 0;
        if (!n.isIntegralNumber()) throw BadInput.malformed(field, "'" + field + "' must be a whole number of seconds");
        if (!n.canConvertToInt() || n.intValue() < 0 || n.intValue() > MAX_JITTER_SECONDS) {
            throw BadInput.invalid(field, "'" + field + "' is " + n.asText() + "; accepted: 0 to " + MAX_JITTER_SECONDS);
        }
        return n.intValue();
    }

    private static ObjectNode parameters(JsonNode node, String path) {
        JsonNode n = node.get("parameters");
        if (n == null || n.isNull()) return JsonNodeFactory.instance.objectNode();
        if (!n.isObject()) throw BadInput.malformed(path + ".parameters", "'" + path + ".parameters' must be a JSON object");
        return ((ObjectNode) n).deepCopy();
    }

    private static boolean present(JsonNode node, String name) {
        return node.has(name) && !node.get(name).isNull();
    }

    private static String text(JsonNode node, String path, String name) {
        JsonNode n = node.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw BadInput.malformed(path + "." + name, "'" + path + "." + name + "' must be a string");
        return n.textValue();
    }

    private static boolean bool(JsonNode node, String path, String name, boolean fallback) {
        JsonNode n = node.get(name);
        if (n == null || n.isNull()) return fallback;
        if (!n.isBoolean()) throw BadInput.malformed(path + "." + name, "'" + path + "." + name + "' must be true or false");
        return n.booleanValue();
    }
}
