package dev.ferry.aws.ecs;

import dev.ferry.core.ecs.CapacityItem;
import dev.ferry.core.ecs.LaunchResult;
import dev.ferry.core.ecs.Launcher;
import dev.ferry.core.ecs.TaskDefinitionSpec;
import dev.ferry.core.ecs.TaskLaunch;
import dev.ferry.core.ecs.TaskStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.ServerException;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * {@link Launcher} on ECS. Maps what ECS answers to {@link LaunchResult}s; the dispatcher in core
 * decides what each means for the run (backoff, fallback, failure).
 */
public final class EcsLauncher implements Launcher {
    private final Supplier<EcsClient> client;
    private final String region;

    public EcsLauncher(EcsClient ecs, String region) {
        this(() -> ecs, region);
    }

    /** @param client built on first use (most invocations of most functions never need it) */
    public EcsLauncher(Supplier<EcsClient> client, String region) {
        this.client = client;
        this.region = region;
    }

    @Override
    public String register(TaskDefinitionSpec spec) {
        ContainerDefinition.Builder container = ContainerDefinition.builder()
                .name(spec.containerName())
                .image(spec.image())
                .essential(true)
                // the task's memory as the container's hard limit too (moto also needs a container-level value)
                .memory(spec.memory());
        if (spec.logGroup() != null) {
            Map<String, String> options = new LinkedHashMap<>();
            options.put("awslogs-group", spec.logGroup());
            options.put("awslogs-region", region);
            options.put("awslogs-stream-prefix", spec.logStreamPrefix());
            if (spec.createLogGroup()) options.put("awslogs-create-group", "true");
            container.logConfiguration(LogConfiguration.builder().logDriver(LogDriver.AWSLOGS).options(options).build());
        }
        return client.get().registerTaskDefinition(b -> b
                .family(spec.family())
                .networkMode(NetworkMode.AWSVPC)
                .requiresCompatibilitiesWithStrings(spec.compatibilities())
                .cpu(Integer.toString(spec.cpu()))
                .memory(Integer.toString(spec.memory()))
                .taskRoleArn(spec.taskRoleArn())
                .executionRoleArn(spec.executionRoleArn())
                .containerDefinitions(container.build())
                .tags(Tag.builder().key("ferry:content-hash").value(spec.contentHash()).build()))
                .taskDefinition().taskDefinitionArn();
    }

    @Override
    public LaunchResult launch(TaskLaunch launch) {
        try {
            RunTaskResponse response = client.get().runTask(request(launch));
            if (!response.tasks().isEmpty()) return new LaunchResult.Started(response.tasks().get(0).taskArn());
            List<String> reasons = new ArrayList<>();
            boolean capacity = !response.failures().isEmpty();
            for (Failure f : response.failures()) {
                reasons.add(f.reason() + (f.detail() == null ? "" : " (" + f.detail() + ")"));
                capacity &= isCapacity(f.reason());
            }
            String reason = reasons.isEmpty() ? "RunTask started no task and said why not" : String.join("; ", reasons);
            return capacity ? new LaunchResult.NoCapacity(reason) : new LaunchResult.Refused(reason);
        } catch (AwsServiceException e) {
            return classify(e);
        }
    }

    static RunTaskRequest request(TaskLaunch launch) {
        RunTaskRequest.Builder b = RunTaskRequest.builder()
                .cluster(launch.cluster())
                .taskDefinition(launch.taskDefinitionArn())
                .count(1)
                .clientToken(launch.clientToken())
                .startedBy(launch.startedBy())
                .group(launch.group())
                .overrides(o -> o.containerOverrides(c -> c.name(launch.containerName())
                        .command(launch.command())
                        .environment(launch.environment().entrySet().stream()
                                .map(e -> KeyValuePair.builder().name(e.getKey()).value(e.getValue()).build()).toList())))
                .tags(launch.tags().entrySet().stream()
                        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList());
        if (launch.placement().launchType() != null) {
            b.launchType(launch.placement().launchType());
        } else {
            List<CapacityProviderStrategyItem> items = new ArrayList<>();
            for (CapacityItem i : launch.placement().strategy()) {
                items.add(CapacityProviderStrategyItem.builder().capacityProvider(i.capacityProvider())
                        .weight(i.weight()).base(i.base()).build());
            }
            b.capacityProviderStrategy(items);
        }
        if (!launch.subnets().isEmpty()) {
            b.networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(launch.subnets())
                    .securityGroups(launch.securityGroups())
                    .assignPublicIp(launch.assignPublicIp() ? AssignPublicIp.ENABLED : AssignPublicIp.DISABLED)));
        }
        return b.build();
    }

    /** ECS errors: throttling and server errors may pass; capacity errors call for the next strategy; the rest is final. */
    static LaunchResult classify(AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
                ? e.getMessage() : e.awsErrorDetails().errorMessage();
        String reason = (code == null ? "" : code + ": ") + message;
        if (e.isThrottlingException() || e instanceof ServerException || e.statusCode() >= 500
                || "ThrottlingException".equals(code) || "TooManyRequestsException".equals(code)) {
            return new LaunchResult.Throttled(reason);
        }
        if (isCapacity(message)) return new LaunchResult.NoCapacity(reason);
        return new LaunchResult.Refused(reason);
    }

    static boolean isCapacity(String reason) {
        if (reason == null) return false;
        String r = reason.toLowerCase(Locale.ROOT);
        return r.startsWith("resource:") || r.contains("capacity is unavailable") || r.contains("insufficient capacity")
                || r.contains("no container instances") || r.contains("capacity provider") && r.contains("capacity");
    }

    @Override
    public List<TaskStatus> describe(String cluster, List<String> taskArns) {
        if (taskArns.isEmpty()) return List.of();
        DescribeTasksResponse response = client.get().describeTasks(b -> b.cluster(cluster).tasks(taskArns));
        List<TaskStatus> out = new ArrayList<>();
        for (Task t : response.tasks()) out.add(status(t));
        java.util.Set<String> answered = new java.util.HashSet<>();
        out.forEach(t -> answered.add(t.taskArn()));
        response.failures().forEach(f -> answered.add(f.arn()));
        for (Failure f : response.failures()) {
            if ("MISSING".equals(f.reason()) && f.arn() != null) out.add(TaskStatus.missing(f.arn()));
        }
        // ECS names a forgotten task as MISSING; an emulator may just leave it out. Either way it is gone.
        for (String arn : taskArns) if (!answered.contains(arn)) out.add(TaskStatus.missing(arn));
        return out;
    }

    static TaskStatus status(Task t) {
        List<TaskStatus.Container> containers = t.containers().stream()
                .map(c -> new TaskStatus.Container(c.name(), c.exitCode(), c.reason(), c.lastStatus())).toList();
        return new TaskStatus(t.taskArn(), t.clusterArn(), t.startedBy(), t.lastStatus(), t.desiredStatus(),
                t.stopCodeAsString(), t.stoppedReason(), containers, t.version() == null ? 0 : t.version(),
                t.stoppedAt() != null ? t.stoppedAt() : t.startedAt(), false);
    }

    @Override
    public void stop(String cluster, String taskArn, String reason) {
        try {
            client.get().stopTask(b -> b.cluster(cluster).task(taskArn).reason(reason.length() > 255 ? reason.substring(0, 255) : reason));
        } catch (EcsException e) {
            // A task already stopped (or forgotten) needs no stopping; anything else is worth a retry.
            if (e.statusCode() >= 500 || e.isThrottlingException()) throw e;
        }
    }

    @Override
    public Optional<String> findTask(String cluster, String startedBy) {
        for (DesiredStatus status : List.of(DesiredStatus.RUNNING, DesiredStatus.STOPPED)) {
            List<String> arns = client.get().listTasks(b -> b.cluster(cluster).startedBy(startedBy).desiredStatus(status)).taskArns();
            if (!arns.isEmpty()) return Optional.of(arns.get(0));
        }
        return Optional.empty();
    }
}
