package dev.ferry.core.runs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link RunLogs} in memory, for core's unit tests; {@link InMemoryRunLogsTest} holds it to the contract. */
public final class InMemoryRunLogs implements RunLogs {
    private final Map<String, List<LogLine>> byRun = new HashMap<>();
    private final Map<String, LogTotals> totals = new HashMap<>();

    @Override
    public synchronized void appendLogs(String runId, List<LogLine> lines, LogQuota quota) {
        if (lines.isEmpty()) return;
        LogTotals before = totals.getOrDefault(runId, LogTotals.EMPTY);
        int fit = quota.fitting(before, lines);
        List<LogLine> kept = byRun.computeIfAbsent(runId, k -> new ArrayList<>());
        for (LogLine line : lines.subList(0, fit)) {
            kept.add(new LogLine(kept.size() + 1, line.timestamp(), line.stream(), line.message()));
        }
        totals.put(runId, before.after(lines, fit));
    }

    @Override
    public synchronized LogSlice logs(String runId, long afterSeq, int limit) {
        if (limit < 1) throw new IllegalArgumentException("page limit must be at least 1 (got " + limit + ")");
        List<LogLine> kept = byRun.getOrDefault(runId, List.of());
        List<LogLine> page = kept.stream().filter(l -> l.seq() > afterSeq).limit(limit).toList();
        return LogSlice.of(page, totals.getOrDefault(runId, LogTotals.EMPTY), kept.size(), afterSeq, limit);
    }
}
