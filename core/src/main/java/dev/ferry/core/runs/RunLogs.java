package dev.ferry.core.runs;

import java.util.List;

/**
 * Where the log lines runs ship are kept, numbered per run, within each run's {@link LogQuota}.
 * Every adapter passes {@code RunLogsContract}.
 */
public interface RunLogs {

    /**
     * Appends lines; the store assigns increasing {@code seq} numbers per run. Lines past the
     * quota, and all after them, are dropped and counted in one atomic step with the rest, so
     * concurrent appends never keep more than the quota.
     */
    void appendLogs(String runId, List<LogLine> lines, LogQuota quota);

    /**
     * Lines with {@code seq > afterSeq}, oldest first, at most {@code limit}; a truncated log ends
     * with its marker line (see {@link LogSlice#of}).
     */
    LogSlice logs(String runId, long afterSeq, int limit);
}
