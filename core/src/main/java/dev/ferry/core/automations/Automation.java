package dev.ferry.core.automations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * An automation as stored: its trigger and actions kept as the JSON they were given (checked
 * when given; {@link AutomationParser} reads them), so the API shows what the user wrote.
 *
 * @param pausedReason why Ferry itself paused it (its circuit breaker), kept until it is resumed; null otherwise
 * @param deploymentId the deployment whose ferry.yaml {@code triggers:} made it, which owns it; null for one made on its own
 * @param revision     the store's: 1 when created, one more with every change
 */
public record Automation(String id, String name, String description, boolean enabled, String pausedReason, ObjectNode trigger,
                         List<ObjectNode> actions, String deploymentId, Instant created, Instant updated, long revision) {
    public Automation {
        actions = List.copyOf(actions);
    }

    /** Paused or resumed; resuming forgets why it was paused. */
    public Automation enabled(boolean on, Instant now) {
        return new Automation(id, name, description, on, on ? null : pausedReason, trigger, actions, deploymentId, created, now,
                revision);
    }

    /** Paused by Ferry, saying why. */
    Automation pausedBecause(String reason, Instant now) {
        return new Automation(id, name, description, false, reason, trigger, actions, deploymentId, created, now, revision);
    }

    public Automation withRevision(long r) {
        return new Automation(id, name, description, enabled, pausedReason, trigger, actions, deploymentId, created, updated, r);
    }
}
