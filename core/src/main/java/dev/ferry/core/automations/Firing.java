package dev.ferry.core.automations;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One firing of an automation, recorded before any action runs: its key is derived from what
 * made it fire, so the same firing evaluated twice is recorded once, and each action's outcome
 * is kept as it happens. A firing with an action not yet done is picked up again by the janitor.
 *
 * @param event the event that made it fire (a proactive window's: the one that opened it, or null)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Firing(String key, String automationId, Instant at, String trigger, String bucketKey, Instant windowStart,
                     Instant windowEnd, int count, int threshold, ObjectNode event, List<Outcome> actions, boolean done) {
    public Firing {
        actions = List.copyOf(actions);
    }

    /** @param status pending, ok or failed */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outcome(String type, String status, String detail, String flowRunId) {
        static Outcome pending(String type) {
            return new Outcome(type, "pending", null, null);
        }

        boolean pending() {
            return "pending".equals(status);
        }
    }

    Firing withOutcome(int index, Outcome outcome) {
        List<Outcome> next = new ArrayList<>(actions);
        next.set(index, outcome);
        return new Firing(key, automationId, at, trigger, bucketKey, windowStart, windowEnd, count, threshold, event, next,
                next.stream().noneMatch(Outcome::pending));
    }
}
