package dev.ferry.core.ecs;

import java.time.Instant;
import java.util.List;

/**
 * An ECS task as ECS reports it, from a Task State Change event or DescribeTasks.
 *
 * @param version ECS's own counter of the task's changes: what orders events
 * @param missing DescribeTasks did not find the task (ECS forgets stopped tasks after about an hour)
 */
public record TaskStatus(String taskArn, String clusterArn, String startedBy, String lastStatus, String desiredStatus,
                         String stopCode, String stoppedReason, List<Container> containers, long version,
                         Instant updatedAt, boolean missing) {

    public record Container(String name, Integer exitCode, String reason, String lastStatus) {}

    public static TaskStatus missing(String taskArn) {
        return new TaskStatus(taskArn, null, null, "MISSING", null, null, "ECS has no record of the task", List.of(),
                Long.MAX_VALUE, null, true);
    }
}
