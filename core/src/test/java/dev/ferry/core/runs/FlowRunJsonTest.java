package dev.ferry.core.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import org.junit.jupiter.api.Test;

class FlowRunJsonTest {

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
}
