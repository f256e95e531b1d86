package dev.ferry.core.testing;

import dev.ferry.core.common.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one test clock. Fixed: time moves only when the test moves it. Ticking: real time plus the
 * jumps the test makes, so long polls and timers still see time pass.
 */
public final class TestClock implements Clock {
    private final AtomicReference<Instant> fixed;
    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    private TestClock(Instant fixed) {
        this.fixed = fixed == null ? null : new AtomicReference<>(fixed);
    }

    public static TestClock fixed(Instant start) {
        return new TestClock(start);
    }

    public static TestClock ticking() {
        return new TestClock(null);
    }

    @Override
    public Instant now() {
        return fixed != null ? fixed.get() : Instant.now().plus(offset.get());
    }

    public void advance(Duration by) {
        if (fixed != null) fixed.updateAndGet(t -> t.plus(by));
        else offset.updateAndGet(o -> o.plus(by));
    }

    public void set(Instant at) {
        if (fixed == null) throw new IllegalStateException("a ticking clock moves by advance()");
        fixed.set(at);
    }
}
