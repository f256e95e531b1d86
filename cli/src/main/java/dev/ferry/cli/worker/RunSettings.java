package dev.ferry.cli.worker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What every run of one worker shares.
 *
 * @param workerName the worker's name, as it claims runs
 * @param apiUrl the API URL handed to flow processes
 * @param apiKey the worker's own key, or null; flow processes get their run token instead (RunProcess)
 * @param workingDir where runs without a working_dir run
 * @param heartbeatEvery how often a running run's heartbeat is sent (and a cancel noticed)
 * @param killGrace how long a cancelled or timed-out process gets between SIGTERM and SIGKILL
 * @param shutdownGrace the same when the worker itself is shutting down (it must be gone in ~15 s)
 */
record RunSettings(String workerName, URI apiUrl, String apiKey, Path workingDir, Duration heartbeatEvery,
                   Duration killGrace, Duration shutdownGrace) {

    /** Where pull steps keep their clones and virtualenvs (under {@code pull/}). */
    Path ferryHome() {
        return dev.ferry.cli.flows.PythonScripts.ferryHome();
    }

    /**
     * The stream this process's own notes about the run go to: the worker's, unless it holds the
     * run's token (ferry flow-run execute in a container), which the server lets write only the
     * flow's streams, as the flow holds the same token.
     */
    String notesStream() {
        return apiKey != null && apiKey.startsWith(RunExecutor.RUN_TOKEN_PREFIX) ? "stderr" : "worker";
    }

    static RunSettings defaults(String workerName, URI apiUrl, String apiKey, Path workingDir) {
        return new RunSettings(workerName, apiUrl, apiKey, workingDir, Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(5));
    }
}
