package dev.ferry.functions.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.common.Json;
import dev.ferry.core.ecs.LaunchResult;
import dev.ferry.core.ecs.Launcher;
import dev.ferry.core.ecs.TaskDefinitionSpec;
import dev.ferry.core.ecs.TaskLaunch;
import dev.ferry.core.ecs.TaskStatus;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.StateType;
import dev.ferry.functions.EcsEventsFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The events/ samples in orders ECS may deliver them: repeated, late, out of order. */
@ExtendWith(Emulator.class)
class EcsEventsIT {
    static final String TASK = "arn:aws:ecs:us-east-1:123456789012:task/ferry/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";
    private EcsWorld world;
    private EcsEventsFunction handler;
    private String runId;

    @BeforeEach
    void aDispatchedRun() throws Exception {
        world = new EcsWorld("ferry-ecs-events", new SampleTask());
        handler = new EcsEventsFunction(world.ferry);
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        runId = world.createRun(deployment, null);
        world.dispatch("ecs-pool");
        assertThat(world.run(runId).infrastructureId()).isEqualTo(TASK);
    }

    @Test
    void repeatedEvents_changeNothingTheSecondTime() throws IOException {
        assertThat(feed("running")).isEqualTo("APPLIED");
        long version = world.run(runId).version();

        assertThat(feed("running")).isEqualTo("IGNORED");

        FlowRun run = world.run(runId);
        assertThat(run.state().type()).isEqualTo(StateType.RUNNING);
        assertThat(run.version()).isEqualTo(version);
    }

    @Test
    void olderEventsAfterNewerOnes_areIgnored() throws IOException {
        feed("running"); // version 3
        assertThat(feed("provisioning")).as("version 1, late").isEqualTo("IGNORED");
        assertThat(world.run(runId).state().type()).isEqualTo(StateType.RUNNING);

        feed("stopped-exit-0"); // version 5
        assertThat(feed("running")).isEqualTo("IGNORED");

        assertThat(world.run(runId).state().type()).isEqualTo(StateType.COMPLETED);
    }

    @Test
    void stoppedBeforeRunningWasSeen_stillCompletes_andCountsTheRun() throws IOException {
        assertThat(feed("stopped-exit-0")).isEqualTo("APPLIED");
        assertThat(feed("running")).isEqualTo("IGNORED");
        feed("provisioning");

        FlowRun run = world.run(runId);
        assertThat(run.state().type()).isEqualTo(StateType.COMPLETED);
        assertThat(run.runCount()).isEqualTo(1);
        assertThat(run.stateHistory()).extracting(s -> s.type()).containsExactly(StateType.SCHEDULED, StateType.PENDING,
                StateType.RUNNING, StateType.COMPLETED);
    }

    @Test
    void withTheDefaultCommand_ECSRunningLeavesTheRunToTheExecutor_whichReportsItself() throws Exception {
        String deployment = world.deploy("ecs-pool", "executed", "default", world.executorJobVariables(null));
        runId = world.createRun(deployment, null);
        world.dispatch("ecs-pool");
        assertThat(world.run(runId).infrastructure().reportsItself()).isTrue();

        feed("running");

        assertThat(world.run(runId).state().type()).as("ferry flow-run execute starts only on PENDING runs")
                .isEqualTo(StateType.PENDING);
        world.call("POST", "/api/flow_runs/" + runId + "/set_state", "{\"state\": {\"type\": \"RUNNING\"}}");
        feed("stopped-exit-0");
        assertThat(world.run(runId).state().type()).isEqualTo(StateType.COMPLETED);
    }

    @Test
    void eventsOfAnotherTask_orOfNoFerryRun_areNotApplied() throws IOException {
        Map<String, Object> other = read("running");
        @SuppressWarnings("unchecked")
        Map<String, Object> detail = (Map<String, Object>) other.get("detail");
        detail.put("taskArn", TASK.replace("0b1c", "ffff"));
        assertThat(handler.handleRequest(other, null).get("effect")).isEqualTo("IGNORED");
        detail.put("startedBy", "someone-else");
        assertThat(handler.handleRequest(other, null).get("effect")).isEqualTo("NOT_OURS");
        assertThat(world.run(runId).state().type()).isEqualTo(StateType.PENDING);
    }

    private String feed(String sample) throws IOException {
        return handler.handleRequest(read(sample), null).get("effect");
    }

    private Map<String, Object> read(String sample) throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(root.resolve("events"))) root = root.getParent();
        String json = Files.readString(root.resolve("events/ecs-events-task-" + sample + ".json"))
                .replace("7c2d9e4b-1a3f-4e8b-b6c5-2f9a0d1e3b47", runId);
        return Json.MAPPER.readValue(json, new TypeReference<Map<String, Object>>() {});
    }

    /** "Starts" every task as the samples' task. */
    private static final class SampleTask implements Launcher {
        @Override
        public String register(TaskDefinitionSpec spec) {
            return "arn:aws:ecs:us-east-1:123456789012:task-definition/" + spec.family() + ":1";
        }

        @Override
        public LaunchResult launch(TaskLaunch launch) {
            return new LaunchResult.Started(TASK);
        }

        @Override
        public List<TaskStatus> describe(String cluster, List<String> taskArns) {
            return List.of();
        }

        @Override
        public void stop(String cluster, String taskArn, String reason) {
        }

        @Override
        public Optional<String> findTask(String cluster, String startedBy) {
            return Optional.empty();
        }
    }
}
