package dev.ferry.embedded;

import static dev.ferry.embedded.Columns.document;
import static dev.ferry.embedded.Database.query;

import dev.ferry.core.common.Documents;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.LogQuota;
import dev.ferry.core.runs.LogSlice;
import dev.ferry.core.runs.LogTotals;
import dev.ferry.core.runs.RunLogs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@link RunLogs} in the embedded database: lines numbered per run, and the run's totals against
 * its quota, written together inside the append's own transaction.
 */
public final class SqliteRunLogs implements RunLogs {
    private final Database db;

    public SqliteRunLogs(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** A run's totals and the seq of its last stored line. */
    private record Held(long lastSeq, LogTotals totals) {}

    @Override
    public void appendLogs(String runId, List<LogLine> lines, LogQuota quota) {
        if (lines.isEmpty()) return;
        db.write("appending " + lines.size() + " log lines to flow run " + runId, c -> {
            Held held = held(c, runId, true);
            int fit = quota.fitting(held.totals(), lines);
            long seq = held.lastSeq();
            if (fit > 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO run_logs (run_id, seq, doc) VALUES (?, ?, ?)")) {
                    for (LogLine line : lines.subList(0, fit)) {
                        seq++;
                        LogLine stored = new LogLine(seq, line.timestamp(), line.stream(), line.message());
                        Database.bind(ps, runId, seq, Documents.write(stored));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            LogTotals after = held.totals().after(lines, fit);
            Database.update(c, """
                    INSERT INTO run_log_totals (run_id, last_seq, lines, bytes, dropped_lines, dropped_bytes, truncated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (run_id) DO UPDATE SET last_seq = excluded.last_seq, lines = excluded.lines,
                        bytes = excluded.bytes, dropped_lines = excluded.dropped_lines,
                        dropped_bytes = excluded.dropped_bytes, truncated_at = excluded.truncated_at""",
                    runId, seq, after.lines(), after.bytes(), after.droppedLines(), after.droppedBytes(),
                    after.truncatedAt() == null ? null : after.truncatedAt().toString());
            return null;
        });
    }

    @Override
    public LogSlice logs(String runId, long afterSeq, int limit) {
        Pages.checkLimit(limit);
        return db.read("reading logs of flow run " + runId, c -> {
            // The totals first, then no line past them: a marker never lands before a line that was not read yet.
            Held held = held(c, runId, false);
            List<LogLine> lines = query(c, "SELECT doc FROM run_logs WHERE run_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                    rs -> document(rs.getString(1), LogLine.class), runId, afterSeq, held.lastSeq(), limit);
            return LogSlice.of(lines, held.totals(), held.lastSeq(), afterSeq, limit);
        });
    }

    /** With {@code counting}, a log from before totals were kept has its lines and bytes counted; else only its last seq is read. */
    private static Held held(Connection c, String runId, boolean counting) throws SQLException {
        List<Held> stored = query(c, "SELECT last_seq, lines, bytes, dropped_lines, dropped_bytes, truncated_at "
                        + "FROM run_log_totals WHERE run_id = ?",
                rs -> new Held(rs.getLong(1), new LogTotals(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getString(6) == null ? null : Instant.parse(rs.getString(6)))), runId);
        if (!stored.isEmpty()) return stored.get(0);
        if (!counting) {
            return new Held(query(c, "SELECT COALESCE(MAX(seq), 0) FROM run_logs WHERE run_id = ?", rs -> rs.getLong(1), runId).get(0),
                    LogTotals.EMPTY);
        }
        // A log written before totals were kept: count what it holds.
        return query(c, "SELECT COALESCE(MAX(seq), 0), COUNT(*), "
                        + "COALESCE(SUM(length(CAST(json_extract(doc, '$.message') AS BLOB))), 0) FROM run_logs WHERE run_id = ?",
                rs -> new Held(rs.getLong(1), new LogTotals(rs.getLong(2), rs.getLong(3), 0, 0, null)), runId).get(0);
    }
}
