package dev.ferry.core.ecs;

import dev.ferry.core.runs.ExitCode;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.Infrastructure;
import dev.ferry.core.runs.Proposal;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.runs.TaskLogs;
import dev.ferry.core.runs.Transitions;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns what ECS says about a task (an event, or DescribeTasks in the janitor's sweep) into the
 * run's state:
 *
 * <pre>
 * PROVISIONING / PENDING / ACTIVATING -> PENDING (InfrastructurePending)
 * RUNNING                             -> RUNNING (unless the container's ferry flow-run execute reports it itself)
 * STOPPED, essential container exit 0 -> COMPLETED
 * STOPPED, exit code N != 0           -> FAILED (the code, ECS's reason, the last log lines)
 * STOPPED otherwise                   -> CRASHED (failed to start, Spot interruption, stopped outside Ferry: ECS's stop code and reason)
 * STOPPED after Ferry stopped it      -> CANCELLED (cancellation) or FAILED (timeout)
 * </pre>
 *
 * A status is applied once: ECS's task {@code version} must exceed the last one applied, so
 * repeated and out-of-order events change nothing. Statuses of another task than the run's
 * (an earlier attempt) are ignored.
 */
public final class TaskObserver {
    public static final String INFRASTRUCTURE_PENDING = "InfrastructurePending";
    static final int LOG_TAIL_LINES = 10;
    /** ECS's stop code for a task whose essential container exited by itself: only then is its exit code the flow's. */
    static final String EXITED = "EssentialContainerExited";
    private static final Logger LOG = Logger.getLogger(TaskObserver.class.getName());

    private final RunStore store;
    private final Transitions transitions;
    private final TaskLogs logs;

    public TaskObserver(RunStore store, Transitions transitions, TaskLogs logs) {
        this.store = store;
        this.transitions = transitions;
        this.logs = logs;
    }

    public enum Effect { APPLIED, IGNORED, NOT_OURS }

    /** A status from an event: the run is found by the task's {@code startedBy} (its run id). */
    public Effect observe(TaskStatus status) {
        if (status.startedBy() == null) return Effect.NOT_OURS;
        Optional<FlowRun> run = store.run(status.startedBy());
        if (run.isEmpty()) return Effect.NOT_OURS;
        return apply(run.get(), status);
    }

    /** Applies {@code status} to {@code run} (as last read); the write re-checks against the run as stored. */
    public Effect apply(FlowRun run, TaskStatus status) {
        StateType from = run.state().type();
        if (!from.holdsSlot()) return Effect.IGNORED; // finished, or queued again for another attempt
        Infrastructure infra = run.infrastructure();
        if (infra == null || infra.taskArn() == null) {
            // RunTask's answer was not recorded (yet): adopt the task when this dispatcher's claim started it.
            if (!EcsDispatcher.WORKER_NAME.equals(run.workerName())) return Effect.IGNORED;
        } else if (!infra.taskArn().equals(status.taskArn())) {
            return Effect.IGNORED;
        }
        // Older than what was applied: out of order. The same version again is a repeat (its
        // transition id makes it a no-op) or, from DescribeTasks, the same news seen another way.
        if (!status.missing() && status.version() < (infra == null ? -1 : infra.appliedVersion())) return Effect.IGNORED;

        String transitionId = "ecs:" + taskId(status.taskArn()) + ":" + status.lastStatus() + ":v" + status.version();
        UnaryOperator<FlowRun> record = next -> next.withTask(observed(next.infrastructure(), status));
        String last = status.missing() ? "STOPPED" : String.valueOf(status.lastStatus());
        switch (last) {
            case "PROVISIONING", "PENDING", "ACTIVATING" -> {
                if (from != StateType.PENDING) return annotate(run, status);
                return report(run, StateType.PENDING, INFRASTRUCTURE_PENDING, "ECS task is " + last, transitionId, record);
            }
            case "RUNNING" -> {
                // `ferry flow-run execute` in the container reports RUNNING itself, and only starts on a
                // PENDING run: moving the run first would make it refuse to run the flow.
                if (from != StateType.PENDING || (infra != null && infra.reportsItself())) return annotate(run, status);
                return report(run, StateType.RUNNING, null, "ECS task is running", transitionId, record);
            }
            case "STOPPED" -> {
                return stopped(run, status, transitionId, record);
            }
            default -> {
                return Effect.IGNORED; // DEACTIVATING, STOPPING, DEPROVISIONING: the STOPPED that follows decides
            }
        }
    }

    private Effect stopped(FlowRun run, TaskStatus status, String transitionId, UnaryOperator<FlowRun> record) {
        Infrastructure infra = run.infrastructure();
        String task = "ECS task " + taskId(status.taskArn());
        if (run.state().type() == StateType.CANCELLING) {
            return report(run, StateType.CANCELLED, null, task + " stopped", transitionId, record);
        }
        if (infra != null && Infrastructure.STOP_TIMEOUT.equals(infra.stopReason())) {
            return report(run, StateType.FAILED, null, "timed out after " + infra.timeoutSeconds()
                    + " s; Ferry stopped " + task + tail(infra), transitionId, record);
        }
        if (status.missing()) {
            return report(run, StateType.CRASHED, null, "ECS no longer knows " + task
                    + " (it stopped and was forgotten before Ferry saw it stop)", transitionId, record);
        }
        TaskStatus.Container container = essential(status, infra);
        boolean exited = status.stopCode() == null || EXITED.equals(status.stopCode());
        if (container == null || container.exitCode() == null || !exited) {
            // Failed to start, or stopped by ECS or someone else (Spot interruption, a console stop):
            // the flow did not fail, its infrastructure did.
            String why = (status.stopCode() == null ? "" : status.stopCode() + ": ")
                    + (status.stoppedReason() == null ? "no reason given" : status.stoppedReason());
            if (container != null && container.reason() != null) why += " (container: " + container.reason() + ")";
            String what = container != null && container.exitCode() != null
                    ? " stopped (exit code " + container.exitCode() + "): " : " stopped before its container ran: ";
            return report(run, StateType.CRASHED, null, task + what + why + tail(infra), transitionId, record);
        }
        if (run.state().type() == StateType.PENDING) {
            // The container ran though its RUNNING event never came (or comes late): the run ran too,
            // which the policy needs to complete it and to count the attempt.
            report(run, StateType.RUNNING, null, "ECS task ran", transitionId + ":running", UnaryOperator.identity());
        }
        ExitCode exit = new ExitCode(container.exitCode());
        if (exit.state() == StateType.COMPLETED) {
            return report(run, StateType.COMPLETED, null, null, transitionId, record);
        }
        String reason = container.reason() != null ? container.reason() : status.stoppedReason();
        return report(run, exit.state(), null, "container '" + container.name() + "' ended with " + exit
                + (reason == null ? "" : " (" + reason + ")") + tail(infra), transitionId, record);
    }

    private static TaskStatus.Container essential(TaskStatus status, Infrastructure infra) {
        List<TaskStatus.Container> containers = status.containers();
        if (containers == null || containers.isEmpty()) return null;
        if (infra != null && infra.containerName() != null) {
            for (TaskStatus.Container c : containers) if (infra.containerName().equals(c.name())) return c;
        }
        for (TaskStatus.Container c : containers) if (c.exitCode() != null) return c;
        return containers.get(0);
    }

    private String tail(Infrastructure infra) {
        if (infra == null || infra.logGroup() == null || infra.logStream() == null) return "";
        try {
            List<String> lines = logs.tail(infra.logGroup(), infra.logStream(), LOG_TAIL_LINES);
            return lines.isEmpty() ? "" : "; last lines:\n" + String.join("\n", lines);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "could not read the task's last log lines", e);
            return "";
        }
    }

    private Effect report(FlowRun run, StateType type, String name, String message, String transitionId,
                          UnaryOperator<FlowRun> record) {
        Transitions.Result result = transitions.apply(run.id(), Proposal.report(type, name, clip(message), transitionId), record);
        return result instanceof Transitions.Result.Changed ? Effect.APPLIED : Effect.IGNORED;
    }

    /** Records the version (and an adopted task) without a state change, so older events stay ignored. */
    private Effect annotate(FlowRun run, TaskStatus status) {
        FlowRun stored = transitions.annotate(run.id(), current -> {
            Infrastructure infra = current.infrastructure();
            if (!current.state().type().holdsSlot() || (infra != null && status.version() <= infra.appliedVersion())) return null;
            if (infra != null && infra.taskArn() != null && !infra.taskArn().equals(status.taskArn())) return null;
            return current.launchedOn(observed(infra, status), current.updated());
        });
        return stored.version() != run.version() && stored.infrastructure() != null
                && stored.infrastructure().appliedVersion() == status.version() ? Effect.APPLIED : Effect.IGNORED;
    }

    private static Infrastructure observed(Infrastructure infra, TaskStatus status) {
        Infrastructure base = infra != null ? infra : new Infrastructure(Infrastructure.ECS_TASK, status.clusterArn(),
                status.taskArn(), null, null, null, null, null, null, null, null, null);
        if (base.taskArn() == null) base = base.withTask(status.taskArn());
        return status.missing() ? base : base.observed(status.version());
    }

    static String taskId(String taskArn) {
        return taskArn == null ? "?" : taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }

    private static String clip(String message) {
        return message == null || message.length() <= 3900 ? message : message.substring(0, 3900) + "…";
    }
}
