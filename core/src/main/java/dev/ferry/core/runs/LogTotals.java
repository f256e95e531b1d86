package dev.ferry.core.runs;

import java.time.Instant;
import java.util.List;

/**
 * What a run's log holds, as its store counts it: the lines and bytes kept, and once the
 * {@link LogQuota} was reached, the lines and bytes dropped since and when the first was.
 */
public record LogTotals(long lines, long bytes, long droppedLines, long droppedBytes, Instant truncatedAt) {
    public static final LogTotals EMPTY = new LogTotals(0, 0, 0, 0, null);

    public boolean truncated() {
        return droppedLines > 0;
    }

    /** These totals after {@code batch} was offered: the first {@code kept} lines stored, the rest dropped. */
    public LogTotals after(List<LogLine> batch, int kept) {
        List<LogLine> stored = batch.subList(0, kept);
        List<LogLine> dropped = batch.subList(kept, batch.size());
        Instant at = truncatedAt != null || dropped.isEmpty() ? truncatedAt : dropped.get(0).timestamp();
        return new LogTotals(lines + kept, bytes + LogQuota.size(stored), droppedLines + dropped.size(),
                droppedBytes + LogQuota.size(dropped), at);
    }

    /**
     * The line a truncated log ends with, numbered {@code seq} (one past the last stored line), on the
     * worker's stream: Ferry says it, not the flow.
     */
    public LogLine marker(long seq) {
        return new LogLine(seq, truncatedAt, LogLine.WORKER, "[ferry] this run's log reached its quota and was truncated here; "
                + droppedLines + " more line" + (droppedLines == 1 ? "" : "s") + " (" + droppedBytes + " bytes) were dropped");
    }
}
