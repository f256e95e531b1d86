package dev.ferry.core.automations;

import dev.ferry.core.events.LabelPattern;
import dev.ferry.core.events.Resource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prefect's resource specification: label name to the patterns its value must match (any of
 * them; {@code !} negates, a trailing {@code *} matches any suffix). Empty matches every resource.
 */
public record ResourceSpec(Map<String, List<String>> labels) {
    public ResourceSpec {
        labels = Map.copyOf(labels);
    }

    public static final ResourceSpec ANY = new ResourceSpec(Map.of());

    public boolean matches(Resource resource) {
        return mismatch(resource).isEmpty();
    }

    /** The first label that does not match, said as a near miss would show it; empty when all match. */
    public Optional<String> mismatch(Resource resource) {
        for (Map.Entry<String, List<String>> label : labels.entrySet()) {
            String value = resource.labels().get(label.getKey());
            if (!LabelPattern.matchesAny(label.getValue(), value)) {
                return Optional.of(label.getKey() + " was " + (value == null ? "absent" : "'" + value + "'") + ", wanted "
                        + String.join(" or ", label.getValue()));
            }
        }
        return Optional.empty();
    }
}
