package dev.ferry.core.runs;


/** Outcome of a conditional run write. */
public sealed interface RunWrite {
    /** Written; {@code run} is what is stored now. */
    record Applied(FlowRun run) implements RunWrite {}

    /** Someone wrote first: {@code current} is the stored run (null if it was deleted). */
    record Stale(FlowRun current) implements RunWrite {}

    /** A counter was at its limit; nothing was written. */
    record LimitReached(String slotKey) implements RunWrite {}
}
