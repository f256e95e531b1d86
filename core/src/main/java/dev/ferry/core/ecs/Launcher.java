package dev.ferry.core.ecs;

import java.util.List;
import java.util.Optional;

/** Where {@code ecs} pools start their runs. AWS: ECS ({@code EcsLauncher}); there is no embedded one. */
public interface Launcher {

    /** Registers a task definition revision; returns its ARN. */
    String register(TaskDefinitionSpec spec);

    /** RunTask. Failures ECS reports are results; only the unexpected throws. */
    LaunchResult launch(TaskLaunch launch);

    /** The tasks' current status, one per ARN asked (those ECS no longer knows as {@link TaskStatus#missing}). */
    List<TaskStatus> describe(String cluster, List<String> taskArns);

    /** StopTask; a task already stopped or gone is fine. */
    void stop(String cluster, String taskArn, String reason);

    /** A task started for {@code startedBy} (a run id), if ECS has one. */
    Optional<String> findTask(String cluster, String startedBy);
}
