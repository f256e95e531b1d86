package dev.ferry.core.deployments;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One pull step of a deployment, checked by {@link PullSteps#parse} when it is given: its kind
 * ({@code git_clone}, ...), its optional {@code id} (later steps read its outputs through it) and
 * its fields. Shown and stored as the user wrote it: {@code {"git_clone": {"repository": ...}}}.
 */
public record PullStep(String kind, String id, ObjectNode fields) {

    public PullStep {
        fields = fields.deepCopy();
    }

    /** A stored step; it was checked, with the steps around it, when it was given. */
    @JsonCreator
    public static PullStep of(ObjectNode step) {
        String kind = step.fieldNames().next();
        ObjectNode fields = (ObjectNode) step.get(kind);
        return new PullStep(kind, fields.hasNonNull("id") ? fields.get("id").asText() : null, fields);
    }

    @JsonValue
    public ObjectNode source() {
        ObjectNode step = JsonNodeFactory.instance.objectNode();
        step.set(kind, fields.deepCopy());
        return step;
    }
}
