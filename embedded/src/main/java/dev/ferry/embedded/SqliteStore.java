package dev.ferry.embedded;

import static dev.ferry.embedded.Database.one;
import static dev.ferry.embedded.Database.query;
import static dev.ferry.embedded.Database.update;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Store;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Write;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.StateType;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@link Store} on the embedded SQLite file. Each entity is kept whole as its JSON document in
 * {@code doc}; the other columns are copies of the fields that queries filter, order or join on.
 */
public final class SqliteStore implements Store {

    private static final List<String> ACTIVE = StateType.ACTIVE.stream().map(Enum::name).toList();
    private static final String ACTIVE_IN = ACTIVE.stream().map(s -> "?").collect(Collectors.joining(", ", "(", ")"));

    private final Database db;

    public SqliteStore(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    // --- work pools and their queues ---

    @Override
    public boolean createPool(WorkPool pool, WorkQueue defaultQueue) {
        if (!Objects.equals(defaultQueue.poolId(), pool.id())) {
            throw new IllegalArgumentException("default queue " + defaultQueue.id() + " belongs to pool "
                    + defaultQueue.poolId() + ", not to the new pool " + pool.id());
        }
        return db.write("creating work pool '" + pool.name() + "'", c -> {
            int inserted = update(c, """
                    INSERT INTO work_pools (id, name, revision, doc) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO NOTHING""", pool.id(), pool.name(), pool.revision(), Json.string(pool));
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
        String json = Json.string(stored);
        return db.write("updating work pool '" + next.name() + "'", c -> {
            // names are identity (the API renames nothing): the row is found by id and revision alone
            if (update(c, "UPDATE work_pools SET revision = ?, doc = ? WHERE id = ? AND revision = ?",
                    stored.revision(), json, next.id(), next.revision()) == 1) {
                return new Write.Applied<>(stored);
            }
            return new Write.Stale<>(one(c, "SELECT doc, revision FROM work_pools WHERE id = ?",
                    rs -> revised(rs, WorkPool.class), next.id()).orElse(null));
        });
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
                c -> one(c, "SELECT " + QUEUE + " FROM work_queues WHERE pool_id = ? AND name = ?", SqliteStore::queue,
                        poolId, name));
    }

    @Override
    public List<WorkQueue> queues(String poolId) {
        return db.read("listing work queues of pool " + poolId,
                c -> query(c, "SELECT " + QUEUE + " FROM work_queues WHERE pool_id = ? ORDER BY priority, name",
                        SqliteStore::queue, poolId));
    }

    @Override
    public Write<WorkQueue> updateQueue(WorkQueue next) {
        WorkQueue written = next.withRevision(next.revision() + 1);
        String json = Json.string(written);
        return db.write("updating work queue " + next.id(), c -> {
            if (update(c, "UPDATE work_queues SET priority = ?, revision = ?, doc = ? WHERE id = ? AND revision = ?",
                    written.priority(), written.revision(), json, next.id(), next.revision()) == 1) {
                return new Write.Applied<>(readQueue(c, next.id()).orElseThrow());
            }
            return new Write.Stale<>(readQueue(c, next.id()).orElse(null));
        });
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

    // --- workers ---

    @Override
    public void saveWorker(Worker worker) {
        // A heartbeat racing the deletion of its pool is dropped rather than failing on the foreign key.
        db.write("saving worker '" + worker.name() + "' of pool " + worker.poolId(),
                c -> update(c, """
                        INSERT INTO workers (pool_id, name, doc)
                        SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM work_pools WHERE id = ?)
                        ON CONFLICT (pool_id, name) DO UPDATE SET doc = excluded.doc""",
                        worker.poolId(), worker.name(), Json.string(worker), worker.poolId()));
    }

    @Override
    public List<Worker> workers(String poolId) {
        return db.read("listing workers of pool " + poolId,
                c -> query(c, "SELECT doc FROM workers WHERE pool_id = ? ORDER BY name",
                        rs -> parse(rs.getString(1), Worker.class), poolId));
    }

    // --- deployments ---

    @Override
    public boolean createDeployment(Deployment deployment) {
        String json = Json.string(deployment);
        return db.write("creating deployment '" + deployment.fullName() + "'", c -> update(c, """
                INSERT INTO deployments (id, flow_name, name, work_pool_name, revision, doc) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (flow_name, name) DO NOTHING""", deployment.id(), deployment.flowName(), deployment.name(),
                deployment.workPoolName(), deployment.revision(), json) == 1);
    }

    @Override
    public Optional<Deployment> deployment(String id) {
        return db.read("reading deployment " + id, c -> readDeployment(c, id));
    }

    @Override
    public Optional<Deployment> deployment(String flowName, String name) {
        return db.read("reading deployment '" + flowName + "/" + name + "'",
                c -> one(c, "SELECT doc, revision FROM deployments WHERE flow_name = ? AND name = ?",
                        rs -> revised(rs, Deployment.class), flowName, name));
    }

    @Override
    public Page<Deployment> deployments(String workPoolName, int limit, String cursor) {
        checkLimit(limit);
        StringBuilder sql = new StringBuilder("SELECT doc, revision FROM deployments WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (workPoolName != null) {
            sql.append(" AND work_pool_name = ?");
            args.add(workPoolName);
        }
        if (cursor != null) {
            JsonNode after = Cursor.decode(cursor, Cursor.DEPLOYMENTS);
            sql.append(" AND (flow_name, name) > (?, ?)");
            args.add(after.get(1).asText());
            args.add(after.get(2).asText());
        }
        sql.append(" ORDER BY flow_name, name LIMIT ?");
        args.add(limit + 1);
        List<Deployment> found = db.read("listing deployments",
                c -> query(c, sql.toString(), rs -> revised(rs, Deployment.class), args.toArray()));
        return page(found, limit, last -> Cursor.encode(Cursor.DEPLOYMENTS, last.flowName(), last.name()));
    }

    @Override
    public Write<Deployment> updateDeployment(Deployment next) {
        Deployment stored = next.withRevision(next.revision() + 1);
        String json = Json.string(stored);
        return db.write("updating deployment " + next.id(), c -> {
            if (update(c, "UPDATE deployments SET work_pool_name = ?, revision = ?, doc = ? WHERE id = ? AND revision = ?",
                    stored.workPoolName(), stored.revision(), json, next.id(), next.revision()) == 1) {
                return new Write.Applied<>(stored);
            }
            return new Write.Stale<>(readDeployment(c, next.id()).orElse(null));
        });
    }

    @Override
    public Write<Deployment> deleteDeployment(Deployment seen) {
        return db.write("deleting deployment " + seen.id(), c -> {
            if (update(c, "DELETE FROM deployments WHERE id = ? AND revision = ?", seen.id(), seen.revision()) == 1) {
                return new Write.Applied<>(seen);
            }
            return new Write.Stale<>(readDeployment(c, seen.id()).orElse(null));
        });
    }

    // --- flow runs ---

    @Override
    public FlowRun createRun(FlowRun run) {
        long created = nanos(Objects.requireNonNull(run.created(), "run.created"));
        String json = Json.string(run); // outside the write: the committer's time is everyone's
        return db.write("creating flow run " + run.id(), c -> {
            if (run.idempotencyKey() != null) {
                Optional<FlowRun> existing = one(c,
                        "SELECT doc FROM flow_runs WHERE deployment_id = ? AND idempotency_key = ?",
                        rs -> parse(rs.getString(1), FlowRun.class), run.deploymentId(), run.idempotencyKey());
                if (existing.isPresent()) return existing.get();
            }
            update(c, """
                    INSERT INTO flow_runs (id, deployment_id, work_pool_id, work_pool_name, work_queue_id,
                        work_queue_name, state_type, idempotency_key, version, created, doc)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    run.id(), run.deploymentId(), run.workPoolId(), run.workPoolName(), run.workQueueId(),
                    run.workQueueName(), run.stateType().name(), run.idempotencyKey(), run.version(), created, json);
            return run;
        });
    }

    @Override
    public Optional<FlowRun> run(String id) {
        return db.read("reading flow run " + id, c -> readRun(c, id));
    }

    @Override
    public Page<FlowRun> runs(RunFilter filter, int limit, String cursor) {
        checkLimit(limit);
        RunFilter f = filter == null ? RunFilter.ALL : filter;
        StringBuilder sql = new StringBuilder("SELECT doc FROM flow_runs WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (f.states() != null && !f.states().isEmpty()) {
            sql.append(" AND state_type IN ")
                    .append(f.states().stream().map(s -> "?").collect(Collectors.joining(", ", "(", ")")));
            f.states().forEach(s -> args.add(s.name()));
        }
        if (f.deploymentId() != null) {
            sql.append(" AND deployment_id = ?");
            args.add(f.deploymentId());
        }
        if (f.workPoolName() != null) {
            sql.append(" AND work_pool_name = ?");
            args.add(f.workPoolName());
        }
        if (f.workQueueName() != null) {
            sql.append(" AND work_queue_name = ?");
            args.add(f.workQueueName());
        }
        if (cursor != null) {
            JsonNode after = Cursor.decode(cursor, Cursor.RUNS);
            sql.append(" AND (created, id) < (?, ?)");
            args.add(after.get(1).asLong());
            args.add(after.get(2).asText());
        }
        sql.append(" ORDER BY created DESC, id DESC LIMIT ?");
        args.add(limit + 1);
        List<FlowRun> found = db.read("listing flow runs",
                c -> query(c, sql.toString(), rs -> parse(rs.getString(1), FlowRun.class), args.toArray()));
        return page(found, limit, last -> Cursor.encode(Cursor.RUNS, nanos(last.created()), last.id()));
    }

    @Override
    public int activeRuns(String poolId, String queueId) {
        List<Object> args = new ArrayList<>(ACTIVE);
        String sql;
        if (queueId == null) {
            sql = "SELECT COUNT(*) FROM flow_runs WHERE state_type IN " + ACTIVE_IN + " AND work_pool_id = ?";
            args.add(poolId);
        } else {
            sql = "SELECT COUNT(*) FROM flow_runs WHERE state_type IN " + ACTIVE_IN + " AND work_queue_id = ?";
            args.add(queueId);
        }
        return db.read("counting active runs of pool " + poolId + (queueId == null ? "" : " queue " + queueId),
                c -> query(c, sql, rs -> rs.getInt(1), args.toArray()).get(0));
    }

    @Override
    public RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots) {
        Objects.requireNonNull(slots, "slots");
        String json = Json.string(next);
        return db.write("writing flow run " + next.id() + " at version " + expectedVersion, c -> {
            // Everything is checked before anything is written, so a refusal needs no rollback.
            Optional<Long> stored = one(c, "SELECT version FROM flow_runs WHERE id = ?", rs -> rs.getLong(1), next.id());
            if (stored.isEmpty() || stored.get() != expectedVersion) {
                return new RunWrite.Stale(readRun(c, next.id()).orElse(null));
            }
            if (slots instanceof SlotChange.Acquire acquire) {
                for (Slot slot : acquire.slots()) {
                    if (slot.limit() != null && used(c, slot.key()) >= slot.limit()) {
                        return new RunWrite.LimitReached(slot.key());
                    }
                }
                for (Slot slot : acquire.slots()) {
                    update(c, "INSERT INTO slots (key, used) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET used = used + 1",
                            slot.key());
                }
            } else if (slots instanceof SlotChange.Release release) {
                for (Slot slot : release.slots()) {
                    update(c, "UPDATE slots SET used = MAX(used - 1, 0) WHERE key = ?", slot.key());
                }
            }
            update(c, """
                    UPDATE flow_runs SET deployment_id = ?, work_pool_id = ?, work_pool_name = ?, work_queue_id = ?,
                        work_queue_name = ?, state_type = ?, idempotency_key = ?, version = ?, doc = ?
                    WHERE id = ? AND version = ?""",
                    next.deploymentId(), next.workPoolId(), next.workPoolName(), next.workQueueId(),
                    next.workQueueName(), next.stateType().name(), next.idempotencyKey(), next.version(), json,
                    next.id(), expectedVersion);
            return new RunWrite.Applied(next);
        });
    }

    @Override
    public int slotsInUse(String slotKey) {
        return db.read("reading slot counter " + slotKey, c -> used(c, slotKey));
    }

    // --- logs ---

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
                    Database.bind(ps, runId, seq, Json.string(stored));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<LogLine> logs(String runId, long afterSeq, int limit) {
        checkLimit(limit);
        return db.read("reading logs of flow run " + runId,
                c -> query(c, "SELECT doc FROM run_logs WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                        rs -> parse(rs.getString(1), LogLine.class), runId, afterSeq, limit));
    }

    // --- schedule cursors and task-definition ARNs: small named values, under the keys of old ---

    private static final String CURSOR = "schedule-cursor/";
    private static final String TASK_DEFINITION = "ecs:task-definition:";

    @Override
    public Optional<Instant> cursor(String deploymentId, String slug) {
        return value(CURSOR + deploymentId + "/" + slug).map(Instant::parse);
    }

    @Override
    public void putCursor(String deploymentId, String slug, Instant handled) {
        putValue(CURSOR + deploymentId + "/" + slug, handled.toString());
    }

    @Override
    public void deleteCursor(String deploymentId, String slug) {
        deleteValue(CURSOR + deploymentId + "/" + slug);
    }

    @Override
    public Optional<String> taskDefinition(String contentHash) {
        return value(TASK_DEFINITION + contentHash);
    }

    @Override
    public void rememberTaskDefinition(String contentHash, String arn) {
        putValue(TASK_DEFINITION + contentHash, arn);
    }

    @Override
    public void forgetTaskDefinition(String contentHash) {
        deleteValue(TASK_DEFINITION + contentHash);
    }

    private Optional<String> value(String key) {
        return db.read("reading value " + key, c -> one(c, "SELECT value FROM named_values WHERE key = ?",
                rs -> rs.getString(1), key));
    }

    private void putValue(String key, String value) {
        db.write("writing value " + key, c -> update(c, """
                INSERT INTO named_values (key, value) VALUES (?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value""", key, value));
    }

    private void deleteValue(String key) {
        db.write("deleting value " + key, c -> update(c, "DELETE FROM named_values WHERE key = ?", key));
    }

    // --- helpers ---

    private static int insertQueue(Connection c, WorkQueue queue) throws SQLException {
        return update(c, """
                INSERT INTO work_queues (id, pool_id, name, priority, revision, last_polled, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (pool_id, name) DO NOTHING""",
                queue.id(), queue.poolId(), queue.name(), queue.priority(), queue.revision(),
                queue.lastPolled() == null ? null : nanos(queue.lastPolled()), Json.string(queue));
    }

    /** The columns {@link #queue} reads: the document with its revision, and the last poll kept beside it. */
    private static final String QUEUE = "doc, revision, last_polled";

    private static WorkQueue queue(ResultSet rs) throws SQLException {
        WorkQueue doc = revised(rs, WorkQueue.class);
        long polled = rs.getLong(3);
        return doc.polledAt(rs.wasNull() ? null : instant(polled));
    }

    /**
     * The document in column 1 with the revision in column 2: the column is the revision's truth
     * (conditions compare it), and documents written before revisions existed have none.
     */
    private static <T> T revised(ResultSet rs, Class<T> type) throws SQLException {
        try {
            return Json.readRevised(rs.getString(1), rs.getLong(2), type);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " cannot be read back (" + e.getMessage()
                    + "); was the database written by another Ferry version?", e);
        }
    }

    private static Optional<WorkQueue> readQueue(Connection c, String id) throws SQLException {
        return one(c, "SELECT " + QUEUE + " FROM work_queues WHERE id = ?", SqliteStore::queue, id);
    }

    private static Optional<Deployment> readDeployment(Connection c, String id) throws SQLException {
        return one(c, "SELECT doc, revision FROM deployments WHERE id = ?", rs -> revised(rs, Deployment.class), id);
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static Optional<FlowRun> readRun(Connection c, String id) throws SQLException {
        return one(c, "SELECT doc FROM flow_runs WHERE id = ?", rs -> parse(rs.getString(1), FlowRun.class), id);
    }

    private static int used(Connection c, String key) throws SQLException {
        return one(c, "SELECT used FROM slots WHERE key = ?", rs -> rs.getInt(1), key).orElse(0);
    }

    private static void checkLimit(int limit) {
        if (limit < 1) throw new IllegalArgumentException("page limit must be at least 1 (got " + limit + ")");
    }

    private static <T> Page<T> page(List<T> found, int limit, java.util.function.Function<T, String> cursorOf) {
        if (found.size() <= limit) return new Page<>(Collections.unmodifiableList(found), null);
        List<T> items = List.copyOf(found.subList(0, limit));
        return new Page<>(items, cursorOf.apply(items.get(limit - 1)));
    }

    /** Epoch nanoseconds, which sort as the instants do (valid until the year 2262). */
    static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private static <T> T parse(String doc, Class<T> type) {
        try {
            return Json.MAPPER.readValue(doc, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " cannot be read back ("
                    + e.getOriginalMessage() + "); was the database written by another Ferry version?", e);
        }
    }

    /**
     * Page cursors: URL-safe base64 of a JSON array {@code [list, sort key...]}. The list tag makes a
     * cursor from one list useless on another instead of silently skipping rows.
     */
    private static final class Cursor {
        static final String DEPLOYMENTS = "deployments";
        static final String RUNS = "flow_runs";

        static String encode(String list, Object... key) {
            List<Object> parts = new ArrayList<>();
            parts.add(list);
            parts.addAll(Arrays.asList(key));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(parts));
        }

        static JsonNode decode(String cursor, String list) {
            try {
                JsonNode node = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
                if (node != null && node.isArray() && node.size() == 3 && list.equals(node.get(0).asText())
                        && (list.equals(RUNS) ? node.get(1).isIntegralNumber() : node.get(1).isTextual())
                        && node.get(2).isTextual()) {
                    return node;
                }
            } catch (IllegalArgumentException | JsonProcessingException e) {
                // fall through to the caller-facing error
            }
            throw BadInput.invalid("next", "'next' is not a cursor of this list; pass the 'next' value of the previous "
                    + "page, or leave it out for the first page");
        }
    }
}
