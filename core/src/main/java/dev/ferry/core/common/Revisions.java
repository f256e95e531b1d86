package dev.ferry.core.common;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Read, change, conditional write, and on a lost race apply the same change again to what the
 * store now holds. A change is a function of the current record, so it is never applied to a
 * stale one, and an acknowledged write of someone else is never overwritten.
 */
public final class Revisions {
    /**
     * Each lost attempt means another writer won, so every round makes progress: the bound is for
     * a record that keeps changing faster than one writer can follow (64 writers at once on one
     * record each win within 64 attempts).
     */
    public static final int MAX_ATTEMPTS = 100;

    private Revisions() {}

    /** What an update did: {@code before} is the stored record the write was based on, {@code after} what is stored now. */
    public record Done<T>(T before, T after) {
        public boolean changed() {
            return before != after;
        }
    }

    /**
     * Applies {@code change} to {@code current} and writes the result with {@code write}; on a stale
     * write, to the record the store returned instead, up to {@link #MAX_ATTEMPTS} times. A change that
     * returns its argument unchanged writes nothing. {@code change} may refuse (throw {@link BadInput})
     * on what it finds.
     *
     * @param gone the error for a record deleted meanwhile
     * @throws Contention when the record kept changing under every attempt
     */
    public static <T> Done<T> update(T current, UnaryOperator<T> change, Function<T, Write<T>> write,
                                     Supplier<? extends RuntimeException> gone) {
        T seen = Objects.requireNonNull(current, "current");
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            T next = change.apply(seen);
            if (next == seen || next.equals(seen)) return new Done<>(seen, seen);
            Write<T> written = write.apply(next);
            if (written instanceof Write.Applied<T> applied) return new Done<>(seen, applied.stored());
            T now = ((Write.Stale<T>) written).current();
            if (now == null) throw gone.get();
            seen = now;
        }
        throw new Contention(current.getClass().getSimpleName() + " kept changing under " + MAX_ATTEMPTS
                + " attempts to update it; try again");
    }
}
