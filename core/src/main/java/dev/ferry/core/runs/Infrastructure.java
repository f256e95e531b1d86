package dev.ferry.core.runs;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;

/**
 * What Ferry launched for a run itself (an ECS task of an {@code ecs} pool), and what observing,
 * stopping and timing it out need. Null on runs of worker-driven pools.
 *
 * @param kind          {@value #ECS_TASK}
 * @param cluster       the cluster the task runs in (null: the account's default cluster)
 * @param taskArn       the task; null while a launch is being recovered
 * @param containerName the essential container whose exit code decides the run's end
 * @param logGroup      CloudWatch log group of the container, or null without CloudWatch logging
 * @param logStream     its log stream
 * @param deadline      when the task is stopped and the run FAILED ({@code timeout_seconds}); null for none
 * @param timeoutSeconds the timeout the deadline came from, for the message
 * @param eventVersion  the highest ECS task {@code version} applied; older or repeated events are ignored
 * @param stopRequested when Ferry asked ECS to stop the task (cancellation or timeout), else null
 * @param stopReason    why: {@value #STOP_CANCELLED} or {@value #STOP_TIMEOUT}
 * @param selfReporting the container runs {@code ferry flow-run execute}, which reports RUNNING itself
 *                      (and needs the run PENDING to start): ECS's RUNNING then changes no state
 */
public record Infrastructure(String kind, String cluster, String taskArn, String containerName, String logGroup,
                             String logStream, Instant deadline, Integer timeoutSeconds, Long eventVersion,
                             Instant stopRequested, String stopReason, Boolean selfReporting) {
    public static final String ECS_TASK = "ecs-task";
    public static final String STOP_CANCELLED = "cancelled";
    public static final String STOP_TIMEOUT = "timeout";

    @JsonIgnore
    public boolean isEcsTask() {
        return ECS_TASK.equals(kind);
    }

    @JsonIgnore
    public boolean reportsItself() {
        return Boolean.TRUE.equals(selfReporting);
    }

    public long appliedVersion() {
        return eventVersion == null ? -1 : eventVersion;
    }

    public Infrastructure observed(long version) {
        return new Infrastructure(kind, cluster, taskArn, containerName, logGroup, logStream, deadline, timeoutSeconds,
                Math.max(version, appliedVersion()), stopRequested, stopReason, selfReporting);
    }

    public Infrastructure withTask(String arn) {
        return new Infrastructure(kind, cluster, arn, containerName, logGroup, logStream, deadline, timeoutSeconds,
                eventVersion, stopRequested, stopReason, selfReporting);
    }

    public Infrastructure stopping(Instant at, String reason) {
        return new Infrastructure(kind, cluster, taskArn, containerName, logGroup, logStream, deadline, timeoutSeconds,
                eventVersion, at, reason, selfReporting);
    }
}
