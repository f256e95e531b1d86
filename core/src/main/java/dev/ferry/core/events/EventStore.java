package dev.ferry.core.events;

import java.time.Instant;
import java.util.List;

/**
 * Where events are kept. An event is stored once: appending an id already stored is a no-op
 * decided by the store's own conditional write, so a redelivered event never counts twice.
 */
public interface EventStore {

    /** How many events one {@link #scan} examines at most, so a filter that matches little stays bounded. */
    int SCAN_BUDGET = 1_000;

    /** Stores {@code event} unless an event with its id is stored; true when this call stored it. */
    boolean append(Event event);

    /**
     * Events after {@code after} (before it when newest first; null: from the filter's edge of the
     * range) in the filter's order that match it, up to {@code limit} of them, examining at most
     * {@link #SCAN_BUDGET} events.
     */
    Scan scan(EventFilter filter, EventPosition after, int limit);

    /** Removes the events that occurred before {@code before}; where the backend expires them itself, nothing. */
    void purge(Instant before);

    /**
     * @param last      the position of the last event examined (null when none was)
     * @param exhausted true when no event in the range is left past {@code last}
     */
    record Scan(List<Event> matched, EventPosition last, boolean exhausted) {
        public Scan {
            matched = List.copyOf(matched);
        }
    }
}
