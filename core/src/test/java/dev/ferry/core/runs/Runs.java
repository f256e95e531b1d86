package dev.ferry.core.runs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.List;

/** Test fixtures: flow runs in a given state. */
public final class Runs {
    public static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private Runs() {}

    public static FlowRun scheduled() {
        State s = State.of(StateType.SCHEDULED, T0);
        return new FlowRun("run-1", "brave-otter", "dep-1", "my-flow", "my-deployment", "pool-1", "my-pool",
                "queue-1", "default", JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.objectNode(),
                s, List.of(s), T0, null, null, 0, 0, 0, null, null, null, List.of(), null, 1, T0, T0);
    }

    public static FlowRun in(StateType type) {
        FlowRun run = scheduled();
        OrchestrationPolicy policy = new OrchestrationPolicy();
        if (type == StateType.SCHEDULED) return run;
        run = accept(policy.decide(run, Proposal.of(Proposal.Origin.CLAIM, StateType.PENDING, null, null), T0));
        if (type == StateType.PENDING) return run;
        if (type == StateType.CANCELLING) {
            return accept(policy.decide(run, Proposal.of(Proposal.Origin.CANCEL, StateType.CANCELLING, null, null), T0));
        }
        run = accept(policy.decide(run, Proposal.report(StateType.RUNNING, null, null, null), T0));
        if (type == StateType.RUNNING) return run;
        return accept(policy.decide(run, Proposal.report(type, null, null, null), T0));
    }

    public static FlowRun withRetries(FlowRun run, int retries, int delay) {
        return new FlowRun(run.id(), run.name(), run.deploymentId(), run.flowName(), run.deploymentName(),
                run.workPoolId(), run.workPoolName(), run.workQueueId(), run.workQueueName(), run.parameters(),
                run.jobVariables(), run.state(), run.stateHistory(), run.scheduledStartTime(), run.startTime(),
                run.endTime(), run.runCount(), retries, delay, run.idempotencyKey(), run.workerName(),
                run.infrastructureId(), run.tags(), run.lastHeartbeat(), run.version(), run.created(), run.updated());
    }

    private static FlowRun accept(Decision d) {
        return ((Decision.Accept) d).next();
    }
}
