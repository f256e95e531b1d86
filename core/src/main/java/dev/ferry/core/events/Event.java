package dev.ferry.core.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Something that happened, in Prefect's shape: {@code event} names it ({@code ferry.flow-run.Completed}),
 * {@code resource} is what it happened to and {@code related} what else it concerns. The id makes
 * it one event however often it is sent; {@code received} is when Ferry stored it.
 */
public record Event(String id, Instant occurred, String event, Resource resource, List<Resource> related,
                    ObjectNode payload, @JsonInclude(JsonInclude.Include.NON_NULL) String follows, Instant received) {

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(occurred, "occurred");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(resource, "resource");
        related = related == null ? List.of() : List.copyOf(related);
        payload = payload == null ? Json.MAPPER.createObjectNode() : payload;
    }

    public Event receivedAt(Instant at) {
        return new Event(id, occurred, event, resource, related, payload, follows, at);
    }

    /** The related resources in {@code role}. */
    public List<Resource> related(String role) {
        return related.stream().filter(r -> role.equals(r.role())).toList();
    }
}
