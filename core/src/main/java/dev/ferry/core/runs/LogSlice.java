package dev.ferry.core.runs;

import java.util.List;

/**
 * Lines of a run's log as its store reads them, and whether the log was truncated at its quota
 * (its last line, once reached, is then the {@link LogTotals#marker marker}).
 */
public record LogSlice(List<LogLine> lines, boolean truncated) {
    public static final LogSlice EMPTY = new LogSlice(List.of(), false);

    public LogSlice {
        lines = List.copyOf(lines);
    }

    /**
     * The slice a store answers from its stored lines (after {@code afterSeq}, at most {@code limit})
     * and the run's totals: a truncated log's marker follows its last line, numbered {@code lastSeq + 1}.
     */
    public static LogSlice of(List<LogLine> stored, LogTotals totals, long lastSeq, long afterSeq, int limit) {
        if (!totals.truncated()) return new LogSlice(stored, false);
        long markerSeq = lastSeq + 1;
        if (stored.size() >= limit || markerSeq <= afterSeq) return new LogSlice(stored, true);
        List<LogLine> lines = new java.util.ArrayList<>(stored);
        lines.add(totals.marker(markerSeq));
        return new LogSlice(lines, true);
    }
}
