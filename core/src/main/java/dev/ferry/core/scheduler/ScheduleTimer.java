package dev.ferry.core.scheduler;

import dev.ferry.core.schedules.Firing;
import java.time.Instant;
import java.util.Map;

/**
 * Wakes Ferry when a schedule's next firing is due, by calling {@code Scheduler.fire}. Embedded:
 * an in-process timer. AWS: EventBridge Scheduler, one {@code at()} schedule per pending firing. At
 * most one firing is pending per schedule; the schedule service re-arms after each firing, and the
 * janitor compares {@link #armed()} with what should be armed.
 */
public interface ScheduleTimer {

    /** Arms the schedule's pending firing, replacing any other pending firing of the same schedule. */
    void arm(Firing firing);

    /** Nothing pending for the schedule with this {@link Firing#timerKey()}; a no-op when nothing is. */
    void disarm(String timerKey);

    /** The pending firings, by timer key. */
    Map<String, Instant> armed();
}
