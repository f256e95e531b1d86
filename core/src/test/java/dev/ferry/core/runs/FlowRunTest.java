package dev.ferry.core.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import org.junit.jupiter.api.Test;

class FlowRunTest {

    @Test
    void aRunStoredBeforeInfrastructureExisted_readsWithNone() throws Exception {
        FlowRun run = Runs.in(StateType.RUNNING);
        ObjectNode old = Json.MAPPER.valueToTree(run);
        old.remove("infrastructure");

        FlowRun read = Json.MAPPER.treeToValue(old, FlowRun.class);

        assertThat(read).isEqualTo(run);
        assertThat(read.infrastructure()).isNull();
    }

    @Test
    void claimedAt_isTheLatestClaim_andANewClaimNamesANewAttempt() {
        FlowRun pending = Runs.in(StateType.PENDING);
        FlowRun provisioning = pending.entering(State.of(StateType.PENDING, "InfrastructurePending", null,
                pending.updated().plusSeconds(5), null), pending.updated().plusSeconds(5));

        assertThat(provisioning.claimedAt()).isEqualTo(pending.state().timestamp());
    }

    @Test
    void aRunRetriedWithLongMessages_keepsItsFirstEntryAndTheLatest_withinTheMessageBudget() {
        FlowRun run = Runs.in(StateType.RUNNING);
        String message = "m".repeat(4000);
        for (int i = 0; i < 60; i++) {
            State next = State.of(i % 2 == 0 ? StateType.CANCELLING : StateType.RUNNING, null, message + i,
                    run.updated().plusSeconds(1), null);
            run = run.entering(next, next.timestamp());
        }

        long chars = run.stateHistory().stream().mapToLong(s -> s.message() == null ? 0 : s.message().length()).sum();
        assertThat(chars).isLessThanOrEqualTo(FlowRun.MAX_HISTORY_MESSAGE_CHARS);
        assertThat(run.stateHistory().get(0).type()).as("the first entry stays").isEqualTo(StateType.SCHEDULED);
        assertThat(run.stateHistory().get(run.stateHistory().size() - 1)).isEqualTo(run.state());
        assertThat(run.stateHistory().size()).isGreaterThan(10);
    }
}
