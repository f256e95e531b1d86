package dev.ferry.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A behaviour test that moves the test clock past a delivery delay (a future start, a retry
 * delay, a limit's back-off) and expects the delayed message at once. Queues that read the
 * test's clock (in-memory, SQLite) run it; SQS delays in real time, which the test clock does not
 * move, so the AWS suite leaves it out and {@code SqsWorkQueuesIT} proves SQS's own delays.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ClockDrivenDelivery {}
