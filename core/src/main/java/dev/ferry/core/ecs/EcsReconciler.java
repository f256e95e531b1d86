package dev.ferry.core.ecs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Page;
import dev.ferry.core.jobs.JobTemplate;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.Infrastructure;
import dev.ferry.core.runs.Proposal;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.runs.Transitions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The janitor's part for runs on ECS tasks, which have no worker heartbeat: ECS itself is asked
 * (DescribeTasks, batched per cluster) so a run whose events went missing still ends, and a run
 * is never CRASHED while its task runs. Also carries out what needs a StopTask: cancellations
 * and {@code timeout_seconds}; and settles claims whose RunTask outcome was never recorded.
 */
public final class EcsReconciler {
    /** A claim with no task recorded after this long: look for its task, or crash the run. */
    public static final Duration LAUNCH_GRACE = Duration.ofMinutes(2);
    /** DescribeTasks may not know a task just started; "missing" counts only after this long. */
    static final Duration DESCRIBE_GRACE = Duration.ofMinutes(1);
    static final int DESCRIBE_BATCH = 100;
    private static final int PAGE = 200;
    private static final Logger LOG = Logger.getLogger(EcsReconciler.class.getName());

    private final RunStore store;
    private final PoolStore pools;
    private final Transitions transitions;
    private final Launcher launcher;
    private final TaskObserver observer;
    private final Clock clock;

    public EcsReconciler(RunStore store, PoolStore pools, Transitions transitions, Launcher launcher, TaskObserver observer,
                         Clock clock) {
        this.store = store;
        this.pools = pools;
        this.transitions = transitions;
        this.launcher = launcher;
        this.observer = observer;
        this.clock = clock;
    }

    /** Whether the run is an ECS run: the janitor's heartbeat and cancellation rules don't apply to it. */
    public static boolean handles(FlowRun run) {
        return (run.infrastructure() != null && run.infrastructure().isEcsTask())
                || EcsDispatcher.WORKER_NAME.equals(run.workerName());
    }

    public record Sweep(int observed, int stopped, int recovered, int ended) {}

    public Sweep sweep() {
        Instant now = clock.now();
        int[] counts = new int[4];
        Map<String, List<FlowRun>> byCluster = new LinkedHashMap<>();
        String cursor = null;
        do {
            Page<FlowRun> page = store.runs(RunFilter.inStates(Set.of(StateType.PENDING, StateType.RUNNING,
                    StateType.CANCELLING)), PAGE, cursor);
            for (FlowRun run : page.items()) {
                if (!handles(run)) continue;
                try {
                    FlowRun current = settle(run, now, counts);
                    if (current != null) byCluster.computeIfAbsent(clusterKey(current), k -> new ArrayList<>()).add(current);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not reconcile ECS flow run " + run.id(), e);
                }
            }
            cursor = page.next();
        } while (cursor != null);
        byCluster.forEach((cluster, runs) -> {
            for (int i = 0; i < runs.size(); i += DESCRIBE_BATCH) {
                List<FlowRun> batch = runs.subList(i, Math.min(runs.size(), i + DESCRIBE_BATCH));
                try {
                    describe(cluster.isEmpty() ? null : cluster, batch, now, counts);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "DescribeTasks failed on cluster '" + cluster + "'", e);
                }
            }
        });
        return new Sweep(counts[0], counts[1], counts[2], counts[3]);
    }

    /** Stops what must stop and settles unrecorded launches; returns the run if its task should be described. */
    private FlowRun settle(FlowRun run, Instant now, int[] counts) {
        Infrastructure infra = run.infrastructure();
        if (infra == null || infra.taskArn() == null) {
            boolean cancelling = run.state().type() == StateType.CANCELLING;
            Instant claimed = run.claimedAt() == null ? run.updated() : run.claimedAt();
            boolean graceOver = !claimed.plus(LAUNCH_GRACE).isAfter(now);
            if (!cancelling && !graceOver) return null; // the dispatcher may still be at it
            String task = findTask(run);
            if (task == null) {
                // A dispatcher starting a task after this sees the run ended and stops the task itself.
                end(run, cancelling ? StateType.CANCELLED : StateType.CRASHED, cancelling
                        ? "cancelled before its ECS task started"
                        : "no ECS task was started for this run within " + LAUNCH_GRACE.toSeconds() + " s of its claim", counts);
                return null;
            }
            String cluster = cluster(run);
            run = transitions.annotate(run.id(), current -> current.infrastructure() != null
                    && current.infrastructure().taskArn() != null ? null : current.launchedOn(new Infrastructure(
                    Infrastructure.ECS_TASK, cluster, task, null, null, null, null, null, null, null, null, null), now));
            counts[2]++;
            infra = run.infrastructure();
        }
        if (infra.stopRequested() == null) {
            String reason = null;
            if (run.state().type() == StateType.CANCELLING) reason = Infrastructure.STOP_CANCELLED;
            else if (infra.deadline() != null && !now.isBefore(infra.deadline())) reason = Infrastructure.STOP_TIMEOUT;
            if (reason != null) {
                run = stop(run, reason, now);
                counts[1]++;
            }
        }
        return run;
    }

    /** StopTask, and the reason recorded so the STOPPED that follows is read right. */
    public FlowRun stop(FlowRun run, String reason, Instant now) {
        Infrastructure infra = run.infrastructure();
        launcher.stop(infra.cluster(), infra.taskArn(), Infrastructure.STOP_TIMEOUT.equals(reason)
                ? "Ferry: flow run timed out after " + infra.timeoutSeconds() + " s" : "Ferry: flow run cancelled");
        return transitions.annotate(run.id(), current -> {
            Infrastructure seen = current.infrastructure();
            if (seen == null || seen.stopRequested() != null || !current.state().type().holdsSlot()) return null;
            return current.launchedOn(seen.stopping(now, reason), now);
        });
    }

    private void describe(String cluster, List<FlowRun> runs, Instant now, int[] counts) {
        List<String> arns = runs.stream().map(r -> r.infrastructure().taskArn()).toList();
        Map<String, TaskStatus> statuses = new HashMap<>();
        for (TaskStatus s : launcher.describe(cluster, arns)) statuses.put(s.taskArn(), s);
        for (FlowRun run : runs) {
            TaskStatus status = statuses.get(run.infrastructure().taskArn());
            if (status == null) continue;
            if (status.missing()) {
                Instant claimed = run.claimedAt() == null ? run.updated() : run.claimedAt();
                if (claimed.plus(DESCRIBE_GRACE).isAfter(now)) continue;
            }
            try {
                if (observer.apply(run, status) == TaskObserver.Effect.APPLIED) counts[0]++;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not apply the ECS status of flow run " + run.id(), e);
            }
        }
    }

    private String findTask(FlowRun run) {
        return launcher.findTask(cluster(run), run.id()).orElse(null);
    }

    /** The run's cluster: from its task, else from its job configuration rendered again. */
    private String cluster(FlowRun run) {
        if (run.infrastructure() != null && run.infrastructure().cluster() != null) return run.infrastructure().cluster();
        return pools.pool(run.workPoolName()).map(pool -> {
            ObjectNode config = JobTemplate.render(pool.baseJobTemplate(), run.jobVariables());
            try {
                return EcsJob.parse(config).cluster();
            } catch (BadInput e) {
                return config.path("cluster").isTextual() ? config.path("cluster").asText() : null;
            }
        }).orElse(null);
    }

    private static String clusterKey(FlowRun run) {
        String cluster = run.infrastructure().cluster();
        return cluster == null ? "" : cluster;
    }

    private void end(FlowRun run, StateType type, String message, int[] counts) {
        Proposal proposal = Proposal.report(type, null, message, null);
        if (transitions.applyIfUnchanged(run, proposal) instanceof Transitions.Result.Changed) counts[3]++;
    }
}
