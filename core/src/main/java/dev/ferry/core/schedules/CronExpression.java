package dev.ferry.core.schedules;

import dev.ferry.core.common.BadInput;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Month;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed 5-field cron expression (minute hour day-of-month month day-of-week) as one bit set per
 * field. Vixie cron syntax: numbers, {@code *}, ranges {@code a-b}, steps {@code *&#47;n} and {@code a-b/n}
 * and {@code a/n}, lists, month and weekday names (JAN-DEC, SUN-SAT), weekday 7 = Sunday, and the macros
 * {@code @hourly @daily @midnight @weekly @monthly @yearly @annually}. Quartz extensions (L W # ?) and
 * {@code @reboot} are refused.
 */
public final class CronExpression {
    private static final Map<String, String> MACROS = Map.of(
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *",
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");
    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    /** 0 = Sunday .. 6 = Saturday (7 folded into 0). */
    private final BitSet daysOfWeek;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private CronExpression(String text, BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months, BitSet daysOfWeek) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        // "Restricted" means the field rules out some day. 1-31 or */1 restrict nothing, so they behave like *.
        this.domRestricted = daysOfMonth.cardinality() < 31;
        this.dowRestricted = daysOfWeek.cardinality() < 7;
    }

    /** Parses {@code text}, refusing it with {@link BadInput#invalid} on {@code field} when it is not a valid cron. */
    public static CronExpression parse(String field, String text) {
        if (text == null || text.isBlank()) {
            throw BadInput.invalid(field, "'" + field + "' must not be empty; expected 5 fields such as '0 9 * * 1-5' or a macro like @daily");
        }
        String trimmed = text.strip();
        String expanded = trimmed;
        if (trimmed.startsWith("@")) {
            expanded = MACROS.get(trimmed.toLowerCase(Locale.ROOT));
            if (expanded == null) {
                throw BadInput.invalid(field, "'" + field + "' macro '" + trimmed + "' is not supported; accepted: "
                        + "@hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually");
            }
        }
        String[] parts = expanded.split("\\s+");
        if (parts.length != 5) {
            throw BadInput.invalid(field, "'" + field + "' has " + parts.length + " fields ('" + trimmed
                    + "'); expected 5: minute hour day-of-month month day-of-week (no seconds, no year)");
        }
        BitSet minutes = field(field, "minute", parts[0], 0, 59, null);
        BitSet hours = field(field, "hour", parts[1], 0, 23, null);
        BitSet dom = field(field, "day-of-month", parts[2], 1, 31, null);
        BitSet months = field(field, "month", parts[3], 1, 12, MONTHS);
        BitSet dow = field(field, "day-of-week", parts[4], 0, 7, DAYS);
        if (dow.get(7)) {
            dow.clear(7);
            dow.set(0);
        }
        return new CronExpression(trimmed, minutes, hours, dom, months, dow);
    }

    private static BitSet field(String field, String name, String spec, int min, int max, String[] names) {
        BitSet bits = new BitSet(max + 1);
        for (String item : spec.split(",", -1)) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(field, name, item.substring(slash + 1), 1, max - min + 1, null, spec);
            }
            int lo;
            int hi;
            if (range.equals("*")) {
                lo = min;
                hi = name.equals("day-of-week") ? 6 : max;
            } else {
                int dash = range.indexOf('-');
                if (dash >= 0) {
                    lo = number(field, name, range.substring(0, dash), min, max, names, spec);
                    hi = number(field, name, range.substring(dash + 1), min, max, names, spec);
                    if (hi < lo) {
                        throw bad(field, name, spec, "range " + range + " runs backwards");
                    }
                } else {
                    lo = number(field, name, range, min, max, names, spec);
                    // Vixie: "a/n" means a through the end of the field in steps of n.
                    hi = slash >= 0 ? (name.equals("day-of-week") ? 6 : max) : lo;
                }
            }
            for (int v = lo; v <= hi; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String field, String name, String text, int min, int max, String[] names, String spec) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase(text)) {
                    return names == MONTHS ? i + 1 : i;
                }
            }
        }
        if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(field, name, spec, "'" + text + "' is not a number" + (names == null ? "" : " or name"));
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw bad(field, name, spec, text + " is out of range " + min + "-" + max);
        }
        return value;
    }

    private static BadInput bad(String field, String name, String spec, String why) {
        return BadInput.invalid(field, "'" + field + "' " + name + " field '" + spec + "' is invalid: " + why
                + "; accepted: numbers, *, a-b, */n, a-b/n and lists of those");
    }

    /** The expression as written (macros unexpanded). */
    public String text() {
        return text;
    }

    boolean matchesDate(LocalDate date, boolean dayOr) {
        if (!months.get(date.getMonthValue())) return false;
        boolean dom = daysOfMonth.get(date.getDayOfMonth());
        boolean dow = daysOfWeek.get(date.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : date.getDayOfWeek().getValue());
        if (dayOr && domRestricted && dowRestricted) return dom || dow;
        return dom && dow;
    }

    BitSet hours() {
        return hours;
    }

    BitSet minutes() {
        return minutes;
    }

    /**
     * False when no date can ever match: the day-of-month fits none of the chosen months (31 in
     * April, 30 in February) and the weekday cannot fire on its own. Over the 400-year Gregorian
     * cycle every (month, day) falls on every weekday, so this is the only way a date never matches.
     */
    boolean canEverMatch(boolean dayOr) {
        if (dayOr && domRestricted && dowRestricted) return true;
        for (int m = months.nextSetBit(1); m >= 0; m = months.nextSetBit(m + 1)) {
            int first = daysOfMonth.nextSetBit(1);
            if (first >= 0 && first <= Month.of(m).maxLength()) return true;
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronExpression other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
