package dev.ferry.core.runs;

import static dev.ferry.core.runs.Runs.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.runs.Decision.Accept;
import dev.ferry.core.runs.Decision.SlotEffect;
import dev.ferry.core.runs.Proposal.Origin;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OrchestrationPolicyTest {
    private final OrchestrationPolicy policy = new OrchestrationPolicy();
    private final Instant now = T0.plusSeconds(10);

    /** The whole REPORT table: from each state, which reported states are accepted. */
    @ParameterizedTest
    @EnumSource(StateType.class)
    void reportTable_acceptsExactlyTheAllowedTransitions(StateType from) {
        Set<StateType> allowed = switch (from) {
            case SCHEDULED -> EnumSet.of(StateType.CANCELLING, StateType.CANCELLED);
            case PENDING -> EnumSet.of(StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING, StateType.FAILED,
                    StateType.CRASHED, StateType.CANCELLING, StateType.CANCELLED);
            case RUNNING -> EnumSet.of(StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLING,
                    StateType.CANCELLED);
            case CANCELLING -> EnumSet.of(StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED);
            default -> EnumSet.noneOf(StateType.class);
        };
        FlowRun run = Runs.in(from);
        for (StateType to : StateType.values()) {
            Decision d = policy.decide(run, Proposal.report(to, null, null, null), now);
            assertThat(d instanceof Accept).as("%s -> %s", from, to).isEqualTo(allowed.contains(to));
        }
    }

    @Test
    void claim_takesSlots_andOnlyFromScheduled() {
        Decision d = policy.decide(Runs.scheduled(), Proposal.of(Origin.CLAIM, StateType.PENDING, null, null), now);
        assertThat(d).isInstanceOf(Accept.class);
        assertThat(((Accept) d).slots()).isEqualTo(SlotEffect.ACQUIRE);
        assertThat(((Accept) d).next().version()).isEqualTo(2);

        FlowRun claimed = ((Accept) d).next();
        assertThat(policy.decide(claimed, Proposal.of(Origin.CLAIM, StateType.PENDING, null, null), now))
                .as("a second claim of the same run loses").isInstanceOf(Decision.Reject.class);
    }

    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})
    void terminalStates_releaseSlots_andAreFinal(StateType terminal) {
        FlowRun running = Runs.in(StateType.RUNNING);
        Decision d = policy.decide(running, Proposal.report(terminal, null, "done", null), now);
        assertThat(((Accept) d).slots()).isEqualTo(SlotEffect.RELEASE);
        FlowRun ended = ((Accept) d).next();
        assertThat(ended.endTime()).isEqualTo(now);
        for (StateType to : StateType.values()) {
            assertThat(policy.decide(ended, Proposal.report(to, null, null, null), now))
                    .as("%s -> %s", terminal, to).isInstanceOf(Decision.Reject.class);
        }
    }

    @Test
    void repeatedTransitionId_isANoOp() {
        FlowRun pending = Runs.in(StateType.PENDING);
        FlowRun running = ((Accept) policy.decide(pending, Proposal.report(StateType.RUNNING, null, null, "t-1"), now)).next();
        assertThat(policy.decide(running, Proposal.report(StateType.RUNNING, null, null, "t-1"), now))
                .isInstanceOf(Decision.AlreadyApplied.class);
    }

    @Test
    void failedWithRetriesLeft_isRescheduledAfterTheDelay() {
        FlowRun running = Runs.withRetries(Runs.in(StateType.RUNNING), 2, 30);
        Accept d = (Accept) policy.decide(running, Proposal.report(StateType.FAILED, null, "boom", null), now);
        assertThat(d.next().state().type()).isEqualTo(StateType.SCHEDULED);
        assertThat(d.next().state().name()).isEqualTo(OrchestrationPolicy.AWAITING_RETRY);
        assertThat(d.next().state().message()).contains("boom");
        assertThat(d.next().scheduledStartTime()).isEqualTo(now.plusSeconds(30));
        assertThat(d.slots()).isEqualTo(SlotEffect.RELEASE);
    }

    @Test
    void failedWithoutRetriesLeft_staysFailed() {
        FlowRun running = Runs.in(StateType.RUNNING); // run_count 1, retries 0
        Accept d = (Accept) policy.decide(running, Proposal.report(StateType.FAILED, null, "boom", null), now);
        assertThat(d.next().state().type()).isEqualTo(StateType.FAILED);
    }

    @Test
    void failedBeforeItRan_staysFailed_evenWithRetriesLeft() {
        FlowRun pending = Runs.withRetries(Runs.in(StateType.PENDING), 2, 30); // run_count 0: it never ran
        Accept d = (Accept) policy.decide(pending, Proposal.report(StateType.FAILED, null, "pull step 1 failed", null), now);
        assertThat(d.next().state().type()).isEqualTo(StateType.FAILED);
        assertThat(d.next().state().message()).isEqualTo("pull step 1 failed");
    }

    @Test
    void cancel_endsScheduledRunsAtOnce_andAsksActiveRunsToStop() {
        Accept scheduled = (Accept) policy.decide(Runs.scheduled(), Proposal.of(Origin.CANCEL, StateType.CANCELLING, null, null), now);
        assertThat(scheduled.next().state().type()).isEqualTo(StateType.CANCELLED);
        assertThat(scheduled.slots()).isEqualTo(SlotEffect.NONE);

        Accept running = (Accept) policy.decide(Runs.in(StateType.RUNNING), Proposal.of(Origin.CANCEL, StateType.CANCELLING, null, null), now);
        assertThat(running.next().state().type()).isEqualTo(StateType.CANCELLING);
        assertThat(running.slots()).as("a cancelling run still holds its slot").isEqualTo(SlotEffect.NONE);
    }

    @ParameterizedTest
    @EnumSource(value = StateType.class, names = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})
    void retry_reschedulesFinishedRunsNow(StateType terminal) {
        Accept d = (Accept) policy.decide(Runs.in(terminal), Proposal.of(Origin.RETRY, StateType.SCHEDULED, null, null), now);
        assertThat(d.next().state().type()).isEqualTo(StateType.SCHEDULED);
        assertThat(d.next().scheduledStartTime()).isEqualTo(now);
        assertThat(d.next().endTime()).isNull();
    }

    @Test
    void retry_isRefusedForActiveRuns() {
        assertThat(policy.decide(Runs.in(StateType.RUNNING), Proposal.of(Origin.RETRY, StateType.SCHEDULED, null, null), now))
                .isInstanceOf(Decision.Reject.class);
    }

    @Test
    void janitor_crashesOnlyActiveRuns() {
        assertThat(policy.decide(Runs.in(StateType.RUNNING), Proposal.of(Origin.JANITOR, StateType.CRASHED, null, "lost"), now))
                .isInstanceOf(Accept.class);
        assertThat(policy.decide(Runs.in(StateType.COMPLETED), Proposal.of(Origin.JANITOR, StateType.CRASHED, null, "lost"), now))
                .isInstanceOf(Decision.Reject.class);
        assertThat(policy.decide(Runs.scheduled(), Proposal.of(Origin.JANITOR, StateType.CANCELLED, null, null), now))
                .isInstanceOf(Decision.Reject.class);
    }

    @Test
    void runningCountsAttempts_andKeepsTheFirstStartTime() {
        FlowRun running = Runs.in(StateType.RUNNING);
        assertThat(running.runCount()).isEqualTo(1);
        assertThat(running.startTime()).isEqualTo(T0);
    }
}
