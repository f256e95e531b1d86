package dev.ferry.core.scheduler;

import dev.ferry.core.common.Page;
import java.time.Instant;
import java.util.Optional;

/**
 * Per schedule, the last firing the scheduler handled: what lies between it and now was missed
 * and is caught up by the schedule's catchup policy. Beside it, the firing expected next: a
 * cursor still showing that firing well after it was due means the firing got lost, which is what
 * the janitor's heal looks for ({@link #expected}), so it reads only the schedules in trouble.
 */
public interface ScheduleCursors {

    /**
     * @param handled the last firing handled
     * @param next    the firing expected next, as armed; null when none is (the schedule ended)
     */
    record Cursor(Instant handled, Instant next) {}

    Optional<Cursor> cursor(String deploymentId, String slug);

    void putCursor(String deploymentId, String slug, Cursor cursor);

    /** Nothing is kept for the schedule any more; a no-op when nothing was. */
    void deleteCursor(String deploymentId, String slug);

    /**
     * The ids of deployments with a schedule whose cursor's {@code next} lies in {@code (after, until]},
     * in no promised order (a deployment with two such schedules may show twice). Served by an index of
     * cursors only, so a schedule that fires as armed costs nothing here.
     */
    Page<String> expected(Instant after, Instant until, int limit, String cursor);
}
