package dev.ferry.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.ecs.TaskStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Reads EventBridge's "ECS Task State Change" events. */
public final class TaskEvents {
    public static final String DETAIL_TYPE = "ECS Task State Change";

    private TaskEvents() {}

    /** The task status the event reports, or null when it is no ECS task state change. */
    public static TaskStatus status(JsonNode event) {
        if (!DETAIL_TYPE.equals(event.path("detail-type").asText()) || !"aws.ecs".equals(event.path("source").asText())) {
            return null;
        }
        JsonNode d = event.path("detail");
        if (!d.path("taskArn").isTextual()) return null;
        List<TaskStatus.Container> containers = new ArrayList<>();
        for (JsonNode c : d.path("containers")) {
            containers.add(new TaskStatus.Container(text(c, "name"),
                    c.path("exitCode").isIntegralNumber() ? c.path("exitCode").intValue() : null,
                    text(c, "reason"), text(c, "lastStatus")));
        }
        return new TaskStatus(text(d, "taskArn"), text(d, "clusterArn"), text(d, "startedBy"), text(d, "lastStatus"),
                text(d, "desiredStatus"), text(d, "stopCode"), text(d, "stoppedReason"), List.copyOf(containers),
                d.path("version").asLong(0), instant(text(d, "updatedAt")), false);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    private static Instant instant(String text) {
        if (text == null) return null;
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
