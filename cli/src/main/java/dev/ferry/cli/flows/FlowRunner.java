package dev.ferry.cli.flows;

import java.util.List;

/**
 * The command a worker starts for a {@code path/file.py:function} flow run.
 *
 * <p>The process must run in the directory the entrypoint's path is relative to, with
 * {@code FERRY_PARAMETERS} (a JSON object) in its environment. The bundled runner streams
 * the flow's output line by line and exits 0 on success; on failure its first stderr line
 * says why, in one line, followed by the flow's traceback when the flow itself raised.
 */
public final class FlowRunner {
    private FlowRunner() {}

    /**
     * {@code [python, ferry_runner.py, entrypoint]}. The entrypoint is passed on unchecked:
     * the runner reports a malformed one on stderr, where it becomes the failed run's message
     * instead of an error inside the worker.
     */
    public static List<String> command(String entrypoint) {
        return command(PythonScripts.python(), entrypoint);
    }

    /** The same with another interpreter, e.g. the virtualenv a pull step installed the requirements in. */
    public static List<String> command(String python, String entrypoint) {
        return List.of(python, PythonScripts.runner().toString(), entrypoint);
    }
}
