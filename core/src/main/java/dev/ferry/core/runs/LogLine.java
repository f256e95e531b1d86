package dev.ferry.core.runs;

import java.time.Instant;
import java.util.List;

/** One line a run printed (stream stdout or stderr) or the worker said about it (stream worker). */
public record LogLine(long seq, Instant timestamp, String stream, String message) {
    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";
    /** What the worker (or Ferry) says about a run: only a worker's key writes it, so a flow can't pose as one. */
    public static final String WORKER = "worker";
    public static final List<String> STREAMS = List.of(STDOUT, STDERR, WORKER);

    /** The same line, numbered {@code number} (stores number lines as they keep them). */
    public LogLine withSeq(long number) {
        return new LogLine(number, timestamp, stream, message);
    }

    /** Who posts lines, which decides the streams it may write. */
    public enum Writer {
        /** A worker's (or an administrator's) key: every stream. */
        WORKER(STREAMS),
        /** The run's own token, which the flow's process holds too: the flow's own streams only. */
        RUN(List.of(STDOUT, STDERR));

        private final List<String> streams;

        Writer(List<String> streams) {
            this.streams = streams;
        }

        public List<String> streams() {
            return streams;
        }
    }
}
