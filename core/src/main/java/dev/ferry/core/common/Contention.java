package dev.ferry.core.common;

/**
 * A write that could not be made because others kept winning (or the store throttled it): nothing
 * was written, and the same request may succeed in a moment. The edge answers 503 with
 * {@code Retry-After}; it is never the caller's fault, so it is not a {@link BadInput}.
 */
public final class Contention extends RuntimeException {
    public static final int RETRY_AFTER_SECONDS = 1;

    public Contention(String message) {
        super(message);
    }

    public Contention(String message, Throwable cause) {
        super(message, cause);
    }
}
