package dev.ferry.core.runs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A flow run. {@code version} grows by one with every write; every write is conditional on it,
 * so two writers can never both win.
 */
@JsonIgnoreProperties(value = {"state_type"}, allowGetters = true)
public record FlowRun(
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
        List<State> stateHistory,
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
        Instant updated) {

    /** History keeps the first entry and the most recent ones, so a run retried forever stays small. */
    public static final int MAX_HISTORY = 100;

    @JsonProperty("state_type")
    public StateType stateType() {
        return state.type();
    }

    public boolean sawTransition(String transitionId) {
        if (transitionId == null) return false;
        for (State s : stateHistory) {
            if (transitionId.equals(s.transitionId())) return true;
        }
        return false;
    }

    /** The run after entering {@code next}; start/end times, run count and history follow the state. */
    public FlowRun entering(State next, Instant now) {
        List<State> history = new ArrayList<>(stateHistory);
        history.add(next);
        if (history.size() > MAX_HISTORY) {
            history.subList(1, history.size() - MAX_HISTORY + 1).clear();
        }
        Instant start = startTime;
        int count = runCount;
        if (next.type() == StateType.RUNNING && state.type() != StateType.RUNNING) {
            count++;
            if (start == null) start = now;
        }
        Instant end = next.type().isTerminal() ? now : null;
        Instant scheduled = scheduledStartTime;
        Instant heartbeat = next.type().holdsSlot() && !state.type().holdsSlot() ? now : lastHeartbeat;
        return new FlowRun(id, name, deploymentId, flowName, deploymentName, workPoolId, workPoolName, workQueueId,
                workQueueName, parameters, jobVariables, next, List.copyOf(history), scheduled, start, end, count,
                retries, retryDelaySeconds, idempotencyKey, workerName, infrastructureId, tags, heartbeat,
                version + 1, created, now);
    }

    public FlowRun rescheduled(Instant at) {
        return new FlowRun(id, name, deploymentId, flowName, deploymentName, workPoolId, workPoolName, workQueueId,
                workQueueName, parameters, jobVariables, state, stateHistory, at, startTime, endTime, runCount,
                retries, retryDelaySeconds, idempotencyKey, workerName, infrastructureId, tags, lastHeartbeat,
                version, created, updated);
    }

    public FlowRun claimedBy(String worker) {
        return new FlowRun(id, name, deploymentId, flowName, deploymentName, workPoolId, workPoolName, workQueueId,
                workQueueName, parameters, jobVariables, state, stateHistory, scheduledStartTime, startTime, endTime,
                runCount, retries, retryDelaySeconds, idempotencyKey, worker, null, tags, lastHeartbeat, version,
                created, updated);
    }

    public FlowRun withInfrastructure(String infrastructure) {
        return new FlowRun(id, name, deploymentId, flowName, deploymentName, workPoolId, workPoolName, workQueueId,
                workQueueName, parameters, jobVariables, state, stateHistory, scheduledStartTime, startTime, endTime,
                runCount, retries, retryDelaySeconds, idempotencyKey, workerName, infrastructure, tags, lastHeartbeat,
                version, created, updated);
    }

    public FlowRun withRunCountReset() {
        return new FlowRun(id, name, deploymentId, flowName, deploymentName, workPoolId, workPoolName, workQueueId,
                workQueueName, parameters, jobVariables, state, stateHistory, scheduledStartTime, startTime, endTime,
                0, retries, retryDelaySeconds, idempotencyKey, workerName, infrastructureId, tags, lastHeartbeat,
                version, created, updated);
    }

    /** A heartbeat is a write too (conditional on the version), so it can't resurrect a run the janitor crashed. */
    public FlowRun heartbeat(Instant now) {
        return new FlowRun(id, name, deploymentId, flowName, deploymentName, workPoolId, workPoolName, workQueueId,
                workQueueName, parameters, jobVariables, state, stateHistory, scheduledStartTime, startTime, endTime,
                runCount, retries, retryDelaySeconds, idempotencyKey, workerName, infrastructureId, tags, now,
                version + 1, created, now);
    }
}
