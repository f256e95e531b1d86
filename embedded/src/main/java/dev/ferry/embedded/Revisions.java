package dev.ferry.embedded;

import static dev.ferry.embedded.Database.update;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Write;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Records kept by revision (pools, queues, deployments): how their rows are read, and the one
 * shape of their conditional writes.
 */
final class Revisions {
    private Revisions() {}

    /** What a write reads in its own transaction: the record to answer with, null when there is none. */
    @FunctionalInterface
    interface Read<T> {
        T in(Connection c) throws SQLException;
    }

    /**
     * Runs {@code sql}, whose condition names the revision the write was based on. One row changed:
     * it landed, and the answer is {@code applied}. None: another write landed first (or the record
     * is gone), nothing changed, and the answer is what is stored now.
     */
    static <T> Write<T> write(Database db, String what, Read<T> applied, Read<T> current, String sql, Object... args) {
        return db.write(what, c -> update(c, sql, args) == 1
                ? new Write.Applied<>(applied.in(c))
                : new Write.Stale<>(current.in(c)));
    }

    /**
     * The document in column 1 with the revision in column 2: the column is the revision's truth
     * (conditions compare it), and documents written before revisions existed have none.
     */
    static <T> T revised(ResultSet rs, Class<T> type) throws SQLException {
        try {
            return Documents.readRevised(rs.getString(1), rs.getLong(2), type);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " cannot be read back (" + e.getMessage()
                    + "); was the database written by another Ferry version?", e);
        }
    }
}
