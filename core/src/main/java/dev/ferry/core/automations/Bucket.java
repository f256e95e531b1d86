package dev.ferry.core.automations;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The count one trigger keeps for one {@code for_each} key: the window it counts in, how many
 * expected events came, and for compound and sequence triggers which of their triggers fired.
 *
 * @param armedBy  the {@code after} event that opened the window, when the trigger has {@code after}
 * @param end      when the window closes; null for a reactive count without end
 * @param events   the latest counted event ids (a few, for "why did it fire")
 * @param children compound: the child triggers that fired in the window, and when; sequence: those in order so far
 * @param opener   the {@code after} event without its payload: what a proactive firing's actions are about
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Bucket(String trigger, String key, String armedBy, Instant start, Instant end, int count, List<String> events,
                     Map<String, Instant> children, ObjectNode opener) {
    static final int KEPT_EVENT_IDS = 10;

    public Bucket {
        events = events == null ? List.of() : List.copyOf(events);
        children = children == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(children));
    }

    static Bucket open(String trigger, String key, String armedBy, Instant start, Instant end) {
        return new Bucket(trigger, key, armedBy, start, end, 0, List.of(), Map.of(), null);
    }

    Bucket openedBy(ObjectNode event) {
        return new Bucket(trigger, key, armedBy, start, end, count, events, children, event);
    }

    boolean covers(Instant at) {
        return !at.isBefore(start) && (end == null || at.isBefore(end));
    }

    /**
     * Whether an event that occurred {@code at} counts in this window. Events reach the engine in
     * the order they were stored, which is not quite the order they occurred (two clients, a
     * clock a little off): one that occurred a little before the window opened is late, not
     * outside it, and counts, unless it is older than the window is long. A window an
     * {@code after} event opened counts only what came after that event.
     */
    boolean counts(Instant at) {
        if (armedBy != null || end == null) return covers(at);
        return at.isBefore(end) && !at.isBefore(start.minus(java.time.Duration.between(start, end)));
    }

    Bucket counted(String eventId) {
        List<String> ids = new ArrayList<>(events);
        ids.add(eventId);
        if (ids.size() > KEPT_EVENT_IDS) ids = ids.subList(ids.size() - KEPT_EVENT_IDS, ids.size());
        return new Bucket(trigger, key, armedBy, start, end, count + 1, ids, children, opener);
    }

    Bucket withChild(String child, Instant at) {
        Map<String, Instant> fired = new LinkedHashMap<>(children);
        fired.put(child, at);
        return new Bucket(trigger, key, armedBy, start, end, count, events, fired, opener);
    }
}
