package dev.ferry.core.ecs;

/** What ECS said to a RunTask; the dispatcher decides what each means for the run. */
public sealed interface LaunchResult {
    record Started(String taskArn) implements LaunchResult {}

    /** No capacity for this placement (RESOURCE:*, Fargate capacity unavailable): try the next. */
    record NoCapacity(String reason) implements LaunchResult {}

    /** Throttled, or a transient server error: the same request may succeed a little later. */
    record Throttled(String reason) implements LaunchResult {}

    /** The request itself is wrong (bad subnet, unknown cluster, missing permission): retrying won't help. */
    record Refused(String reason) implements LaunchResult {}
}
