package dev.ferry.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** How times read in tables and progress lines: relative to now, or a local wall-clock time. */
public final class Times {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter ZONED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss zzz");

    private Times() {}

    /** An API timestamp field, or null when absent, null or unreadable. */
    public static Instant instant(JsonNode value) {
        if (value == null || !value.isTextual()) return null;
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** "12 seconds ago", "in 5 minutes", "just now"; "-" for null. */
    public static String relative(Instant time, Instant now) {
        if (time == null) return "-";
        Duration between = Duration.between(time, now);
        boolean past = !between.isNegative();
        long seconds = Math.abs(between.toSeconds());
        if (seconds < 1) return "just now";
        String amount = amount(seconds);
        return past ? amount + " ago" : "in " + amount;
    }

    /** "850ms", "12.3s", "4m 05s", "2h 03m", "3d 04h". */
    public static String duration(Duration d) {
        if (d == null) return "-";
        long ms = Math.max(0, d.toMillis());
        if (ms < 1000) return ms + "ms";
        long s = ms / 1000;
        if (s < 60) return String.format("%.1fs", ms / 1000.0);
        if (s < 3600) return String.format("%dm %02ds", s / 60, s % 60);
        if (s < 86400) return String.format("%dh %02dm", s / 3600, (s % 3600) / 60);
        return String.format("%dd %02dh", s / 86400, (s % 86400) / 3600);
    }

    /** Local wall-clock time of day, e.g. "12:00:01". */
    public static String clock(Instant time, ZoneId zone) {
        return CLOCK.format(time.atZone(zone));
    }

    /** Local date and wall-clock time with the zone's short name, e.g. "2026-03-08 08:00:00 CET"; "-" for null. */
    public static String local(Instant time, ZoneId zone) {
        return time == null ? "-" : LOCAL.format(time.atZone(zone));
    }

    /** Date and wall-clock time in {@code zone}, labelled with its IANA name, e.g. "2026-03-08 08:00:00 Europe/Berlin". */
    public static String inZone(Instant time, ZoneId zone) {
        return time == null ? "-" : ZONED.format(time.atZone(zone)) + " " + zone.getId();
    }

    private static String amount(long seconds) {
        if (seconds < 60) return plural(seconds, "second");
        if (seconds < 3600) return plural(seconds / 60, "minute");
        if (seconds < 86400) return plural(seconds / 3600, "hour");
        return plural(seconds / 86400, "day");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }
}
