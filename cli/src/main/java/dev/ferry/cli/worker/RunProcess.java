package dev.ferry.cli.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiProblem;
import dev.ferry.cli.client.ApiUnreachable;
import dev.ferry.cli.client.FerryApi;
import dev.ferry.cli.flows.FlowRunner;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.ShellWords;
import dev.ferry.core.runs.ExitCode;
import dev.ferry.core.runs.StateType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * One claimed flow run on this machine: starts its process, ships its output, keeps its heartbeat,
 * stops it when cancelled or out of time, and reports how it ended. Runs on a thread of its own.
 */
final class RunProcess implements Runnable {
    private static final Duration PUMP_DRAIN = Duration.ofSeconds(10);

    private final FerryApi api;
    private final FerryApi probe;
    private final RunSettings settings;
    private final JsonNode run;
    private final JsonNode deployment;
    private final JsonNode jobConfiguration;
    private final JsonNode claimed;
    private final WorkerLog log;
    private final String runId;
    private final String runName;
    private final FailureSummary stderrSummary = new FailureSummary();

    private final Object lock = new Object();
    private Process process;
    private boolean shuttingDown;
    private boolean killedOnShutdown;
    /** The run's state as the server last answered a report; what {@code ferry flow-run execute} exits by. */
    private volatile JsonNode lastState = MissingNode.getInstance();

    /** How the process ended, which decides the final report. */
    private sealed interface Outcome {}
    private record Exited(int code) implements Outcome {}
    private record Cancelled() implements Outcome {}
    private record TimedOut(int seconds) implements Outcome {}
    private record ShutDown() implements Outcome {}
    /** The server did not take our RUNNING report, or the run vanished: it has its own idea of the state. */
    private record Overruled(JsonNode state) implements Outcome {}

    /**
     * @param api retries through outages: reports must arrive eventually
     * @param probe fails fast: a heartbeat that can't get through is simply sent again 5 s later
     */
    RunProcess(FerryApi api, FerryApi probe, RunSettings settings, JsonNode claimed, WorkerLog log) {
        this.api = api;
        this.probe = probe;
        this.settings = settings;
        this.run = claimed.path("flow_run");
        this.deployment = claimed.path("deployment");
        this.jobConfiguration = claimed.path("job_configuration");
        this.claimed = claimed;
        this.log = log;
        this.runId = run.path("id").asText();
        this.runName = run.path("name").asText(runId);
    }

    String runName() {
        return runName;
    }

    JsonNode lastState() {
        return lastState;
    }

    @Override
    public void run() {
        try {
            execute();
        } catch (CancellationException e) {
            // Interrupted while the worker shuts down; the run is left to the server's janitor.
            log.line("flow run '" + runName + "' was left unreported: the worker stopped before the API answered");
        } catch (RuntimeException e) {
            log.line("flow run '" + runName + "': " + describe(e));
        }
    }

    /** Called when the worker shuts down: stop the process tree so the run can be reported CRASHED. */
    void abort() {
        Process p;
        synchronized (lock) {
            shuttingDown = true;
            p = process;
            killedOnShutdown = p != null && p.isAlive();
        }
        if (p != null) kill(p, settings.shutdownGrace());
    }

    private void execute() {
        log.line("flow run '" + runName + "' (" + runId + ") claimed");
        JobConfiguration job = JobConfiguration.from(jobConfiguration);
        LogShipper shipper = new LogShipper("ferry-logs-" + runName, body -> api.postLogs(runId, body),
                message -> log.line("flow run '" + runName + "': " + message), settings.notesStream());
        shipper.start();
        PullStepRunner.Result pulled;
        List<String> command;
        Path dir;
        try {
            Path base = job.workingDir() != null ? settings.workingDir().resolve(job.workingDir()) : settings.workingDir();
            pulled = pull(base, job, shipper);
            if (pulled == null) {
                close(shipper);
                return;
            }
            command = job.command() != null
                    ? commandWords(job.command())
                    : pulled.python() != null
                    ? FlowRunner.command(pulled.python(), deployment.path("entrypoint").asText())
                    : FlowRunner.command(deployment.path("entrypoint").asText());
            dir = pulled.directory();
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("working directory " + dir + " does not exist");
        } catch (RuntimeException e) {
            // A bad command line, a missing directory, a runner that can't be unpacked: the run
            // can't start here, and its state should say why rather than sit PENDING.
            close(shipper);
            report(StateType.FAILED, "cannot start the flow run: " + describe(e), null);
            return;
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        environment(builder.environment(), job);
        builder.environment().putAll(pulled.env());

        Process p;
        String notStarted;
        synchronized (lock) {
            // Checked under the lock so abort() either sees the process or keeps it from starting.
            if (shuttingDown) {
                p = null;
                notStarted = null;
            } else {
                try {
                    p = builder.start();
                    process = p;
                    notStarted = null;
                } catch (IOException e) {
                    p = null;
                    notStarted = command.get(0) + ": " + e.getMessage();
                }
            }
        }
        if (p == null) {
            close(shipper);
            if (notStarted != null) {
                report(StateType.FAILED, "cannot start the flow run: " + notStarted, null);
            } else {
                // Claimed but never started: give it back so another worker can take it.
                report(StateType.SCHEDULED, "handed back: worker " + settings.workerName() + " shut down", null);
            }
            return;
        }
        closeStdin(p);
        Thread out = pump(p, "stdout", shipper, job.streamOutput());
        Thread err = pump(p, "stderr", shipper, job.streamOutput());

        Outcome outcome = supervise(p, job, shipper);

        try {
            out.join(PUMP_DRAIN.toMillis());
            err.join(PUMP_DRAIN.toMillis());
            shipper.close();
        } catch (InterruptedException e) {
            shipper.abort();
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
        finish(outcome);
    }

    /**
     * Runs the deployment's pull steps, heartbeating the run meanwhile (a long pip install must not
     * look like a dead worker). Answers where and how the flow runs, or null when a step failed
     * and the run has been reported FAILED.
     */
    private PullStepRunner.Result pull(Path base, JobConfiguration job, LogShipper shipper) {
        List<JsonNode> steps = new java.util.ArrayList<>();
        deployment.path("pull_steps").forEach(steps::add);
        if (steps.isEmpty()) {
            shipper.note("[ferry] no pull steps: running the code in " + base
                    + (job.workingDir() != null ? " (the pool's working_dir)" : " (the worker's working directory)"));
            return new PullStepRunner.Result(base, Map.of(), null);
        }
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.remove("FERRY_API_KEY");
        env.remove("FERRY_SERVER_API_KEY");
        env.putAll(job.env());
        PullStepRunner runner = new PullStepRunner(settings.ferryHome(), env, line -> shipper.note(line));
        java.util.concurrent.ScheduledExecutorService beats = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "ferry-pull-heartbeat-" + runName);
                    t.setDaemon(true);
                    return t;
                });
        long every = settings.heartbeatEvery().toMillis();
        beats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        try {
            return runner.run(steps, base);
        } catch (PullStepRunner.StepFailed e) {
            shipper.note("[ferry] " + e.getMessage());
            close(shipper);
            report(StateType.FAILED, e.getMessage(), null);
            return null;
        } finally {
            beats.shutdownNow();
        }
    }

    private static void close(LogShipper shipper) {
        try {
            shipper.close();
        } catch (InterruptedException e) {
            shipper.abort();
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    private Outcome supervise(Process p, JobConfiguration job, LogShipper shipper) {
        JsonNode state = report(StateType.RUNNING, null, p.pid());
        if (!"RUNNING".equals(state.path("type").asText())) {
            shipper.note("[ferry] the server did not let this run start; stopping its process");
            kill(p, settings.killGrace());
            return new Overruled(state);
        }
        long start = System.nanoTime();
        long timeoutAt = job.timeoutSeconds() == null ? Long.MAX_VALUE
                : start + TimeUnit.SECONDS.toNanos(job.timeoutSeconds());
        long heartbeatAt = start + settings.heartbeatEvery().toNanos();
        while (true) {
            long now = System.nanoTime();
            long wait = Math.max(1, Math.min(heartbeatAt, timeoutAt) - now);
            try {
                if (p.waitFor(wait, TimeUnit.NANOSECONDS)) break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill(p, settings.shutdownGrace());
                return new ShutDown();
            }
            now = System.nanoTime();
            if (now >= timeoutAt) {
                shipper.note("[ferry] timed out after " + job.timeoutSeconds() + " s; stopping the process");
                kill(p, settings.killGrace());
                return new TimedOut(job.timeoutSeconds());
            }
            if (now >= heartbeatAt) {
                heartbeatAt = now + settings.heartbeatEvery().toNanos();
                JsonNode current = heartbeat();
                String type = current.path("state").path("type").asText();
                if (current.isMissingNode()) continue;
                if (type.equals("CANCELLING") || isTerminal(type)) {
                    shipper.note("[ferry] cancel requested; stopping the process");
                    log.line("flow run '" + runName + "' is " + current.path("state").path("name").asText(type)
                            + "; stopping its process");
                    kill(p, settings.killGrace());
                    return type.equals("CANCELLING") ? new Cancelled() : new Overruled(current.path("state"));
                }
            }
        }
        int code = p.exitValue();
        synchronized (lock) {
            // Not the exit code alone: a shell killed mid-`wait` can exit 0, and a flow hit by the
            // terminal's Ctrl-C exits non-zero before we get to it. Either way it didn't finish its work.
            if (shuttingDown && (killedOnShutdown || code != 0)) return new ShutDown();
        }
        return new Exited(code);
    }

    private void finish(Outcome outcome) {
        if (outcome instanceof Exited e) {
            ExitCode exit = new ExitCode(e.code());
            report(exit.state(), exit.value() == 0 ? null : failureMessage(e.code()), null);
        } else if (outcome instanceof TimedOut t) {
            report(StateType.FAILED, "timed out after " + t.seconds() + " s", null);
        } else if (outcome instanceof Cancelled) {
            report(StateType.CANCELLED, "cancelled by user", null);
        } else if (outcome instanceof ShutDown) {
            report(StateType.CRASHED, "worker " + settings.workerName() + " shut down", null);
        } else if (outcome instanceof Overruled o && "CANCELLING".equals(o.state().path("type").asText())) {
            report(StateType.CANCELLED, "cancelled by user", null);
        }
    }

    /**
     * Reports a state. The transition id is made once per report, so a resend after an outage is
     * a no-op on the server. A refusal (409) is final: the server's state wins and is logged.
     *
     * @return the run's state after the report, as the server answered it
     */
    private JsonNode report(StateType type, String message, Long pid) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode state = body.putObject("state").put("type", type.name());
        if (message != null) state.put("message", message);
        body.put("transition_id", UUID.randomUUID().toString());
        if (pid != null) body.put("infrastructure_id", String.valueOf(pid));
        try {
            JsonNode now = api.setState(runId, body).path("flow_run").path("state");
            lastState = now;
            log.line("flow run '" + runName + "' is " + describeState(now) + (pid != null ? " (pid " + pid + ")" : ""));
            return now;
        } catch (ApiProblem problem) {
            JsonNode current = problem.body().path("state");
            if (problem.status() == 409 && current.isObject()) {
                log.line("flow run '" + runName + "': the server refused " + type.defaultName() + " and keeps it "
                        + describeState(current) + " (" + problem.getMessage() + ")");
                lastState = current;
                return current;
            }
            log.line("flow run '" + runName + "': could not report " + type.defaultName() + ": " + problem.describe());
            return MissingNode.getInstance();
        }
    }

    /** The run as the server sees it now, or a missing node when the API could not be asked. */
    private JsonNode heartbeat() {
        try {
            return probe.heartbeat(runId);
        } catch (ApiUnreachable e) {
            return MissingNode.getInstance();
        } catch (ApiProblem problem) {
            if (problem.status() == 404) {
                // Deleted under us: nobody can see this run any more, so it should stop using the machine.
                return Json.MAPPER.createObjectNode().set("state",
                        Json.MAPPER.createObjectNode().put("type", "CANCELLED").put("name", "Deleted"));
            }
            return MissingNode.getInstance();
        }
    }

    private void environment(Map<String, String> env, JobConfiguration job) {
        // The worker's own credentials never reach the flow's code: it gets its run's token only.
        env.remove("FERRY_API_KEY");
        env.remove("FERRY_SERVER_API_KEY");
        env.putAll(job.env());
        env.put("FERRY_API_URL", settings.apiUrl().toString());
        env.put("FERRY_FLOW_RUN_ID", runId);
        env.put("FERRY_DEPLOYMENT_ID", run.path("deployment_id").asText(deployment.path("id").asText()));
        JsonNode parameters = run.path("parameters");
        env.put("FERRY_PARAMETERS", parameters.isObject() ? Json.string(parameters) : "{}");
        // The claimed run has not been counted as running yet: this start is the next attempt.
        env.put("FERRY_FLOW_RUN_ATTEMPT", String.valueOf(run.path("run_count").asInt(0) + 1));
        String runToken = claimed.path("run_token").asText(null);
        if (runToken != null) env.put("FERRY_API_KEY", runToken);
        // Python buffers stdout in blocks when it is a pipe; unbuffered, lines show up as they're printed.
        env.putIfAbsent("PYTHONUNBUFFERED", "1");
    }

    private Thread pump(Process p, String stream, LogShipper shipper, boolean echo) {
        Thread thread = new Thread(new OutputPump(stream.equals("stdout") ? p.getInputStream() : p.getErrorStream(),
                line -> {
                    if (stream.equals("stderr")) stderrSummary.add(line);
                    shipper.add(stream, line);
                    if (echo) log.echo(runName, line);
                }), "ferry-" + stream + "-" + runName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** "exit code 1: flow f failed: ValueError: boom"; the traceback stays in the logs, once. */
    String failureMessage(int code) {
        String head = new ExitCode(code).toString();
        String why = stderrSummary.line();
        return why == null ? head : head + ": " + why;
    }

    private void kill(Process p, Duration grace) {
        try {
            ProcessTree.kill(p.toHandle(), grace);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void closeStdin(Process p) {
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // A flow that reads stdin sees end-of-file either way.
        }
    }

    private static boolean isTerminal(String type) {
        for (StateType t : StateType.values()) {
            if (t.name().equals(type)) return t.isTerminal();
        }
        return false;
    }

    private static String describeState(JsonNode state) {
        String name = state.path("name").asText(state.path("type").asText("?"));
        String message = state.path("message").isTextual() ? state.path("message").asText().strip() : "";
        int newline = message.indexOf('\n');
        if (newline >= 0) message = message.substring(0, newline) + " …";
        return name + (message.isEmpty() ? "" : ": " + message);
    }

    private static String describe(RuntimeException e) {
        if (e instanceof ApiProblem p) return p.describe();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static List<String> commandWords(String line) {
        List<String> words;
        try {
            words = ShellWords.split(line);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("command " + e.getMessage() + ": " + line);
        }
        if (words.isEmpty()) throw new IllegalArgumentException("command is empty");
        return words;
    }
}
