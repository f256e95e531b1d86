package dev.ferry.core.scheduler;

import java.time.Instant;
import java.util.Optional;

/**
 * Per schedule, the last firing the scheduler handled: what lies between it and now was missed
 * and is caught up by the schedule's catchup policy.
 */
public interface ScheduleCursors {

    Optional<Instant> cursor(String deploymentId, String slug);

    void putCursor(String deploymentId, String slug, Instant handled);

    /** Nothing is kept for the schedule any more; a no-op when nothing was. */
    void deleteCursor(String deploymentId, String slug);
}
