package dev.ferry.cli.worker;

/**
 * The line of a failed run's stderr that says why it failed, for the FAILED state's message. The
 * whole of stderr (a traceback included) is in the run's logs already; repeating it in the message
 * printed it twice to anyone following the run. The runner's own explanation ("ferry: flow f
 * failed: ValueError: boom") is the best line; without one, the last line is what a traceback or
 * a shell ends with ("ValueError: boom").
 */
final class FailureSummary {
    static final int MAX_LINE_CHARS = 500;
    private static final String RUNNER_PREFIX = "ferry: ";

    private String runnerLine;
    private String lastLine;

    synchronized void add(String line) {
        String text = line.strip();
        if (text.isEmpty()) return;
        if (text.length() > MAX_LINE_CHARS) text = text.substring(0, MAX_LINE_CHARS) + "…";
        if (text.startsWith(RUNNER_PREFIX)) runnerLine = text.substring(RUNNER_PREFIX.length());
        lastLine = text;
    }

    /** The summary, or null when the process wrote nothing on stderr. */
    synchronized String line() {
        return runnerLine != null ? runnerLine : lastLine;
    }
}
