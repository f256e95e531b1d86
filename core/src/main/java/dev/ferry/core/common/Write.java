package dev.ferry.core.common;

/**
 * Outcome of a conditional update: the write named the revision (or version) it was based on,
 * and the store wrote only if that is still what it holds.
 */
public sealed interface Write<T> {

    /** Written; {@code stored} is what the store holds now, with its new revision. */
    record Applied<T>(T stored) implements Write<T> {}

    /** Someone wrote first: {@code current} is what the store holds now, or null when the record is gone. */
    record Stale<T>(T current) implements Write<T> {}
}
