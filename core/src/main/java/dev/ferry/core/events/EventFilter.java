package dev.ferry.core.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which events a list wants: those that occurred in {@code [since, until)}, whose name matches one
 * of {@code names}, whose resource id matches one of {@code resources}, whose resource labels
 * match {@code labels}, and that have a related resource whose id matches one of {@code related}.
 * Patterns as {@link LabelPattern}; an empty list asks nothing.
 *
 * @param ascending oldest first (for tailing) instead of newest first
 */
public record EventFilter(Instant since, Instant until, List<String> names, List<String> resources,
                          Map<String, List<String>> labels, List<String> related, boolean ascending) {

    public EventFilter {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        names = List.copyOf(names);
        resources = List.copyOf(resources);
        labels = Map.copyOf(labels);
        related = List.copyOf(related);
    }

    /** Every event in {@code [since, until)}, newest first. */
    public static EventFilter between(Instant since, Instant until) {
        return new EventFilter(since, until, List.of(), List.of(), Map.of(), List.of(), false);
    }

    public boolean matches(Event event) {
        if (event.occurred().isBefore(since) || !event.occurred().isBefore(until)) return false;
        if (!LabelPattern.matchesAny(names, event.event())) return false;
        if (!LabelPattern.matchesAny(resources, event.resource().id())) return false;
        for (Map.Entry<String, List<String>> label : labels.entrySet()) {
            if (!LabelPattern.matchesAny(label.getValue(), event.resource().labels().get(label.getKey()))) return false;
        }
        return related.isEmpty() || event.related().stream().anyMatch(r -> LabelPattern.matchesAny(related, r.id()));
    }
}
