package dev.ferry.core.events;

import java.time.Instant;
import java.util.Comparator;

/**
 * Where an event sits in list order: when it occurred, then its id. A position with an empty id
 * sits before every event of its instant.
 */
public record EventPosition(Instant occurred, String id) implements Comparable<EventPosition> {
    private static final Comparator<EventPosition> ORDER =
            Comparator.comparing(EventPosition::occurred).thenComparing(EventPosition::id);

    public static EventPosition of(Event event) {
        return new EventPosition(event.occurred(), event.id());
    }

    /** Nanoseconds since the epoch: what stores sort on. */
    public long nanos() {
        return occurred.getEpochSecond() * 1_000_000_000L + occurred.getNano();
    }

    public static EventPosition ofNanos(long nanos, String id) {
        return new EventPosition(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)), id);
    }

    @Override
    public int compareTo(EventPosition other) {
        return ORDER.compare(this, other);
    }
}
