package dev.ferry.embedded;

import static dev.ferry.embedded.Columns.document;
import static dev.ferry.embedded.Columns.instant;
import static dev.ferry.embedded.Columns.nanos;
import static dev.ferry.embedded.Database.one;
import static dev.ferry.embedded.Database.query;
import static dev.ferry.embedded.Database.update;
import static dev.ferry.embedded.Revisions.revised;

import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Write;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link PoolStore} in the embedded database. Each record is kept whole as its JSON document in
 * {@code doc}; the other columns are copies of the fields that queries filter, order or join on.
 */
public final class SqlitePools implements PoolStore {
    /** The columns {@link #queue} reads: the document with its revision, and the last poll kept beside it. */
    private static final String QUEUE = "doc, revision, last_polled";

    private final Database db;

    public SqlitePools(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public boolean createPool(WorkPool pool, WorkQueue defaultQueue) {
        if (!Objects.equals(defaultQueue.poolId(), pool.id())) {
            throw new IllegalArgumentException("default queue " + defaultQueue.id() + " belongs to pool "
                    + defaultQueue.poolId() + ", not to the new pool " + pool.id());
        }
        return db.write("creating work pool '" + pool.name() + "'", c -> {
            int inserted = update(c, """
                    INSERT INTO work_pools (id, name, revision, doc) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO NOTHING""", pool.id(), pool.name(), pool.revision(), Documents.write(pool));
            if (inserted == 0) return false;
            insertQueue(c, defaultQueue);
            return true;
        });
    }

    @Override
    public Optional<WorkPool> pool(String name) {
        return db.read("reading work pool '" + name + "'",
                c -> one(c, "SELECT doc, revision FROM work_pools WHERE name = ?", rs -> revised(rs, WorkPool.class), name));
    }

    @Override
    public List<WorkPool> pools() {
        return db.read("listing work pools",
                c -> query(c, "SELECT doc, revision FROM work_pools ORDER BY name", rs -> revised(rs, WorkPool.class)));
    }

    @Override
    public Write<WorkPool> updatePool(WorkPool next) {
        WorkPool stored = next.withRevision(next.revision() + 1);
        // names are identity (the API renames nothing): the row is found by id and revision alone
        return Revisions.write(db, "updating work pool '" + next.name() + "'", c -> stored,
                c -> one(c, "SELECT doc, revision FROM work_pools WHERE id = ?", rs -> revised(rs, WorkPool.class),
                        next.id()).orElse(null),
                "UPDATE work_pools SET revision = ?, doc = ? WHERE id = ? AND revision = ?",
                stored.revision(), Documents.write(stored), next.id(), next.revision());
    }

    @Override
    public void deletePool(String poolId) {
        // queues and workers go with it through ON DELETE CASCADE
        db.write("deleting work pool " + poolId, c -> update(c, "DELETE FROM work_pools WHERE id = ?", poolId));
    }

    @Override
    public boolean createQueue(WorkQueue queue) {
        return db.write("creating work queue '" + queue.name() + "' in pool " + queue.poolId(),
                c -> insertQueue(c, queue) == 1);
    }

    @Override
    public Optional<WorkQueue> queue(String poolId, String name) {
        return db.read("reading work queue '" + name + "' of pool " + poolId,
                c -> one(c, "SELECT " + QUEUE + " FROM work_queues WHERE pool_id = ? AND name = ?", SqlitePools::queue,
                        poolId, name));
    }

    @Override
    public List<WorkQueue> queues(String poolId) {
        return db.read("listing work queues of pool " + poolId,
                c -> query(c, "SELECT " + QUEUE + " FROM work_queues WHERE pool_id = ? ORDER BY priority, name",
                        SqlitePools::queue, poolId));
    }

    @Override
    public Write<WorkQueue> updateQueue(WorkQueue next) {
        WorkQueue written = next.withRevision(next.revision() + 1);
        // read back: the last poll is the polls' own column, which this write leaves alone
        return Revisions.write(db, "updating work queue " + next.id(), c -> readQueue(c, next.id()).orElseThrow(),
                c -> readQueue(c, next.id()).orElse(null),
                "UPDATE work_queues SET priority = ?, revision = ?, doc = ? WHERE id = ? AND revision = ?",
                written.priority(), written.revision(), Documents.write(written), next.id(), next.revision());
    }

    @Override
    public void deleteQueue(String queueId) {
        db.write("deleting work queue " + queueId, c -> update(c, "DELETE FROM work_queues WHERE id = ?", queueId));
    }

    @Override
    public void markPolled(List<String> queueIds, Instant at) {
        if (queueIds.isEmpty()) return;
        db.write("recording a poll of work queues " + queueIds, c -> {
            // a queue deleted meanwhile has no row left to mark
            for (String id : queueIds) update(c, "UPDATE work_queues SET last_polled = ? WHERE id = ?", nanos(at), id);
            return null;
        });
    }

    @Override
    public void saveWorker(Worker worker) {
        // A heartbeat racing the deletion of its pool is dropped rather than failing on the foreign key.
        db.write("saving worker '" + worker.name() + "' of pool " + worker.poolId(),
                c -> update(c, """
                        INSERT INTO workers (pool_id, name, doc)
                        SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM work_pools WHERE id = ?)
                        ON CONFLICT (pool_id, name) DO UPDATE SET doc = excluded.doc""",
                        worker.poolId(), worker.name(), Documents.write(worker), worker.poolId()));
    }

    @Override
    public List<Worker> workers(String poolId) {
        return db.read("listing workers of pool " + poolId,
                c -> query(c, "SELECT doc FROM workers WHERE pool_id = ? ORDER BY name",
                        rs -> document(rs.getString(1), Worker.class), poolId));
    }

    private static int insertQueue(Connection c, WorkQueue queue) throws SQLException {
        return update(c, """
                INSERT INTO work_queues (id, pool_id, name, priority, revision, last_polled, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (pool_id, name) DO NOTHING""",
                queue.id(), queue.poolId(), queue.name(), queue.priority(), queue.revision(),
                queue.lastPolled() == null ? null : nanos(queue.lastPolled()), Documents.write(queue));
    }

    private static Optional<WorkQueue> readQueue(Connection c, String id) throws SQLException {
        return one(c, "SELECT " + QUEUE + " FROM work_queues WHERE id = ?", SqlitePools::queue, id);
    }

    private static WorkQueue queue(ResultSet rs) throws SQLException {
        WorkQueue doc = revised(rs, WorkQueue.class);
        long polled = rs.getLong(3);
        return doc.polledAt(rs.wasNull() ? null : instant(polled));
    }
}
