package dev.ferry.core.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an event is about, or is related to: a label map as Prefect has it, with
 * {@value #ID} (like {@code ferry.deployment.<id>}), an optional {@value #NAME} (the name the CLI
 * shows) and, on related resources, {@value #ROLE} (deployment, work-pool, flow, tag, ...).
 */
public record Resource(Map<String, String> labels) {
    public static final String ID = "ferry.resource.id";
    public static final String NAME = "ferry.resource.name";
    public static final String ROLE = "ferry.resource.role";

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public Resource {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(labels, "labels")));
    }

    /** A resource with its id and, when not null, its name. */
    public static Resource of(String id, String name) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ID, id);
        if (name != null) labels.put(NAME, name);
        return new Resource(labels);
    }

    /** A related resource: its id, name (when not null) and role. */
    public static Resource related(String id, String name, String role) {
        Map<String, String> labels = new LinkedHashMap<>(of(id, name).labels());
        labels.put(ROLE, role);
        return new Resource(labels);
    }

    /** The same labels and {@code name = value}. */
    public Resource with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(labels);
        more.put(name, value);
        return new Resource(more);
    }

    @Override
    @JsonValue
    public Map<String, String> labels() {
        return labels;
    }

    public String id() {
        return labels.get(ID);
    }

    public String name() {
        return labels.get(NAME);
    }

    public String role() {
        return labels.get(ROLE);
    }
}
