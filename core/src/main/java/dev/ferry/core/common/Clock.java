package dev.ferry.core.common;

import java.time.Instant;

/** The one clock. Tests pass a controllable one; nothing in core calls Instant.now() itself. */
@FunctionalInterface
public interface Clock {
    Instant now();

    Clock SYSTEM = Instant::now;
}
