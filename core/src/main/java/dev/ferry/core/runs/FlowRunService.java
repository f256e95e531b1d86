package dev.ferry.core.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Instants;
import dev.ferry.core.common.JsonSizes;
import dev.ferry.core.common.Names;
import dev.ferry.core.common.Page;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.events.Event;
import dev.ferry.core.jobs.JobTemplate;
import dev.ferry.core.deployments.ParameterTypes;
import dev.ferry.core.jobs.JsonSchemas;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.WorkQueues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Creating flow runs, reporting on them, and their logs. */
public final class FlowRunService {
    public static final int MAX_LOG_BATCH = 1000;
    public static final int MAX_LOG_MESSAGE = 64 * 1024;
    /** Escaped as JSON, a character takes at most 6 bytes: 512 Ki characters stay well within 6 MB. */
    public static final int MAX_LOG_PAGE_CHARS = 512 * 1024;
    private static final int MAX_KEY_LENGTH = 256;
    private static final int MAX_MESSAGE = 4000;
    private static final int MAX_TRANSITION_ID = 256;
    private static final int MAX_INFRASTRUCTURE_ID = 2048; // an ECS task ARN is about 100
    private static final Logger LOG = Logger.getLogger(FlowRunService.class.getName());

    private final RunStore store;
    private final RunLogs runLogs;
    private final PoolStore pools;
    private final WorkQueues workQueues;
    private final Transitions transitions;
    private final Clock clock;
    private final Ids ids;

    private final TaskLogs taskLogs;
    private final Consumer<FlowRun> stopTask;
    private final LogQuota logQuota;

    public FlowRunService(RunStore store, RunLogs runLogs, PoolStore pools, WorkQueues workQueues, Transitions transitions,
                          Clock clock, Ids ids) {
        this(store, runLogs, pools, workQueues, transitions, clock, ids, TaskLogs.NONE, null);
    }

    /**
     * @param taskLogs where runs on ECS tasks with CloudWatch logging have their lines
     * @param stopTask stops a cancelled run's ECS task at once (else the janitor's sweep does); null for none
     */
    public FlowRunService(RunStore store, RunLogs runLogs, PoolStore pools, WorkQueues workQueues, Transitions transitions,
                          Clock clock, Ids ids,
                          TaskLogs taskLogs, Consumer<FlowRun> stopTask) {
        this(store, runLogs, pools, workQueues, transitions, clock, ids, taskLogs, stopTask, LogQuota.DEFAULT);
    }

    /** @param logQuota how much of each run's log is kept (the rest is dropped, and the log says so) */
    public FlowRunService(RunStore store, RunLogs runLogs, PoolStore pools, WorkQueues workQueues, Transitions transitions,
                          Clock clock, Ids ids,
                          TaskLogs taskLogs, Consumer<FlowRun> stopTask, LogQuota logQuota) {
        this.logQuota = java.util.Objects.requireNonNull(logQuota, "logQuota");
        this.store = store;
        this.runLogs = runLogs;
        this.pools = pools;
        this.workQueues = workQueues;
        this.transitions = transitions;
        this.clock = clock;
        this.ids = ids;
        this.taskLogs = taskLogs;
        this.stopTask = stopTask;
    }

    public record NewRun(ObjectNode parameters, ObjectNode jobVariables, String idempotencyKey,
                         Instant scheduledStartTime, List<String> tags, String name) {}

    public record Created(FlowRun run, boolean created) {}

    public record NewLog(Instant timestamp, String stream, String message) {}

    public Created create(Deployment deployment, NewRun request) {
        WorkPool pool = pools.pool(deployment.workPoolName()).orElseThrow(() -> BadInput.invalid("work_pool_name",
                "work pool '" + deployment.workPoolName() + "' of deployment '" + deployment.fullName() + "' no longer exists"));
        WorkQueue queue = pools.queue(pool.id(), deployment.workQueueName()).orElseThrow(() -> BadInput.invalid(
                "work_queue_name", "work queue '" + deployment.workQueueName() + "' of deployment '"
                        + deployment.fullName() + "' no longer exists"));

        ObjectNode merged = deployment.parameters().deepCopy();
        if (request.parameters() != null) merged.setAll(request.parameters());
        // A float parameter given 2 (the web UI's JSON, any client's) reaches the flow as 2.0.
        ObjectNode parameters = ParameterTypes.normalized(deployment.parameterOpenapiSchema(), merged);
        JsonSizes.check("parameters", parameters);
        if (deployment.enforceParameterSchema()) {
            refuseUnknownParameters(deployment, parameters);
            JsonSchemas.validate("parameters", deployment.parameterOpenapiSchema(), parameters);
        }
        ObjectNode jobVariables = JobTemplate.merge(
                JobTemplate.merge(JobTemplate.defaults(pool.baseJobTemplate()), deployment.jobVariables()),
                request.jobVariables());
        JsonSchemas.validate("job_variables", JobTemplate.variablesSchema(pool.baseJobTemplate()), JsonSizes.check("job_variables",
                jobVariables));

        String key = request.idempotencyKey();
        if (key != null && (key.isEmpty() || key.length() > MAX_KEY_LENGTH)) {
            throw BadInput.invalid("idempotency_key", "'idempotency_key' must be 1 to " + MAX_KEY_LENGTH + " characters");
        }
        String name = request.name() == null ? RunNames.random(ThreadLocalRandom.current()) : Names.check("name", request.name());
        Set<String> tags = new LinkedHashSet<>(deployment.tags());
        if (request.tags() != null) {
            for (int i = 0; i < request.tags().size(); i++) tags.add(Names.check("tags[" + i + "]", request.tags().get(i)));
        }
        Instant now = clock.now();
        Instant start = request.scheduledStartTime() == null ? now
                : Instants.check("scheduled_start_time", request.scheduledStartTime());
        State scheduled = State.of(StateType.SCHEDULED, now);
        FlowRun run = FlowRunBuilder.builder().id(ids.next()).name(name)
                .deploymentId(deployment.id()).flowName(deployment.flowName()).deploymentName(deployment.name())
                .workPoolId(pool.id()).workPoolName(pool.name()).workQueueId(queue.id()).workQueueName(queue.name())
                .parameters(parameters).jobVariables(jobVariables).state(scheduled).stateHistory(List.of(scheduled))
                .scheduledStartTime(start).retries(deployment.retries()).retryDelaySeconds(deployment.retryDelaySeconds())
                .idempotencyKey(key).tags(List.copyOf(tags)).version(1).created(now).updated(now).build();
        Event event = transitions.eventOf(run);
        FlowRun stored = store.createRun(run, event);
        boolean created = stored.id().equals(run.id());
        if (created) {
            workQueues.send(queue.id(), run.id(), start);
            transitions.written(event);
        } else {
            // created again (the same idempotency key): its state's event goes out again, and the store drops it
            transitions.publish(stored);
        }
        return new Created(stored, created);
    }

    public FlowRun get(String id) {
        return transitions.load(id);
    }

    public Page<FlowRun> list(RunFilter filter, int limit, String cursor) {
        return store.runs(filter, limit, cursor);
    }

    /** Runs by state type per bucket of their expected start: the dashboard's chart, counted by the store. */
    public RunActivity activity(ActivityWindow window, RunFilter filter) {
        return store.activity(window, filter);
    }

    /** A worker's or client's report. Refused transitions throw {@link TransitionRefused}. */
    public FlowRun setState(String runId, StateType type, String name, String message, String transitionId,
                            String infrastructureId) {
        if (type == null) throw BadInput.invalid("state.type", "'state.type' is required");
        if (name != null) Names.check("state.name", name);
        bounded("transition_id", transitionId, MAX_TRANSITION_ID);
        bounded("infrastructure_id", infrastructureId, MAX_INFRASTRUCTURE_ID);
        Proposal proposal = Proposal.fromCaller(type, name, clip(message), transitionId);
        return settle(transitions.apply(runId, proposal,
                run -> infrastructureId == null ? run : run.withInfrastructureId(infrastructureId)));
    }

    public FlowRun cancel(String runId) {
        FlowRun run = settle(transitions.apply(runId, Proposal.of(Proposal.Origin.CANCEL, StateType.CANCELLING, null,
                "cancelled by user")));
        Infrastructure infra = run.infrastructure();
        if (stopTask != null && run.state().type() == StateType.CANCELLING && infra != null && infra.isEcsTask()
                && infra.taskArn() != null && infra.stopRequested() == null) {
            try {
                stopTask.accept(run);
                run = transitions.load(runId);
            } catch (RuntimeException e) {
                // The cancellation is recorded; the janitor's sweep stops the task if this could not.
                LOG.log(Level.WARNING, "could not stop the ECS task of flow run " + runId + " yet", e);
            }
        }
        return run;
    }

    public FlowRun retry(String runId) {
        return settle(transitions.apply(runId, Proposal.of(Proposal.Origin.RETRY, StateType.SCHEDULED, null,
                "retried by user")));
    }

    public FlowRun heartbeat(String runId) {
        return transitions.heartbeat(runId);
    }

    public void appendLogs(String runId, List<NewLog> logs) {
        appendLogs(runId, logs, LogLine.Writer.WORKER);
    }

    /** Appends lines from {@code writer}, which may write only its own streams (a run's token not the worker's). */
    public void appendLogs(String runId, List<NewLog> logs, LogLine.Writer writer) {
        transitions.load(runId);
        if (logs == null || logs.isEmpty()) return;
        if (logs.size() > MAX_LOG_BATCH) {
            throw BadInput.invalid("logs", "at most " + MAX_LOG_BATCH + " lines per request (got " + logs.size() + ")");
        }
        Instant now = clock.now();
        List<LogLine> lines = new ArrayList<>(logs.size());
        for (int i = 0; i < logs.size(); i++) {
            NewLog log = logs.get(i);
            if (log == null || log.message() == null) {
                throw BadInput.invalid("logs[" + i + "].message", "'logs[" + i + "].message' is required");
            }
            if (log.message().length() > MAX_LOG_MESSAGE) {
                throw BadInput.invalid("logs[" + i + "].message", "a log message may be at most " + MAX_LOG_MESSAGE + " characters");
            }
            String stream = log.stream() == null ? LogLine.STDOUT : log.stream();
            if (!LogLine.STREAMS.contains(stream)) {
                throw BadInput.invalid("logs[" + i + "].stream", "'stream' must be stdout, stderr or worker (got '" + stream + "')");
            }
            if (!writer.streams().contains(stream)) {
                throw BadInput.invalid("logs[" + i + "].stream", "a run's own token writes stdout or stderr; the '" + stream
                        + "' stream is the worker's, written with a worker's key");
            }
            Instant at = log.timestamp() == null ? now : Instants.check("logs[" + i + "].timestamp", log.timestamp());
            lines.add(new LogLine(0, at, stream, log.message()));
        }
        runLogs.appendLogs(runId, lines, logQuota);
    }

    /**
     * A page of a run's log lines; {@code next} (the last line's seq) is null when nothing follows yet;
     * {@code truncated} when the run's log reached its quota (its last line then says how much was dropped).
     */
    public record LogPage(List<LogLine> lines, String next, boolean truncated) {}

    /**
     * At most {@code limit} lines, and no more than {@link #MAX_LOG_PAGE_CHARS} of messages past the
     * first line, so that a page of long lines still fits an answer (Lambda's is 6 MB).
     */
    public LogPage logPage(String runId, long afterSeq, int limit) {
        LogSlice slice = logs(runId, afterSeq, limit);
        List<LogLine> lines = slice.lines();
        int taken = 0;
        long chars = 0;
        for (LogLine line : lines) {
            chars += line.message().length();
            if (taken > 0 && chars > MAX_LOG_PAGE_CHARS) break;
            taken++;
        }
        List<LogLine> page = lines.subList(0, taken);
        boolean more = taken < lines.size() || lines.size() == limit;
        return new LogPage(List.copyOf(page), more && !page.isEmpty() ? Long.toString(page.get(taken - 1).seq()) : null,
                slice.truncated());
    }

    /** The run's lines; a run on an ECS task with CloudWatch logging has its task's lines instead, when there are any. */
    private LogSlice logs(String runId, long afterSeq, int limit) {
        FlowRun run = transitions.load(runId);
        Infrastructure infra = run.infrastructure();
        if (infra != null && infra.logGroup() != null && infra.logStream() != null) {
            try {
                List<LogLine> lines = taskLogs.read(infra.logGroup(), infra.logStream(), afterSeq, limit);
                if (!lines.isEmpty() || afterSeq > 0) return new LogSlice(lines, false);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not read CloudWatch logs of flow run " + runId, e);
            }
        }
        return runLogs.logs(runId, afterSeq, limit);
    }

    /** A typo in a parameter name deserves a better answer than "not accepted": say what the flow takes. */
    private static void refuseUnknownParameters(Deployment deployment, ObjectNode parameters) {
        ObjectNode schema = deployment.parameterOpenapiSchema();
        if (!schema.path("properties").isObject() || !schema.path("additionalProperties").isBoolean()
                || schema.path("additionalProperties").asBoolean()) {
            return;
        }
        List<String> known = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(known::add);
        parameters.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw BadInput.invalid("parameters." + name, "'" + name + "' is not a parameter of flow '"
                        + deployment.flowName() + "'; " + (known.isEmpty() ? "it takes none"
                        : "it takes: " + String.join(", ", known)));
            }
        });
    }

    private static FlowRun settle(Transitions.Result result) {
        if (result instanceof Transitions.Result.Refused refused) {
            throw new TransitionRefused(refused.run(), refused.reason());
        }
        return result.run();
    }

    /** An identifier the caller chooses is kept on the run: bounded, so that it can't grow it without end. */
    private static void bounded(String field, String value, int max) {
        if (value != null && (value.isEmpty() || value.length() > max)) {
            throw BadInput.invalid(field, "'" + field + "' must be 1 to " + max + " characters (got " + value.length() + ")");
        }
    }

    private static String clip(String message) {
        return message == null || message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "…";
    }

}
