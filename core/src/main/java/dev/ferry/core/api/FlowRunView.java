package dev.ferry.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.Infrastructure;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import java.time.Instant;
import java.util.List;

/**
 * A flow run as the API shows it (the {@code FlowRun} schema of the OpenAPI document), shaped here
 * and not by the stored record: what the API promises changes only when this does.
 */
record FlowRunView(
        String id,
        String name,
        String deploymentId,
        String flowName,
        String deploymentName,
        String workPoolId,
        String workPoolName,
        String workQueueId,
        String workQueueName,
        ObjectNode parameters,
        ObjectNode jobVariables,
        State state,
        StateType stateType,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<State> stateHistory,
        Instant scheduledStartTime,
        Instant startTime,
        Instant endTime,
        int runCount,
        int retries,
        int retryDelaySeconds,
        String idempotencyKey,
        String workerName,
        String infrastructureId,
        List<String> tags,
        Instant lastHeartbeat,
        long version,
        Instant created,
        Instant updated,
        Infrastructure infrastructure) {

    /** As a list shows it: without the history, which can hold a hundred states. */
    static FlowRunView summary(FlowRun run) {
        return of(run.withStateHistory(null));
    }

    static FlowRunView of(FlowRun run) {
        return new FlowRunView(
                run.id(), run.name(), run.deploymentId(), run.flowName(), run.deploymentName(), run.workPoolId(),
                run.workPoolName(), run.workQueueId(), run.workQueueName(), run.parameters(), run.jobVariables(),
                run.state(), run.state().type(), run.stateHistory(), run.scheduledStartTime(), run.startTime(),
                run.endTime(), run.runCount(), run.retries(), run.retryDelaySeconds(), run.idempotencyKey(),
                run.workerName(), run.infrastructureId(), run.tags(), run.lastHeartbeat(), run.version(),
                run.created(), run.updated(), run.infrastructure());
    }
}
