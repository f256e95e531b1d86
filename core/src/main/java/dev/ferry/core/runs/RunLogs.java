package dev.ferry.core.runs;

import java.util.List;

/** Where the log lines runs ship are kept, numbered per run. */
public interface RunLogs {

    /** Appends lines; the store assigns increasing {@code seq} numbers per run. */
    void appendLogs(String runId, List<LogLine> lines);

    /** Lines with {@code seq > afterSeq}, oldest first. */
    List<LogLine> logs(String runId, long afterSeq, int limit);
}
