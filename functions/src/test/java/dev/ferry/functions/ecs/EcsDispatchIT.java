package dev.ferry.functions.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.ecs.EcsDispatcher;
import dev.ferry.core.ecs.LaunchResult;
import dev.ferry.core.ecs.TaskLaunch;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.StateType;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;

/** ECS dispatch on the emulator: runs of an ecs pool claimed, started as tasks, recorded. */
@ExtendWith(Emulator.class)
class EcsDispatchIT {
    private EcsWorld world;

    @BeforeEach
    void emptyAccount() {
        world = new EcsWorld("ferry-ecs-dispatch");
    }

    @Test
    void dispatch_startsTheTask_withOverridesAndTags_andRecordsItOnTheRun() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.executorJobVariables("\"env\": {\"MODE\": \"prod\"}"));
        String runId = world.createRun(deployment, "{\"parameters\": {\"day\": \"2026-01-31\"}}");

        List<EcsDispatcher.Dispatched> dispatched = world.dispatch("ecs-pool");

        assertThat(dispatched).extracting(EcsDispatcher.Dispatched::kind).containsExactly(EcsDispatcher.Kind.STARTED);
        FlowRun run = world.run(runId);
        assertThat(run.state().type()).isEqualTo(StateType.PENDING);
        assertThat(run.workerName()).isEqualTo(EcsDispatcher.WORKER_NAME);
        assertThat(run.infrastructureId()).startsWith("arn:aws:ecs:").isEqualTo(run.infrastructure().taskArn());
        assertThat(run.infrastructure().cluster()).isEqualTo(EcsWorld.CLUSTER);

        Task task = world.ecs.describeTasks(b -> b.cluster(EcsWorld.CLUSTER).tasks(run.infrastructureId())
                .include(TaskField.TAGS)).tasks().get(0);
        assertThat(task.startedBy()).isEqualTo(runId);
        assertThat(task.group()).isEqualTo("ferry:ecs-pool");
        var override = task.overrides().containerOverrides().get(0);
        assertThat(override.name()).isEqualTo("flow");
        assertThat(override.command()).containsExactly("ferry", "flow-run", "execute", runId);
        Map<String, String> env = override.environment().stream().collect(Collectors.toMap(KeyValuePair::name, KeyValuePair::value));
        assertThat(env).containsEntry("FERRY_API_URL", EcsWorld.API_URL).containsEntry("FERRY_FLOW_RUN_ID", runId)
                .containsEntry("FERRY_DEPLOYMENT_ID", deployment).containsEntry("MODE", "prod")
                .containsEntry("FERRY_PARAMETERS", "{\"day\":\"2026-01-31\"}");
        assertThat(env.get("FERRY_API_KEY")).startsWith("ferry_run_" + runId + "_");
        Map<String, String> tags = task.tags().stream().collect(Collectors.toMap(t -> t.key(), t -> t.value()));
        assertThat(tags).containsEntry("ferry:flow-run-id", runId).containsEntry("ferry:work-pool", "ecs-pool");
        assertThat(world.calls("RegisterTaskDefinition")).isEqualTo(1);
        assertThat(world.calls("RunTask")).isEqualTo(1);
    }
}
