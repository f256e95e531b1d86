package dev.ferry.aws.dynamodb;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter, for what DynamoDB asks to be tried again: unprocessed
 * batch items and cancelled transactions that only conflicted with another one.
 */
record Backoff(int maxAttempts, Duration base, Duration cap, Sleeper sleeper) {

    /** About 4 s in total before giving up: long enough to ride out a throttling burst, short for a Lambda. */
    static final Backoff DEFAULT = new Backoff(8, Duration.ofMillis(25), Duration.ofSeconds(1),
            d -> Thread.sleep(d.toMillis()));

    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Sleeps before attempt {@code attempt + 1}. */
    void pause(int attempt) {
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(attempt, 20));
        try {
            sleeper.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off from DynamoDB", e);
        }
    }
}
