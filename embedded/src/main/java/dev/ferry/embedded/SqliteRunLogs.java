package dev.ferry.embedded;

import static dev.ferry.embedded.Columns.document;
import static dev.ferry.embedded.Database.query;

import dev.ferry.core.common.Documents;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.RunLogs;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Objects;

/** {@link RunLogs} in the embedded database, numbered per run inside the append's own transaction. */
public final class SqliteRunLogs implements RunLogs {
    private final Database db;

    public SqliteRunLogs(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public void appendLogs(String runId, List<LogLine> lines) {
        if (lines.isEmpty()) return;
        db.write("appending " + lines.size() + " log lines to flow run " + runId, c -> {
            long seq = query(c, "SELECT COALESCE(MAX(seq), 0) FROM run_logs WHERE run_id = ?", rs -> rs.getLong(1), runId)
                    .get(0);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO run_logs (run_id, seq, doc) VALUES (?, ?, ?)")) {
                for (LogLine line : lines) {
                    seq++;
                    LogLine stored = new LogLine(seq, line.timestamp(), line.stream(), line.message());
                    Database.bind(ps, runId, seq, Documents.write(stored));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<LogLine> logs(String runId, long afterSeq, int limit) {
        Pages.checkLimit(limit);
        return db.read("reading logs of flow run " + runId,
                c -> query(c, "SELECT doc FROM run_logs WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                        rs -> document(rs.getString(1), LogLine.class), runId, afterSeq, limit));
    }
}
