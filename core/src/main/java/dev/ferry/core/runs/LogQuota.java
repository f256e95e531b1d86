package dev.ferry.core.runs;

import dev.ferry.core.common.Utf8;
import java.util.List;

/**
 * How much of one run's log is kept: at most {@code lines} lines and {@code bytes} bytes of
 * messages (UTF-8). Lines past either are dropped, and so is every line after them, so the log
 * keeps its beginning whole and ends with one {@link LogTotals#marker marker line}.
 */
public record LogQuota(long lines, long bytes) {
    public static final long DEFAULT_LINES = 100_000;
    public static final long DEFAULT_BYTES = 10L * 1024 * 1024;
    public static final LogQuota DEFAULT = new LogQuota(DEFAULT_LINES, DEFAULT_BYTES);

    public LogQuota {
        if (lines < 1 || bytes < 1) throw new IllegalArgumentException("a log quota must be positive (got " + lines + " lines, "
                + bytes + " bytes)");
    }

    /** How many of {@code batch}, from its first line, fit after a log that holds {@code kept}; 0 once it was truncated. */
    public int fitting(LogTotals kept, List<LogLine> batch) {
        if (kept.truncated()) return 0;
        long lineCount = kept.lines();
        long byteCount = kept.bytes();
        int fit = 0;
        for (LogLine line : batch) {
            long size = size(line);
            if (lineCount + 1 > lines || byteCount + size > bytes) break;
            lineCount++;
            byteCount += size;
            fit++;
        }
        return fit;
    }

    /** A line's size against the quota: its message's UTF-8 bytes. */
    public static long size(LogLine line) {
        return Utf8.length(line.message());
    }

    public static long size(List<LogLine> lines) {
        long n = 0;
        for (LogLine line : lines) n += size(line);
        return n;
    }
}
