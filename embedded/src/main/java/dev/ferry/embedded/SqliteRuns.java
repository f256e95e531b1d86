package dev.ferry.embedded;

import static dev.ferry.embedded.Columns.document;
import static dev.ferry.embedded.Columns.nanos;
import static dev.ferry.embedded.Database.one;
import static dev.ferry.embedded.Database.query;
import static dev.ferry.embedded.Database.update;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Page;
import dev.ferry.core.events.Event;
import dev.ferry.core.runs.ActivityWindow;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.RunActivity;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.StateType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@link RunStore} in the embedded database: runs as documents with the fields filters use beside
 * them, and the concurrency counters in {@code slots} and the state's event (a row of
 * {@link SqliteEvents}) written in the run's own transaction.
 */
public final class SqliteRuns implements RunStore {
    private static final List<String> ACTIVE = StateType.ACTIVE.stream().map(Enum::name).toList();
    private static final String ACTIVE_IN = ACTIVE.stream().map(s -> "?").collect(Collectors.joining(", ", "(", ")"));

    private final Database db;

    public SqliteRuns(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public FlowRun createRun(FlowRun run, Event event) {
        long created = nanos(Objects.requireNonNull(run.created(), "run.created"));
        String json = Documents.write(run); // outside the write: the committer's time is everyone's
        String eventDoc = event == null ? null : Documents.write(event);
        return db.write("creating flow run " + run.id(), c -> {
            if (run.idempotencyKey() != null) {
                Optional<FlowRun> existing = one(c,
                        "SELECT doc FROM flow_runs WHERE deployment_id = ? AND idempotency_key = ?",
                        rs -> document(rs.getString(1), FlowRun.class), run.deploymentId(), run.idempotencyKey());
                if (existing.isPresent()) return existing.get();
            }
            update(c, """
                    INSERT INTO flow_runs (id, deployment_id, work_pool_id, work_pool_name, work_queue_id,
                        work_queue_name, state_type, idempotency_key, version, created, due_at, doc)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    run.id(), run.deploymentId(), run.workPoolId(), run.workPoolName(), run.workQueueId(),
                    run.workQueueName(), run.stateType().name(), run.idempotencyKey(), run.version(), created,
                    dueAt(run), json);
            if (event != null) SqliteEvents.insert(c, event, eventDoc);
            return run;
        });
    }

    @Override
    public Optional<FlowRun> run(String id) {
        return db.read("reading flow run " + id, c -> read(c, id));
    }

    @Override
    public Page<FlowRun> runs(RunFilter filter, int limit, String cursor) {
        Pages.checkLimit(limit);
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
            JsonNode after = Pages.after(cursor, Pages.RUNS);
            sql.append(" AND (created, id) < (?, ?)");
            args.add(after.get(1).asLong());
            args.add(after.get(2).asText());
        }
        sql.append(" ORDER BY created DESC, id DESC LIMIT ?");
        args.add(limit + 1);
        List<FlowRun> found = db.read("listing flow runs",
                c -> query(c, sql.toString(), rs -> document(rs.getString(1), FlowRun.class), args.toArray()));
        return Pages.page(found, limit, last -> Pages.cursor(Pages.RUNS, nanos(last.created()), last.id()));
    }

    @Override
    public Page<FlowRun> scheduledDue(Instant after, Instant until, int limit, String cursor) {
        Pages.checkLimit(limit);
        StringBuilder sql = new StringBuilder("SELECT doc FROM flow_runs WHERE due_at > ? AND due_at <= ?");
        List<Object> args = new ArrayList<>(List.of(nanos(after), nanos(until)));
        if (cursor != null) {
            JsonNode from = Pages.after(cursor, Pages.RUNS_DUE);
            sql.append(" AND (due_at, id) > (?, ?)");
            args.add(from.get(1).asLong());
            args.add(from.get(2).asText());
        }
        sql.append(" ORDER BY due_at, id LIMIT ?");
        args.add(limit + 1);
        List<FlowRun> found = db.read("listing scheduled runs due",
                c -> query(c, sql.toString(), rs -> document(rs.getString(1), FlowRun.class), args.toArray()));
        return Pages.page(found, limit, last -> Pages.cursor(Pages.RUNS_DUE, nanos(RunStore.dueAt(last)), last.id()));
    }

    /** Only SCHEDULED runs have one, so the index over it holds only them. */
    static Long dueAt(FlowRun run) {
        return run.stateType() == StateType.SCHEDULED ? nanos(RunStore.dueAt(run)) : null;
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
    public RunWrite writeRun(FlowRun next, long expectedVersion, SlotChange slots, Event event) {
        Objects.requireNonNull(slots, "slots");
        String json = Documents.write(next);
        String eventDoc = event == null ? null : Documents.write(event);
        return db.write("writing flow run " + next.id() + " at version " + expectedVersion, c -> {
            // Everything is checked before anything is written, so a refusal needs no rollback.
            Optional<Long> stored = one(c, "SELECT version FROM flow_runs WHERE id = ?", rs -> rs.getLong(1), next.id());
            if (stored.isEmpty() || stored.get() != expectedVersion) {
                return new RunWrite.Stale(read(c, next.id()).orElse(null));
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
                        work_queue_name = ?, state_type = ?, idempotency_key = ?, version = ?, due_at = ?, doc = ?
                    WHERE id = ? AND version = ?""",
                    next.deploymentId(), next.workPoolId(), next.workPoolName(), next.workQueueId(),
                    next.workQueueName(), next.stateType().name(), next.idempotencyKey(), next.version(), dueAt(next), json,
                    next.id(), expectedVersion);
            // an id stored already is left as it is, and the run written all the same
            if (event != null) SqliteEvents.insert(c, event, eventDoc);
            return new RunWrite.Applied(next);
        });
    }

    @Override
    public int slotsInUse(String slotKey) {
        return db.read("reading slot counter " + slotKey, c -> used(c, slotKey));
    }

    /**
     * The runs read come from the creation-time index of the filter (by deployment, by pool, or all),
     * newest first up to the bound; their expected start is taken from the document to the
     * millisecond (the seconds by strftime, the milliseconds from the fraction's first three digits,
     * so nothing is rounded), and SQLite groups them by bucket and state type.
     */
    @Override
    public RunActivity activity(ActivityWindow window, RunFilter filter) {
        RunFilter f = filter == null ? RunFilter.ALL : filter;
        StringBuilder where = new StringBuilder("created >= ?");
        List<Object> args = new ArrayList<>(List.of(nanos(window.createdFrom())));
        if (f.states() != null && !f.states().isEmpty()) {
            where.append(" AND state_type IN ").append(f.states().stream().map(s -> "?").collect(Collectors.joining(", ", "(", ")")));
            f.states().forEach(s -> args.add(s.name()));
        }
        if (f.deploymentId() != null) {
            where.append(" AND deployment_id = ?");
            args.add(f.deploymentId());
        }
        if (f.workPoolName() != null) {
            where.append(" AND work_pool_name = ?");
            args.add(f.workPoolName());
        }
        if (f.workQueueName() != null) {
            where.append(" AND work_queue_name = ?");
            args.add(f.workQueueName());
        }
        String counted = """
                WITH candidates AS (
                    SELECT state_type, created, json_extract(doc, '$.scheduled_start_time') AS ts FROM flow_runs
                    WHERE %s ORDER BY created DESC, id DESC LIMIT ?),
                expected AS (
                    SELECT state_type, CASE WHEN ts IS NULL THEN created / 1000000
                        ELSE CAST(strftime('%%s', substr(ts, 1, 19)) AS INTEGER) * 1000
                            + CASE WHEN substr(ts, 20, 1) = '.' THEN CAST(substr(rtrim(ts, 'Z') || '000', 21, 3) AS INTEGER)
                                ELSE 0 END
                        END AS ms
                    FROM candidates)
                SELECT (ms - ?) / ?, state_type, COUNT(*) FROM expected WHERE ms >= ? AND ms < ?
                GROUP BY 1, 2""".formatted(where);
        long since = window.since().toEpochMilli();
        List<Object> countArgs = new ArrayList<>(args);
        countArgs.addAll(List.of(window.maxRuns(), since, window.bucket().toMillis(), since, window.until().toEpochMilli()));
        List<Object> beyondArgs = new ArrayList<>(args);
        beyondArgs.add(window.maxRuns());
        return db.read("counting flow-run activity", c -> {
            RunActivity.Tally tally = new RunActivity.Tally(window);
            query(c, counted, rs -> tally.add(rs.getInt(1), StateType.valueOf(rs.getString(2)), rs.getInt(3)),
                    countArgs.toArray());
            boolean truncated = one(c, "SELECT 1 FROM flow_runs WHERE " + where
                    + " ORDER BY created DESC, id DESC LIMIT 1 OFFSET ?", rs -> 1, beyondArgs.toArray()).isPresent();
            return tally.result(truncated);
        });
    }

    private static Optional<FlowRun> read(Connection c, String id) throws SQLException {
        return one(c, "SELECT doc FROM flow_runs WHERE id = ?", rs -> document(rs.getString(1), FlowRun.class), id);
    }

    private static int used(Connection c, String key) throws SQLException {
        return one(c, "SELECT used FROM slots WHERE key = ?", rs -> rs.getInt(1), key).orElse(0);
    }
}
