package dev.ferry.cli.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.FakeApi;
import dev.ferry.cli.testing.FakeApi.Reply;
import dev.ferry.core.common.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@code ferry flow-run execute} refuses before it runs anything. */
class FlowRunExecuteTest {
    private final FakeApi fake = new FakeApi();

    @AfterEach
    void stop() {
        fake.close();
    }

    private static Reply run(String type, String name) {
        return Reply.ok(Json.tree("{\"id\": \"r1\", \"name\": \"quick-fox\", \"deployment_id\": \"d1\", \"state\": "
                + "{\"type\": \"" + type + "\", \"name\": \"" + name + "\"}}"));
    }

    @Test
    void aRunNobodyClaimed_isNotExecuted() {
        fake.on("GET", "/api/flow_runs/r1", call -> run("SCHEDULED", "Scheduled"));

        Cli.Result result = Cli.against(fake.url(), "flow-run", "execute", "r1");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: flow run r1 is Scheduled; 'ferry flow-run execute' runs a run that "
                + "a worker or dispatcher has claimed (PENDING)\n");
        assertThat(fake.calls("POST", "/api/flow_runs/r1/set_state")).isEmpty();
    }

    @Test
    void aKeyThatMayNotReadTheRunsDeployment_isRefused_andNothingIsReported() {
        fake.on("GET", "/api/flow_runs/r1", call -> run("PENDING", "Pending"));
        fake.on("GET", "/api/flow_runs/r1/deployment", call -> Reply.problem(403, "a run token only works for its own run", null));

        Cli.Result result = Cli.against(fake.url(), "flow-run", "execute", "r1");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.err()).startsWith("error: ").contains("a run token only works for its own run");
        assertThat(fake.calls("POST", "/api/flow_runs/r1/set_state")).isEmpty();
    }
}
