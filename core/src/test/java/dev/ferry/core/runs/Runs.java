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
        return FlowRunBuilder.builder().id("run-1").name("brave-otter").deploymentId("dep-1").flowName("my-flow")
                .deploymentName("my-deployment").workPoolId("pool-1").workPoolName("my-pool").workQueueId("queue-1")
                .workQueueName("default").parameters(JsonNodeFactory.instance.objectNode())
                .jobVariables(JsonNodeFactory.instance.objectNode()).state(s).stateHistory(List.of(s))
                .scheduledStartTime(T0).tags(List.of()).version(1).created(T0).updated(T0).build();
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
        return run.with(b -> b.retries(retries).retryDelaySeconds(delay));
    }

    private static FlowRun accept(Decision d) {
        return ((Decision.Accept) d).next();
    }
}
