package dev.ferry.core.ecs;

import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Json;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.runs.ClaimService;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.Infrastructure;
import dev.ferry.core.runs.Proposal;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.runs.Transitions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Runs of {@code ecs} pools, started as ECS tasks: claimed like any worker claims (limits, queue
 * priority), the job configuration checked, the task definition registered only when its content
 * is new, RunTask with a client token naming the run's attempt, and the task recorded on the run.
 * Throttling is retried with backoff and jitter, a capacity shortage walks the fallback list, and
 * every other failure ends the run with a message saying why: no run is left PENDING by it.
 */
public final class EcsDispatcher {
    /** The worker name dispatcher claims carry; the janitor leaves such runs to {@link EcsReconciler}. */
    public static final String WORKER_NAME = "ecs-dispatcher";
    static final int THROTTLE_ATTEMPTS = 5;
    static final Duration BACKOFF_BASE = Duration.ofMillis(200);
    static final Duration BACKOFF_CAP = Duration.ofSeconds(4);
    /** ECS caps the whole containerOverrides at 8 KiB; bigger parameters are left to the API. */
    static final int MAX_PARAMETERS_IN_ENV = 4096;
    private static final Pattern TAG_ILLEGAL = Pattern.compile("[^\\p{L}\\p{N} +\\-=._:/@]");
    private static final Pattern NAME_ILLEGAL = Pattern.compile("[^A-Za-z0-9_-]");
    private static final Logger LOG = Logger.getLogger(EcsDispatcher.class.getName());

    private final PoolStore pools;
    private final TaskDefinitions taskDefinitions;
    private final Transitions transitions;
    private final ClaimService claims;
    private final Launcher launcher;
    private final Clock clock;
    private final Pause pause;
    private final String apiUrl;
    private final Map<String, String> knownDefinitions = new java.util.concurrent.ConcurrentHashMap<>();

    public EcsDispatcher(PoolStore pools, TaskDefinitions taskDefinitions, Transitions transitions, ClaimService claims, Launcher launcher, Clock clock,
                         Pause pause, String apiUrl) {
        this.pools = pools;
        this.taskDefinitions = taskDefinitions;
        this.transitions = transitions;
        this.claims = claims;
        this.launcher = launcher;
        this.clock = clock;
        this.pause = pause;
        this.apiUrl = apiUrl;
    }

    public enum Kind { STARTED, FAILED, CRASHED, HANDED_BACK, UNKNOWN }

    /** What became of one claimed run. */
    public record Dispatched(String runId, Kind kind, String detail) {}

    /** Kept back from the caller's time left: the last claim pass (SQS, DynamoDB, RunTask per run) must fit. */
    static final Duration FINISH_MARGIN = Duration.ofSeconds(10);
    /** Runs claimed per pool and pass. */
    static final int BATCH = 10;

    /**
     * Dispatches the due runs of every ecs pool until {@code timeLeft} (less {@link #FINISH_MARGIN})
     * is spent: one pool is long-polled, several get a short wait each, round robin, so a run that
     * comes due is started within moments. One pool's trouble (deleted meanwhile, a throttled
     * table) is logged and does not starve the others.
     *
     * @return how many runs ended each way
     */
    public Map<Kind, Integer> runUntil(Duration timeLeft) throws InterruptedException {
        Instant deadline = clock.now().plus(timeLeft).minus(FINISH_MARGIN);
        Map<Kind, Integer> counts = new java.util.EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) counts.put(kind, 0);
        while (clock.now().isBefore(deadline)) {
            List<String> pools = pools();
            if (pools.isEmpty()) break;
            long left = Math.max(0, Duration.between(clock.now(), deadline).toSeconds());
            int wait = (int) Math.min(pools.size() == 1 ? ClaimService.MAX_WAIT_SECONDS : 1, left);
            Instant roundStart = clock.now();
            for (String pool : pools) {
                try {
                    for (Dispatched d : dispatch(pool, BATCH, wait)) counts.merge(d.kind(), 1, Integer::sum);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "ecs dispatch of pool '" + pool + "' failed", e);
                }
            }
            // Paused pools answer at once: don't spin on them. (A real nap: the pause port is for
            // throttling backoff, which tests record instead of waiting.)
            Duration nap = Duration.ofSeconds(1).minus(Duration.between(roundStart, clock.now()));
            if (!nap.isNegative() && clock.now().plus(nap).isBefore(deadline)) Thread.sleep(nap.toMillis());
        }
        return counts;
    }

    /** The names of the {@code ecs} pools, the ones a dispatcher serves. */
    public List<String> pools() {
        return pools.pools().stream().filter(p -> p.type() == PoolType.ECS).map(WorkPool::name).toList();
    }

    /** Claims up to {@code limit} due runs of the pool (waiting up to {@code waitSeconds}) and launches each. */
    public List<Dispatched> dispatch(String poolName, int limit, int waitSeconds) throws InterruptedException {
        List<ClaimService.Claimed> claimed = claims.claim(poolName,
                new ClaimService.Request(WORKER_NAME, null, limit, waitSeconds, null, null));
        List<Dispatched> out = new ArrayList<>(claimed.size());
        for (ClaimService.Claimed c : claimed) out.add(launch(c));
        return out;
    }

    /** Launches one claimed run. */
    public Dispatched launch(ClaimService.Claimed claimed) throws InterruptedException {
        FlowRun run = claimed.flowRun();
        EcsJob job;
        try {
            job = EcsJob.parse(claimed.jobConfiguration());
        } catch (BadInput e) {
            return end(run, StateType.FAILED, Kind.FAILED, "invalid ECS job configuration: " + e.getMessage());
        }
        try {
            String taskDefinition = taskDefinition(job, run);
            List<String> shortages = new ArrayList<>();
            for (EcsJob.Placement placement : job.attempts()) {
                LaunchResult result = launchWithBackoff(request(job, placement, taskDefinition, claimed));
                if (result instanceof LaunchResult.Refused refused && job.taskDefinitionArn() == null
                        && refused.reason().toLowerCase(java.util.Locale.ROOT).contains("inactive")) {
                    // Someone deregistered the revision Ferry remembered: forget it, register anew, once.
                    String hash = spec(job, run.workPoolName()).contentHash();
                    knownDefinitions.remove(hash);
                    taskDefinitions.forgetTaskDefinition(hash);
                    taskDefinition = taskDefinition(job, run);
                    result = launchWithBackoff(request(job, placement, taskDefinition, claimed));
                }
                if (result instanceof LaunchResult.Started started) {
                    return recordStart(run, job, started.taskArn());
                }
                if (result instanceof LaunchResult.Throttled throttled) {
                    // Back to its queue, SCHEDULED: another pass (or dispatcher) tries again soon.
                    transitions.apply(run.id(), Proposal.report(StateType.SCHEDULED, null, "ECS kept throttling RunTask ("
                            + throttled.reason() + "); handed back to its queue", null));
                    return new Dispatched(run.id(), Kind.HANDED_BACK, throttled.reason());
                }
                if (result instanceof LaunchResult.Refused refused) {
                    return end(run, StateType.FAILED, Kind.FAILED, "ECS refused to start the task: " + refused.reason());
                }
                shortages.add(placement.describe() + ": " + ((LaunchResult.NoCapacity) result).reason());
            }
            return end(run, StateType.CRASHED, Kind.CRASHED, "no ECS capacity for the task; tried "
                    + String.join("; ", shortages));
        } catch (RegistrationFailed e) {
            return end(run, StateType.FAILED, Kind.FAILED, e.getMessage());
        } catch (RuntimeException e) {
            // RunTask may or may not have started a task: the run stays PENDING and the reconciler
            // finds the task by its run id, or crashes the run when there is none.
            LOG.log(Level.WARNING, "launching flow run " + run.id() + " failed unexpectedly", e);
            return new Dispatched(run.id(), Kind.UNKNOWN, String.valueOf(e.getMessage()));
        }
    }

    private LaunchResult launchWithBackoff(TaskLaunch request) throws InterruptedException {
        LaunchResult result = null;
        for (int attempt = 0; attempt < THROTTLE_ATTEMPTS; attempt++) {
            if (attempt > 0) {
                long ceiling = Math.min(BACKOFF_CAP.toMillis(), BACKOFF_BASE.toMillis() << (attempt - 1));
                pause.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1)));
            }
            result = launcher.launch(request);
            if (!(result instanceof LaunchResult.Throttled)) return result;
        }
        return result;
    }

    private String taskDefinition(EcsJob job, FlowRun run) {
        if (job.taskDefinitionArn() != null) return job.taskDefinitionArn();
        TaskDefinitionSpec spec = spec(job, run.workPoolName());
        String hash = spec.contentHash();
        // A hash names one content for good, so its ARN can be kept for the container's life.
        String known = knownDefinitions.get(hash);
        if (known != null) return known;
        String arn = taskDefinitions.taskDefinition(hash).orElseGet(() -> {
            String registered;
            try {
                registered = launcher.register(spec);
            } catch (RuntimeException e) {
                throw new RegistrationFailed("ECS refused the task definition for family '" + spec.family() + "': "
                        + e.getMessage());
            }
            taskDefinitions.rememberTaskDefinition(hash, registered);
            return registered;
        });
        if (knownDefinitions.size() > 1000) knownDefinitions.clear();
        knownDefinitions.put(hash, arn);
        return arn;
    }

    static TaskDefinitionSpec spec(EcsJob job, String poolName) {
        boolean fargate = job.attempts().stream().anyMatch(EcsJob.Placement::fargate);
        boolean ec2 = job.attempts().stream().anyMatch(p -> !p.fargate());
        List<String> compatibilities = new ArrayList<>();
        if (fargate) compatibilities.add("FARGATE");
        if (ec2) compatibilities.add("EC2");
        String family = job.family() != null ? job.family() : "ferry-" + safeName(poolName, 200);
        EcsJob.Logs logs = job.logs();
        return new TaskDefinitionSpec(family, job.image(), job.cpu(), job.memory(), job.containerName(),
                job.taskRoleArn(), job.executionRoleArn(), List.copyOf(compatibilities),
                logs == null ? null : logs.group(), logs == null ? null : logs.streamPrefix(),
                logs != null && logs.create());
    }

    TaskLaunch request(EcsJob job, EcsJob.Placement placement, String taskDefinition, ClaimService.Claimed claimed) {
        FlowRun run = claimed.flowRun();
        Map<String, String> env = new LinkedHashMap<>(job.env());
        if (apiUrl != null) env.put("FERRY_API_URL", apiUrl);
        env.put("FERRY_FLOW_RUN_ID", run.id());
        if (run.deploymentId() != null) env.put("FERRY_DEPLOYMENT_ID", run.deploymentId());
        String parameters = run.parameters() == null ? "{}" : Json.string(run.parameters());
        if (parameters.length() <= MAX_PARAMETERS_IN_ENV) env.put("FERRY_PARAMETERS", parameters);
        if (claimed.runToken() != null) env.put("FERRY_API_KEY", claimed.runToken());
        List<String> command = job.command() != null ? job.command() : List.of("ferry", "flow-run", "execute", run.id());
        Map<String, String> tags = new LinkedHashMap<>();
        job.tags().forEach((k, v) -> tags.put(k, tagValue(v)));
        tags.put("ferry:flow-run-id", run.id());
        if (run.deploymentId() != null) tags.put("ferry:deployment-id", run.deploymentId());
        if (run.workPoolName() != null) tags.put("ferry:work-pool", tagValue(run.workPoolName()));
        if (run.flowName() != null) tags.put("ferry:flow", tagValue(run.flowName()));
        return new TaskLaunch(job.cluster(), taskDefinition, placement, job.subnets(), job.securityGroups(),
                job.assignPublicIp(), job.containerName(), command, env, tags, clientToken(run), run.id(),
                "ferry:" + safeName(run.workPoolName() == null ? "pool" : run.workPoolName(), 200));
    }

    /** Names the run's attempt: the same for every RunTask of one claim, new for the next claim. */
    static String clientToken(FlowRun run) {
        Instant claimed = run.claimedAt();
        return run.id() + "-" + (claimed == null ? 0 : claimed.toEpochMilli());
    }

    private Dispatched recordStart(FlowRun run, EcsJob job, String taskArn) {
        Instant now = clock.now();
        String logGroup = job.logs() == null ? null : job.logs().group();
        String logStream = job.logs() == null ? null
                : job.logs().streamPrefix() + "/" + job.containerName() + "/" + taskArn.substring(taskArn.lastIndexOf('/') + 1);
        Instant deadline = job.timeoutSeconds() == null ? null : now.plusSeconds(job.timeoutSeconds());
        Infrastructure started = new Infrastructure(Infrastructure.ECS_TASK, job.cluster(), taskArn, job.containerName(),
                logGroup, logStream, deadline, job.timeoutSeconds(), null, null, null, job.command() == null);
        Instant attempt = run.claimedAt();
        FlowRun stored = transitions.annotate(run, current -> {
            if (current.state().type().isTerminal() || current.state().type() == StateType.SCHEDULED
                    || !java.util.Objects.equals(attempt, current.claimedAt())) {
                return null; // a later attempt, or over already: nothing of this task belongs on it
            }
            Infrastructure seen = current.infrastructure();
            Infrastructure next = seen == null ? started : new Infrastructure(started.kind(), started.cluster(), taskArn,
                    started.containerName(), logGroup, logStream, deadline, job.timeoutSeconds(), seen.eventVersion(),
                    seen.stopRequested(), seen.stopReason(), job.command() == null);
            return current.launchedOn(next, now);
        });
        boolean recorded = stored.infrastructure() != null && taskArn.equals(stored.infrastructure().taskArn());
        if (!recorded) {
            // The run ended or moved on while its task was being started: nobody waits for the task.
            launcher.stop(job.cluster(), taskArn, "Ferry: flow run is " + stored.state().type() + "; task not needed");
            return new Dispatched(run.id(), Kind.UNKNOWN, "run moved on to " + stored.state().type() + "; task stopped");
        }
        if (stored.state().type() == StateType.CANCELLING && stored.infrastructure().stopRequested() == null) {
            // Cancelled while its task was being started: stop it now rather than at the next sweep.
            launcher.stop(job.cluster(), taskArn, "Ferry: flow run cancelled");
            transitions.annotate(run.id(), current -> current.infrastructure() == null
                    || current.infrastructure().stopRequested() != null ? null
                    : current.launchedOn(current.infrastructure().stopping(now, Infrastructure.STOP_CANCELLED), now));
        }
        return new Dispatched(run.id(), Kind.STARTED, taskArn);
    }

    private Dispatched end(FlowRun run, StateType type, Kind kind, String message) {
        transitions.apply(run.id(), Proposal.report(type, null, message, null));
        return new Dispatched(run.id(), kind, message);
    }

    static String tagValue(String value) {
        String v = TAG_ILLEGAL.matcher(value).replaceAll("_");
        return v.length() > 256 ? v.substring(0, 256) : v;
    }

    static String safeName(String value, int max) {
        String v = NAME_ILLEGAL.matcher(value).replaceAll("-");
        return v.length() > max ? v.substring(0, max) : v;
    }

    /** The task definition could not be registered: a configuration problem the run's message names. */
    private static final class RegistrationFailed extends RuntimeException {
        RegistrationFailed(String message) {
            super(message);
        }
    }
}
