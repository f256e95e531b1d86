package dev.ferry.functions.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.ecs.TaskStatus;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.StateType;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/** Task logs in CloudWatch: served as the run's logs, and their tail in a failed run's message. */
@ExtendWith(Emulator.class)
class EcsLogsIT {
    private static final String GROUP = "/ferry/tasks";
    private EcsWorld world;

    @BeforeEach
    void emptyAccount() {
        world = new EcsWorld("ferry-ecs-logs");
    }

    @Test
    void aTaskWithCloudWatchLogging_servesItsLines_andAFailureCarriesTheLastOnes() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(
                "\"execution_role_arn\": \"arn:aws:iam::123456789012:role/ferry-exec\", "
                        + "\"cloudwatch_logs\": {\"group\": \"" + GROUP + "\", \"stream_prefix\": \"etl\"}"));
        String runId = world.createRun(deployment, null);
        world.dispatch("ecs-pool");
        FlowRun run = world.run(runId);
        String taskId = run.infrastructureId().substring(run.infrastructureId().lastIndexOf('/') + 1);
        assertThat(run.infrastructure().logGroup()).isEqualTo(GROUP);
        assertThat(run.infrastructure().logStream()).isEqualTo("etl/flow/" + taskId);
        // what the awslogs driver would write
        EcsWorld.LOGS.createLogGroup(b -> b.logGroupName(GROUP));
        EcsWorld.LOGS.createLogStream(b -> b.logGroupName(GROUP).logStreamName(run.infrastructure().logStream()));
        long now = System.currentTimeMillis();
        List<InputLogEvent> lines = IntStream.rangeClosed(1, 15).mapToObj(i -> InputLogEvent.builder()
                .timestamp(now + i).message("line " + i).build()).toList();
        EcsWorld.LOGS.putLogEvents(b -> b.logGroupName(GROUP).logStreamName(run.infrastructure().logStream()).logEvents(lines));

        JsonNode logs = world.call("GET", "/api/flow_runs/" + runId + "/logs?limit=5", null);
        assertThat(logs.path("items").findValuesAsText("message")).containsExactly("line 1", "line 2", "line 3", "line 4", "line 5");
        JsonNode later = world.call("GET", "/api/flow_runs/" + runId + "/logs?after=13", null);
        assertThat(later.path("items").findValuesAsText("message")).containsExactly("line 14", "line 15");

        world.ferry.ecs().observer().observe(new TaskStatus(run.infrastructureId(), null, runId, "STOPPED", "STOPPED",
                "EssentialContainerExited", "Essential container in task exited",
                List.of(new TaskStatus.Container("flow", 2, null, "STOPPED")), 7, null, false));

        FlowRun failed = world.run(runId);
        assertThat(failed.state().type()).isEqualTo(StateType.FAILED);
        assertThat(failed.state().message()).contains("ended with exit code 2", "line 6", "line 15").doesNotContain("line 5\n");
    }
}
