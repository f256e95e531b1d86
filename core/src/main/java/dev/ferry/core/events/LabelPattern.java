package dev.ferry.core.events;

/**
 * How event filters and triggers match a name or label value, as Prefect does: a trailing
 * {@code *} matches any suffix, a leading {@code !} negates, anything else is compared exactly.
 */
public final class LabelPattern {
    private LabelPattern() {}

    public static boolean matches(String pattern, String value) {
        if (pattern.startsWith("!")) return value == null || !matches(pattern.substring(1), value);
        if (value == null) return false;
        if (pattern.endsWith("*")) return value.startsWith(pattern.substring(0, pattern.length() - 1));
        return pattern.equals(value);
    }

    /** True when {@code value} matches any of {@code patterns} (negations all hold); true for no patterns. */
    public static boolean matchesAny(Iterable<String> patterns, String value) {
        boolean positive = false;
        boolean positiveHit = false;
        for (String pattern : patterns) {
            if (pattern.startsWith("!")) {
                if (!matches(pattern, value)) return false;
            } else {
                positive = true;
                positiveHit |= matches(pattern, value);
            }
        }
        return !positive || positiveHit;
    }
}
