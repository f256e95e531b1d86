package dev.ferry.core.schedules;

/**
 * What a schedule does with a local wall-clock time that the zone's clock skips (spring forward) or
 * shows twice (fall back). Applies to cron and rrule; interval schedules count elapsed time and never
 * meet either case.
 */
public record DstPolicy(NonexistentPolicy nonexistent, AmbiguousPolicy ambiguous) {
    public static final DstPolicy DEFAULT = new DstPolicy(NonexistentPolicy.SKIP, AmbiguousPolicy.FIRST);

    public DstPolicy {
        if (nonexistent == null) nonexistent = NonexistentPolicy.SKIP;
        if (ambiguous == null) ambiguous = AmbiguousPolicy.FIRST;
    }

    /** A wall time inside a gap. */
    public enum NonexistentPolicy {
        /** No run for that occurrence. */
        SKIP,
        /** Run at the wall time moved later by the length of the gap (02:30 in a 1 h gap runs at 03:30). */
        SHIFT
    }

    /** A wall time inside an overlap. */
    public enum AmbiguousPolicy {
        /** The earlier instant (the offset in force before the transition). */
        FIRST,
        /** The later instant (the offset in force after the transition). */
        LAST,
        /** Both instants: two runs. */
        BOTH
    }
}
