package dev.ferry.cli.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What to do when the API cannot be reached or answers 5xx. Interactive commands fail at once
 * ({@link #never()}); the worker waits the outage out ({@link #untilBack}), because a run in
 * progress must keep going and its final report must still arrive.
 */
public final class Retry {
    static final Duration FIRST_DELAY = Duration.ofMillis(500);
    static final Duration MAX_DELAY = Duration.ofSeconds(30);

    private final boolean retrying;
    private final Consumer<String> notices;
    // Shared by every thread using the client, so one outage is announced once, not once per call.
    private final AtomicBoolean down = new AtomicBoolean();
    private final Object recovery = new Object();

    private Retry(boolean retrying, Consumer<String> notices) {
        this.retrying = retrying;
        this.notices = notices;
    }

    public static Retry never() {
        return new Retry(false, message -> {});
    }

    /** Retries with exponential backoff and jitter, telling {@code notices} once when an outage starts and once when it ends. */
    public static Retry untilBack(Consumer<String> notices) {
        return new Retry(true, notices);
    }

    boolean retrying() {
        return retrying;
    }

    /** The pause before retry number {@code attempt} (0-based): 0.5 s doubling to 30 s, the upper half randomized. */
    static Duration delay(int attempt) {
        long max = MAX_DELAY.toMillis();
        long exp = FIRST_DELAY.toMillis() << Math.min(attempt, 16);
        long capped = Math.min(max, exp);
        // "Equal jitter": workers that lost the API together don't all come back in the same millisecond.
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    void failed(String what) {
        if (down.compareAndSet(false, true)) {
            notices.accept(what + "; retrying until it is back");
        }
    }

    void succeeded(String url) {
        if (down.compareAndSet(true, false)) {
            notices.accept("the Ferry API at " + url + " is reachable again");
            synchronized (recovery) {
                recovery.notifyAll();
            }
        }
    }

    /**
     * Waits before retry number {@code attempt}, or less: as soon as any call through this policy
     * gets through, every waiting call tries again, so a run's final report doesn't sit out a
     * 30 s backoff after the API is back.
     */
    void pause(int attempt) throws InterruptedException {
        long millis = delay(attempt).toMillis();
        synchronized (recovery) {
            if (down.get()) recovery.wait(millis);
        }
    }
}
