package dev.ferry.core.runs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A flow run. {@code version} grows by one with every write; every write is conditional on it,
 * so two writers can never both win. Changed copies come from the generated withers
 * ({@code withX(value)}, {@code with(b -> b.x(..).y(..))}); the methods below are the changes
 * that carry a rule.
 */
@RecordBuilder
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
        Instant updated,
        Infrastructure infrastructure) implements FlowRunBuilder.With {

    /** History keeps the first entry and the most recent ones, so a run retried forever stays small. */
    public static final int MAX_HISTORY = 100;
    /**
     * And no more messages than this in all: a run stays one DynamoDB item (400 KB, beside its
     * parameters) however long the messages it was given, and can always be written, cancelled too.
     */
    public static final int MAX_HISTORY_MESSAGE_CHARS = 64 * 1024;

    @JsonProperty("state_type")
    public StateType stateType() {
        return state.type();
    }

    private static long messageChars(List<State> states) {
        long chars = 0;
        for (State s : states) chars += s.message() == null ? 0 : s.message().length();
        return chars;
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
        // Progress within a state (a task being provisioned, then pulled) replaces the previous
        // progress entry: reports repeated without end must not grow the run. The entry into the
        // state stays, for it dates the attempt (claimedAt).
        boolean progress = next.type() == state.type() && history.size() >= 2
                && history.get(history.size() - 2).type() == state.type();
        if (progress) history.set(history.size() - 1, next);
        else history.add(next);
        if (history.size() > MAX_HISTORY) {
            history.subList(1, history.size() - MAX_HISTORY + 1).clear();
        }
        while (history.size() > 2 && messageChars(history) > MAX_HISTORY_MESSAGE_CHARS) history.remove(1);
        Instant start = startTime;
        int count = runCount;
        if (next.type() == StateType.RUNNING && state.type() != StateType.RUNNING) {
            count++;
            if (start == null) start = now;
        }
        Instant started = start;
        int runs = count;
        Instant heartbeat = next.type().holdsSlot() && !state.type().holdsSlot() ? now : lastHeartbeat;
        return with(b -> b.state(next).stateHistory(List.copyOf(history)).startTime(started).runCount(runs)
                .endTime(next.type().isTerminal() ? now : null).lastHeartbeat(heartbeat).version(version + 1).updated(now));
    }

    /**
     * When the current attempt was claimed (the timestamp of its Pending state): null when the
     * run has not been claimed since it was last scheduled, a retry included.
     */
    public Instant claimed() {
        for (int i = stateHistory.size() - 1; i >= 0; i--) {
            StateType type = stateHistory.get(i).type();
            if (type == StateType.PENDING) return stateHistory.get(i).timestamp();
            if (type == StateType.SCHEDULED) return null;
        }
        return null;
    }

    /** Claimed by {@code worker}: whatever infrastructure an earlier attempt had is not this one's. */
    public FlowRun claimedBy(String worker) {
        return with(b -> b.workerName(worker).infrastructureId(null).infrastructure(null));
    }

    /**
     * The run with {@code next} as its launched infrastructure (and its id as infrastructure id), as
     * a write of its own: one more version, no state change.
     */
    public FlowRun launchedOn(Infrastructure next, Instant now) {
        return with(b -> b.infrastructureId(next == null ? infrastructureId : next.taskArn()).infrastructure(next)
                .version(version + 1).updated(now));
    }

    /** The same run with {@code next} as infrastructure, for a write that changes state too (no extra version). */
    public FlowRun withTask(Infrastructure next) {
        return with(b -> b.infrastructureId(next == null || next.taskArn() == null ? infrastructureId : next.taskArn())
                .infrastructure(next));
    }

    /**
     * When the current claim was made: the latest entry into PENDING from a state that holds no
     * slot. Fixed for the whole attempt, so it names the attempt (ECS client tokens), while a
     * retried run's next claim gets a new one.
     */
    public Instant claimedAt() {
        for (int i = stateHistory.size() - 1; i > 0; i--) {
            if (stateHistory.get(i).type() == StateType.PENDING && !stateHistory.get(i - 1).type().holdsSlot()) {
                return stateHistory.get(i).timestamp();
            }
        }
        return stateHistory.isEmpty() || stateHistory.get(0).type() != StateType.PENDING ? null : stateHistory.get(0).timestamp();
    }

    /** A heartbeat is a write too (conditional on the version), so it can't resurrect a run the janitor crashed. */
    public FlowRun heartbeat(Instant now) {
        return with(b -> b.lastHeartbeat(now).version(version + 1).updated(now));
    }
}
