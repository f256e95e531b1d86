package dev.ferry.cli.deployments;

import dev.ferry.cli.commands.UsageError;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** When a run should start: {@code --start-in 10m} or {@code --start-at 2026-01-31T12:00:00Z}. */
public final class StartTimes {
    private static final Pattern PART = Pattern.compile("(\\d+)([smhd])");
    private static final Pattern WHOLE = Pattern.compile("(\\d+[smhd])+");

    private StartTimes() {}

    /** The start time asked for, or null when neither option was given (start now). */
    public static Instant parse(String startIn, String startAt, Instant now, ZoneId zone) {
        if (startIn != null && startAt != null) {
            throw new UsageError("give --start-in or --start-at, not both");
        }
        if (startIn != null) return now.plus(duration(startIn));
        if (startAt != null) return instant(startAt, zone);
        return null;
    }

    /** {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}, or combined like {@code 1h30m}. */
    public static Duration duration(String text) {
        Duration total = duration("--start-in", text);
        if (total.toDays() > 3650) throw new UsageError("--start-in '" + text + "' is more than ten years away");
        return total;
    }

    /** As {@link #duration(String)}, naming {@code option} when {@code text} is not a duration. */
    public static Duration duration(String option, String text) {
        String value = text.strip().toLowerCase();
        if (!WHOLE.matcher(value).matches()) {
            throw new UsageError(option + " '" + text + "' is not a duration; use a number and a unit "
                    + "(s, m, h or d), e.g. 30s, 10m, 2h, 1d or 1h30m");
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(value);
        try {
            while (part.find()) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(switch (part.group(2)) {
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                });
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new UsageError(option + " '" + text + "' is too long");
        }
        return total;
    }

    /** An ISO-8601 instant or offset time; without an offset it is a local time in {@code zone}. */
    public static Instant instant(String text, ZoneId zone) {
        return instant("--start-at", text, zone);
    }

    /** As {@link #instant(String, ZoneId)}, naming {@code option} when {@code text} is not a time. */
    public static Instant instant(String option, String text, ZoneId zone) {
        String value = text.strip().replace(' ', 'T');
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            // no offset: try it as a local date-time below
        }
        try {
            return LocalDateTime.parse(value).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageError(option + " '" + text + "' is not a date and time; use ISO-8601 like "
                    + "2026-01-31T12:00:00Z, or 2026-01-31T13:00 for local time");
        }
    }
}
