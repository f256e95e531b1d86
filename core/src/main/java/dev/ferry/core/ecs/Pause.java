package dev.ferry.core.ecs;

import java.time.Duration;

/** How the dispatcher waits between throttled attempts; tests pass one that only records. */
@FunctionalInterface
public interface Pause {
    void sleep(Duration duration) throws InterruptedException;

    Pause REAL = d -> Thread.sleep(d.toMillis());
}
