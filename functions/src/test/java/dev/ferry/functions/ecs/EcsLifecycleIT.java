package dev.ferry.functions.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.aws.testing.Emulator;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.common.Json;
import dev.ferry.core.ecs.EcsDispatcher;
import dev.ferry.core.ecs.EcsDispatcher.Kind;
import dev.ferry.core.ecs.EcsJob;
import dev.ferry.core.ecs.EcsReconciler;
import dev.ferry.core.ecs.LaunchResult;
import dev.ferry.core.ecs.TaskLaunch;
import dev.ferry.core.ecs.TaskStatus;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.Infrastructure;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.StateType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;

/**
 * ECS runs on the emulator from claim to end: task definitions reused, redeliveries, limits,
 * capacity fallback, throttling, cancellation, timeouts, the janitor's reconciliation, bad input.
 */
@ExtendWith(Emulator.class)
class EcsLifecycleIT {
    private EcsWorld world;

    @BeforeEach
    void emptyAccount() {
        world = new EcsWorld("ferry-ecs-lifecycle");
    }

    @Test
    void taskDefinition_isReusedOnTheNextRun_andRegisteredAgainAfterATemplateChange() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        world.createRun(deployment, null);
        world.dispatch("ecs-pool");
        String second = world.createRun(deployment, null);

        world.dispatch("ecs-pool");

        assertThat(world.calls("RegisterTaskDefinition")).as("no revision churn").isEqualTo(1);
        assertThat(world.calls("RunTask")).isEqualTo(2);
        assertThat(world.run(second).infrastructure().taskArn()).isNotNull();

        String bigger = world.createRun(deployment, "{\"job_variables\": {\"memory\": 4096}}");
        world.dispatch("ecs-pool");

        assertThat(world.calls("RegisterTaskDefinition")).isEqualTo(2);
        String arn = world.ecs.describeTasks(b -> b.cluster(EcsWorld.CLUSTER).tasks(world.run(bigger).infrastructureId()))
                .tasks().get(0).taskDefinitionArn();
        assertThat(world.ecs.describeTaskDefinition(b -> b.taskDefinition(arn)).taskDefinition().memory()).isEqualTo("4096");
    }

    @Test
    void aRevisionDeregisteredBehindFerrysBack_isRegisteredAgain_once() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        world.createRun(deployment, null);
        world.dispatch("ecs-pool");
        String second = world.createRun(deployment, null);
        world.launcher.then(l -> new LaunchResult.Refused("ClientException: TaskDefinition is inactive"));

        List<EcsDispatcher.Dispatched> out = world.dispatch("ecs-pool");

        assertThat(out).extracting(EcsDispatcher.Dispatched::kind).containsExactly(Kind.STARTED);
        assertThat(world.calls("RegisterTaskDefinition")).isEqualTo(2);
        assertThat(world.run(second).infrastructureId()).isNotNull();
    }

    @Test
    void redeliveredMessage_startsNoSecondTask() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);
        world.dispatch("ecs-pool");
        FlowRun run = world.run(runId);

        world.queues.send(run.workQueueId(), runId, world.clock.now()); // SQS delivers at least once
        List<EcsDispatcher.Dispatched> again = world.dispatch("ecs-pool");

        assertThat(again).isEmpty();
        assertThat(world.calls("RunTask")).isEqualTo(1);
        assertThat(world.run(runId).infrastructureId()).isEqualTo(run.infrastructureId());
    }

    @Test
    void saturatedPool_startsNothingMore_andTheHigherPriorityQueueGoesFirstWhenASlotFrees() throws Exception {
        String low = world.deployment("ecs-pool", null, world.jobVariables(null));
        world.call("PATCH", "/api/work_pools/ecs-pool", "{\"concurrency_limit\": 1}");
        world.call("PATCH", "/api/work_pools/ecs-pool/queues/default", "{\"priority\": 5}");
        world.call("POST", "/api/work_pools/ecs-pool/queues", "{\"name\": \"urgent\", \"priority\": 1}");
        String urgent = world.deploy("ecs-pool", "urgent", "urgent", world.jobVariables(null));
        String first = world.createRun(low, null);
        assertThat(world.dispatch("ecs-pool")).hasSize(1);
        String waiting = world.createRun(low, null);
        String important = world.createRun(urgent, null);

        assertThat(world.dispatch("ecs-pool")).as("the pool is at its limit").isEmpty();

        FlowRun running = world.run(first);
        world.ferry.ecs().observer().observe(new TaskStatus(running.infrastructureId(), null, first, "STOPPED", "STOPPED",
                "EssentialContainerExited", "Essential container in task exited",
                List.of(new TaskStatus.Container("flow", 0, null, "STOPPED")), 10, null, false));
        assertThat(world.run(first).state().type()).isEqualTo(StateType.COMPLETED);
        // a message handed back while the pool was full is visible again after ClaimService's backoff
        Awaitility.await().pollDelay(Duration.ofMillis(2500)).until(() -> true);
        List<EcsDispatcher.Dispatched> next = world.dispatch("ecs-pool");

        assertThat(next).extracting(EcsDispatcher.Dispatched::runId).containsExactly(important);
        assertThat(world.run(waiting).state().type()).isEqualTo(StateType.SCHEDULED);
    }

    @Test
    void capacityShortage_walksTheFallbackList() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(
                "\"launch_type\": \"FARGATE_SPOT\", \"capacity_fallback\": [[{\"capacity_provider\": \"FARGATE\", \"weight\": 1}]]"));
        String runId = world.createRun(deployment, null);
        world.launcher.then(l -> new LaunchResult.NoCapacity("Capacity is unavailable at this time."));
        // moto answers RunTask with a capacity provider strategy with HTTP 500: the FARGATE provider's
        // task is started on moto with the FARGATE launch type, which it does support
        world.launcher.then(l -> world.launcher.real.launch(new TaskLaunch(l.cluster(), l.taskDefinitionArn(),
                new EcsJob.Placement("FARGATE", List.of()), l.subnets(), l.securityGroups(), l.assignPublicIp(),
                l.containerName(), l.command(), l.environment(), l.tags(), l.clientToken(), l.startedBy(), l.group())));

        List<EcsDispatcher.Dispatched> out = world.dispatch("ecs-pool");

        assertThat(out).as("%s", out).extracting(EcsDispatcher.Dispatched::kind).containsExactly(Kind.STARTED);
        assertThat(world.launcher.launches).hasSize(2);
        assertThat(world.launcher.launches.get(0).placement().strategy().get(0).capacityProvider()).isEqualTo("FARGATE_SPOT");
        assertThat(world.launcher.launches.get(1).placement().strategy().get(0).capacityProvider()).isEqualTo("FARGATE");
        assertThat(world.launcher.launches.get(1).clientToken()).as("one attempt, one token")
                .isEqualTo(world.launcher.launches.get(0).clientToken());
        assertThat(world.run(runId).infrastructureId()).isNotNull();
    }

    @Test
    void capacityShortageEverywhere_crashesTheRun_sayingWhatWasTried() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(
                "\"launch_type\": \"FARGATE_SPOT\", \"capacity_fallback\": [[{\"capacity_provider\": \"FARGATE\"}]]"));
        String runId = world.createRun(deployment, null);
        world.launcher.then(l -> new LaunchResult.NoCapacity("Capacity is unavailable at this time."));
        world.launcher.then(l -> new LaunchResult.NoCapacity("RESOURCE:MEMORY"));

        world.dispatch("ecs-pool");

        FlowRun run = world.run(runId);
        assertThat(run.state().type()).isEqualTo(StateType.CRASHED);
        assertThat(run.state().message()).contains("FARGATE_SPOT", "Capacity is unavailable", "FARGATE", "RESOURCE:MEMORY");
    }

    @Test
    void throttling_isRetriedWithGrowingJitteredBackoff() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);
        world.launcher.then(l -> new LaunchResult.Throttled("ThrottlingException: Rate exceeded"));
        world.launcher.then(l -> new LaunchResult.Throttled("ThrottlingException: Rate exceeded"));

        world.dispatch("ecs-pool");

        assertThat(world.run(runId).infrastructureId()).isNotNull();
        assertThat(world.pauses).hasSize(2);
        assertThat(world.pauses.get(0)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(world.pauses.get(1)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(world.calls("RunTask")).isEqualTo(1);
    }

    @Test
    void throttlingThatDoesNotPass_handsTheRunBackToItsQueue() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);
        for (int i = 0; i < 5; i++) world.launcher.then(l -> new LaunchResult.Throttled("ThrottlingException: Rate exceeded"));

        List<EcsDispatcher.Dispatched> out = world.dispatch("ecs-pool");

        assertThat(out).extracting(EcsDispatcher.Dispatched::kind).containsExactly(Kind.HANDED_BACK);
        FlowRun run = world.run(runId);
        assertThat(run.state().type()).isEqualTo(StateType.SCHEDULED);
        assertThat(run.state().message()).contains("throttl");
        assertThat(world.calls("RunTask")).isZero();
        assertThat(world.dispatch("ecs-pool")).as("its message is back in the queue")
                .extracting(EcsDispatcher.Dispatched::kind).containsExactly(Kind.STARTED);
    }

    @Test
    void invalidJobVariables_areRefusedBeforeARunIsAccepted_namingTheVariable() {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));

        ApiResponse bad = world.raw("POST", "/api/deployments/" + deployment + "/create_flow_run",
                "{\"job_variables\": {\"launch_type\": \"FARGATE_SPOTTY\"}}");
        ApiResponse small = world.raw("POST", "/api/deployments/" + deployment + "/create_flow_run",
                "{\"job_variables\": {\"cpu\": 100}}");
        ApiResponse unknown = world.raw("POST", "/api/deployments/" + deployment + "/create_flow_run",
                "{\"job_variables\": {\"cpus\": 1024}}");

        assertThat(bad.status()).isEqualTo(422);
        assertThat(Json.tree(new String(bad.body(), StandardCharsets.UTF_8)).path("field").asText()).isEqualTo("job_variables.launch_type");
        assertThat(Json.tree(new String(small.body(), StandardCharsets.UTF_8)).path("field").asText()).isEqualTo("job_variables.cpu");
        assertThat(Json.tree(new String(unknown.body(), StandardCharsets.UTF_8)).path("field").asText()).isEqualTo("job_variables.cpus");
    }

    @Test
    void invalidConfiguration_failsTheRunAtDispatch_namingTheVariable() throws Exception {
        String deployment = world.deployment("ecs-pool", null,
                "{\"cluster\": \"" + EcsWorld.CLUSTER + "\", \"subnets\": [\"subnet-1\"]}"); // no image
        String runId = world.createRun(deployment, null);

        world.dispatch("ecs-pool");

        FlowRun run = world.run(runId);
        assertThat(run.state().type()).isEqualTo(StateType.FAILED);
        assertThat(run.state().message()).contains("job variable 'image' is required");
        assertThat(world.calls("RunTask")).isZero();
    }

    @Test
    void cancelBeforeDispatch_endsTheRun_andStartsNoTask() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);

        world.call("POST", "/api/flow_runs/" + runId + "/cancel", null);
        world.dispatch("ecs-pool");

        assertThat(world.run(runId).state().type()).isEqualTo(StateType.CANCELLED);
        assertThat(world.calls("RunTask")).isZero();
    }

    @Test
    void cancelWhileTheLaunchIsInDoubt_isCancelledByTheJanitor_whenNoTaskStarted() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);
        world.launcher.then(l -> {
            throw new IllegalStateException("connection reset");
        });
        assertThat(world.dispatch("ecs-pool")).extracting(EcsDispatcher.Dispatched::kind).containsExactly(Kind.UNKNOWN);

        world.call("POST", "/api/flow_runs/" + runId + "/cancel", null);
        assertThat(world.run(runId).state().type()).isEqualTo(StateType.CANCELLING);
        world.ferry.janitor().sweep();

        assertThat(world.run(runId).state().type()).isEqualTo(StateType.CANCELLED);
        assertThat(world.calls("StopTask")).isZero();
    }

    @Test
    void cancelAfterTheTaskStarted_stopsTheTask_andEndsCancelledOnceItStopped() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);
        world.dispatch("ecs-pool");
        world.ferry.janitor().sweep();
        assertThat(world.run(runId).state().type()).isEqualTo(StateType.RUNNING);

        world.call("POST", "/api/flow_runs/" + runId + "/cancel", null);

        FlowRun cancelling = world.run(runId);
        assertThat(cancelling.state().type()).isEqualTo(StateType.CANCELLING);
        assertThat(world.calls("StopTask")).as("stopped by the cancel request itself").isEqualTo(1);
        assertThat(cancelling.infrastructure().stopReason()).isEqualTo(Infrastructure.STOP_CANCELLED);

        world.ferry.janitor().sweep(); // the STOPPED event went missing: DescribeTasks tells

        assertThat(world.run(runId).state().type()).isEqualTo(StateType.CANCELLED);
        assertThat(world.calls("StopTask")).isEqualTo(1);
    }

    @Test
    void timeout_stopsTheTask_andFailsTheRun() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables("\"timeout_seconds\": 60"));
        String runId = world.createRun(deployment, null);
        world.dispatch("ecs-pool");
        world.ferry.janitor().sweep();
        assertThat(world.run(runId).state().type()).isEqualTo(StateType.RUNNING);

        world.advance(Duration.ofSeconds(59));
        world.ferry.janitor().sweep();
        assertThat(world.calls("StopTask")).isZero();
        world.advance(Duration.ofSeconds(2));
        world.ferry.janitor().sweep();

        FlowRun run = world.run(runId);
        assertThat(world.calls("StopTask")).isEqualTo(1);
        assertThat(run.state().type()).isEqualTo(StateType.FAILED);
        assertThat(run.state().message()).contains("timed out after 60 s");
    }

    @Test
    void janitor_neverCrashesARunWhoseTaskRuns_andEndsOneWhoseTaskIsGone() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);
        world.dispatch("ecs-pool");

        world.advance(Duration.ofMinutes(30)); // no heartbeats at all: ECS is asked instead
        world.ferry.janitor().sweep();
        assertThat(world.run(runId).state().type()).isEqualTo(StateType.RUNNING);
        world.ferry.janitor().sweep();
        assertThat(world.run(runId).state().type()).isEqualTo(StateType.RUNNING);

        String task = world.run(runId).infrastructureId();
        world.ecs.stopTask(b -> b.cluster(EcsWorld.CLUSTER).task(task).reason("stopped from the console"));
        world.ferry.janitor().sweep(); // its STOPPED event went missing

        assertThat(world.run(runId).state().type().isTerminal()).as("a run never stays RUNNING after its task").isTrue();
    }

    @Test
    void janitor_crashesARunWhoseTaskECSForgot() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);
        world.dispatch("ecs-pool");
        FlowRun run = world.run(runId);
        String forgotten = run.infrastructureId().substring(0, run.infrastructureId().lastIndexOf('/') + 1)
                + "0123456789abcdef0123456789abcdef";
        world.runs.writeRun(run.launchedOn(run.infrastructure().withTask(forgotten), world.clock.now()), run.version(),
                SlotChange.NONE);
        world.advance(Duration.ofMinutes(2));

        world.ferry.janitor().sweep();

        FlowRun ended = world.run(runId);
        assertThat(ended.state().type()).isEqualTo(StateType.CRASHED);
        assertThat(ended.state().message()).contains("ECS no longer knows ECS task 0123456789abcdef0123456789abcdef");
    }

    @Test
    void janitor_adoptsATaskWhoseLaunchWasNotRecorded() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);
        world.launcher.then(l -> {
            world.launcher.real.launch(l); // started, but the answer is lost
            throw new IllegalStateException("read timed out");
        });
        world.dispatch("ecs-pool");
        assertThat(world.run(runId).infrastructureId()).isNull();

        world.ferry.janitor().sweep();
        assertThat(world.run(runId).infrastructureId()).as("the dispatcher may still be at it").isNull();
        world.advance(EcsReconciler.LAUNCH_GRACE.plusSeconds(1));
        world.ferry.janitor().sweep();

        FlowRun run = world.run(runId);
        assertThat(run.infrastructureId()).isNotNull();
        assertThat(run.state().type()).isEqualTo(StateType.RUNNING);
        assertThat(world.ecs.listTasks(b -> b.cluster(EcsWorld.CLUSTER).desiredStatus(DesiredStatus.RUNNING)).taskArns())
                .containsExactly(run.infrastructureId());
    }

    @Test
    void janitor_crashesAClaimThatNeverStartedATask() throws Exception {
        String deployment = world.deployment("ecs-pool", null, world.jobVariables(null));
        String runId = world.createRun(deployment, null);
        world.launcher.then(l -> {
            throw new IllegalStateException("connection refused");
        });
        world.dispatch("ecs-pool");

        world.advance(EcsReconciler.LAUNCH_GRACE.plusSeconds(1));
        world.ferry.janitor().sweep();

        FlowRun run = world.run(runId);
        assertThat(run.state().type()).isEqualTo(StateType.CRASHED);
        assertThat(run.state().message()).contains("no ECS task was started");
    }
}
