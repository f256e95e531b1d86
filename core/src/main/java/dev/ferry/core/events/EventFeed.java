package dev.ferry.core.events;

import java.util.List;

/**
 * The events in the order they were stored, for the automation engine to follow where it runs
 * in-process (embedded). On AWS the table's stream is the feed and no adapter implements this.
 */
public interface EventFeed {

    /** Events stored after {@code position} (null: from the oldest kept), oldest first; {@code next} is where the batch ends. */
    Batch after(String position, int limit);

    /** @param next the position after the last event of the batch (the same position when it is empty) */
    record Batch(List<Event> events, String next) {
        public Batch {
            events = List.copyOf(events);
        }
    }
}
