package dev.ferry.core.templates;

import io.pebbletemplates.pebble.error.PebbleException;

/**
 * What one rendered string may spend. Pebble bounds only what is written out; a loop that writes
 * nothing, or a {@code set} that doubles a string each time round, is bounded here instead. One
 * budget per render, held by the rendering thread (Pebble renders on the caller's thread: Ferry
 * gives it no executor), and never reachable from a template: {@code _context} shows only the
 * variables.
 */
final class Budget {
    /** Characters in one rendered string, and in any string an expression builds on the way. */
    static final int MAX_CHARS = 64 * 1024;
    /** Elements in any list or map an expression builds ({@code range}, {@code merge}, {@code split}). */
    static final int MAX_ITEMS = 10_000;
    /** Loop iterations in one render, all loops together (nested loops multiply). */
    static final int MAX_ITERATIONS = 10_000;
    /** Characters built by filters and {@code ~} in one render, all together. */
    static final long MAX_WORK = 4L * 1024 * 1024;

    private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

    private int iterations;
    private long work;
    Object captured;

    static Budget open() {
        Budget budget = new Budget();
        CURRENT.set(budget);
        return budget;
    }

    static void close() {
        CURRENT.remove();
    }

    static Budget current() {
        Budget budget = CURRENT.get();
        // only a render opens a budget; anything else evaluating these nodes is a bug in Ferry
        if (budget == null) throw new IllegalStateException("template evaluated outside JsonTemplate.render");
        return budget;
    }

    void iterate(int line) {
        if (++iterations > MAX_ITERATIONS) {
            throw new PebbleException(null, "loops ran more than " + MAX_ITERATIONS
                    + " iterations in one render; iterate over less (slice the list first)", line, null);
        }
    }

    /** Charges a string an expression built; refuses it when it alone or the render's total is over the limits. */
    void chars(long length, int line) {
        if (length > MAX_CHARS) {
            throw new PebbleException(null, "an expression built a string of " + length
                    + " characters; at most " + MAX_CHARS + " are allowed", line, null);
        }
        work += length;
        if (work > MAX_WORK) {
            throw new PebbleException(null, "expressions built more than " + MAX_WORK
                    + " characters in one render; build less inside loops", line, null);
        }
    }

    void items(int size, int line) {
        if (size > MAX_ITEMS) {
            throw new PebbleException(null, "an expression built a list or map of " + size
                    + " elements; at most " + MAX_ITEMS + " are allowed", line, null);
        }
        work += size;
        if (work > MAX_WORK) {
            throw new PebbleException(null, "expressions built more than " + MAX_WORK
                    + " characters and elements in one render; build less inside loops", line, null);
        }
    }
}
