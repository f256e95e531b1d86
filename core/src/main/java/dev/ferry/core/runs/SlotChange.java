package dev.ferry.core.runs;

import java.util.List;

/** What a run write does to the concurrency counters, in the same atomic write. */
public sealed interface SlotChange {
    SlotChange NONE = new None();

    record None() implements SlotChange {}

    /** Increment each counter; refuse the whole write if any is at its limit. */
    record Acquire(List<Slot> slots) implements SlotChange {}

    /** Decrement each counter (never below zero). */
    record Release(List<Slot> slots) implements SlotChange {}
}
