package dev.ferry.core.runs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link RunLogs} in memory, for core's unit tests; {@link InMemoryRunLogsTest} holds it to the contract. */
public final class InMemoryRunLogs implements RunLogs {
    private final Map<String, List<LogLine>> byRun = new HashMap<>();

    @Override
    public synchronized void appendLogs(String runId, List<LogLine> lines) {
        List<LogLine> kept = byRun.computeIfAbsent(runId, k -> new ArrayList<>());
        for (LogLine line : lines) kept.add(new LogLine(kept.size() + 1, line.timestamp(), line.stream(), line.message()));
    }

    @Override
    public synchronized List<LogLine> logs(String runId, long afterSeq, int limit) {
        if (limit < 1) throw new IllegalArgumentException("page limit must be at least 1 (got " + limit + ")");
        return byRun.getOrDefault(runId, List.of()).stream().filter(l -> l.seq() > afterSeq).limit(limit).toList();
    }
}
