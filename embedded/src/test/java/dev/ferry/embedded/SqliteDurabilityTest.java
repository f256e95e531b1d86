package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Json;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentBuilder;
import dev.ferry.core.pools.PoolType;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.WorkQueues.Message;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.FlowRunBuilder;
import dev.ferry.core.runs.LogLine;
import dev.ferry.core.runs.LogQuota;
import dev.ferry.core.runs.RunWrite;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.SlotChange;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What was acknowledged is in the files on disk, whatever happens to the process afterwards. */
class SqliteDurabilityTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void acknowledgedWrites_survive_whenTheProcessDiesWithoutClosingTheDatabase() throws Exception {
        // given a server that wrote and never closed (no checkpoint, no WAL cleanup)
        Path live = dir.resolve("live/ferry.db");
        Database db = Database.open(live);
        WorkPool pool = pool();
        WorkQueue queue = new WorkQueue("q-1", pool.id(), pool.name(), "default", null, 1, null, false, null, T0, T0, 1);
        new SqlitePools(db).createPool(pool, queue);
        Deployment deployment = deployment(pool);
        new SqliteDeployments(db).createDeployment(deployment);
        SqliteRuns runs = new SqliteRuns(db);
        FlowRun run = runs.createRun(run(pool, queue, deployment));
        FlowRun claimed = run.claimedBy("worker-1").entering(State.of(StateType.PENDING, T0), T0);
        Slot slot = Slot.pool(pool.id(), 1);
        assertThat(runs.writeRun(claimed, run.version(), new SlotChange.Acquire(List.of(slot))))
                .isInstanceOf(RunWrite.Applied.class);
        new SqliteRunLogs(db).appendLogs(run.id(), List.of(new LogLine(0, T0, "stdout", "hello")), LogQuota.DEFAULT);
        new SqliteWorkQueues(db, Clock.SYSTEM).send(queue.id(), "run-2", T0);

        // when the machine is left with exactly the files on disk at this moment, as after kill -9
        Path crashed = dir.resolve("crashed/ferry.db");
        Files.createDirectories(crashed.getParent());
        Files.copy(live, crashed);
        Path wal = live.resolveSibling("ferry.db-wal");
        if (Files.exists(wal)) Files.copy(wal, crashed.resolveSibling("ferry.db-wal"));

        // then a new server on those files finds everything
        try (Database reopened = Database.open(crashed)) {
            SqlitePools pools = new SqlitePools(reopened);
            assertThat(pools.pool(pool.name())).contains(pool);
            assertThat(pools.queues(pool.id())).containsExactly(queue);
            assertThat(new SqliteDeployments(reopened).deployment(deployment.id())).contains(deployment);
            SqliteRuns again = new SqliteRuns(reopened);
            assertThat(again.run(run.id())).contains(claimed);
            assertThat(again.slotsInUse(slot.key())).isEqualTo(1);
            assertThat(new SqliteRunLogs(reopened).logs(run.id(), 0, 10).lines()).extracting(LogLine::message).containsExactly("hello");
            List<Message> messages = new SqliteWorkQueues(reopened, Clock.SYSTEM).receive(queue.id(), 10, Duration.ofSeconds(30));
            assertThat(messages).extracting(Message::runId).containsExactly("run-2");
        } finally {
            db.close();
        }
    }

    @Test
    void data_survives_anOrderlyCloseAndReopen() {
        Path file = dir.resolve("ferry.db");
        WorkPool pool = pool();
        try (Database db = Database.open(file)) {
            new SqlitePools(db).createPool(pool,
                    new WorkQueue("q-1", pool.id(), pool.name(), "default", null, 1, null, false, null, T0, T0, 1));
        }

        try (Database db = Database.open(file)) {
            assertThat(new SqlitePools(db).pool(pool.name())).contains(pool);
            int versions = db.read("counting schema versions",
                    c -> Database.query(c, "SELECT COUNT(*) FROM schema_version", rs -> rs.getInt(1)).get(0));
            assertThat(versions).isEqualTo(1);
        }
    }

    @Test
    void everyConnection_usesWal_andSyncsEveryCommit() {
        try (Database db = Database.open(dir.resolve("ferry.db"))) {
            String mode = db.read("reading journal mode", c -> Database.query(c, "PRAGMA journal_mode", rs -> rs.getString(1)).get(0));
            int sync = db.read("reading synchronous", c -> Database.query(c, "PRAGMA synchronous", rs -> rs.getInt(1)).get(0));
            int fk = db.read("reading foreign_keys", c -> Database.query(c, "PRAGMA foreign_keys", rs -> rs.getInt(1)).get(0));
            int fkOnWriter = db.write("reading foreign_keys", c -> Database.query(c, "PRAGMA foreign_keys", rs -> rs.getInt(1)).get(0));

            assertThat(mode).isEqualToIgnoringCase("wal");
            assertThat(sync).as("synchronous=FULL").isEqualTo(2);
            assertThat(fk).isEqualTo(1);
            assertThat(fkOnWriter).isEqualTo(1);
        }
    }

    @Test
    void open_migratesAFileFromBeforeRevisions_whoseRecordsReadAsRevisionZeroAndUpdateConditionally() throws Exception {
        Path file = dir.resolve("ferry.db");
        WorkPool pool = pool();
        String oldDoc = Json.string(pool).replace(",\"revision\":1", "");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             java.sql.Statement s = c.createStatement()) {
            // the first schema's tables as a Ferry from before revisions made them
            s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_version (version) VALUES (1)");
            s.execute("CREATE TABLE work_pools (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)");
            s.execute("CREATE TABLE work_queues (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL REFERENCES work_pools(id) "
                    + "ON DELETE CASCADE, name TEXT NOT NULL, priority INTEGER NOT NULL, doc TEXT NOT NULL, UNIQUE (pool_id, name))");
            s.execute("CREATE TABLE deployments (id TEXT PRIMARY KEY, flow_name TEXT NOT NULL, name TEXT NOT NULL, "
                    + "work_pool_name TEXT, doc TEXT NOT NULL, UNIQUE (flow_name, name))");
            s.execute("INSERT INTO work_pools (id, name, doc) VALUES ('pool-1', 'my-pool', '" + oldDoc + "')");
        }

        try (Database db = Database.open(file)) {
            SqlitePools store = new SqlitePools(db);
            WorkPool old = store.pool("my-pool").orElseThrow();
            assertThat(old.revision()).isZero();
            assertThat(store.updatePool(old.withPaused(true, T0.plusSeconds(1))))
                    .isEqualTo(new dev.ferry.core.common.Write.Applied<>(old.withPaused(true, T0.plusSeconds(1)).withRevision(1)));
            assertThat(store.updatePool(old.withPaused(false, T0.plusSeconds(2))))
                    .as("a write from before the first update is stale").isInstanceOf(dev.ferry.core.common.Write.Stale.class);
            int version = db.read("reading the schema version",
                    c -> Database.query(c, "SELECT version FROM schema_version", rs -> rs.getInt(1)).get(0));
            assertThat(version).isEqualTo(Database.SCHEMA_VERSION);
        }
    }

    @Test
    void open_migratesAVersion3File_whosePausedDeploymentsAreFoundWhenTheirPauseEnds() throws Exception {
        Path file = dir.resolve("ferry.db");
        Instant resume = T0.plusSeconds(3600);
        dev.ferry.core.deployments.Deployment paused = dev.ferry.core.testing.Fixtures.deployment("etl", "nightly", "pool-a")
                .paused("upgrade", "ops", resume, T0);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             java.sql.Statement s = c.createStatement()) {
            // the tables as version 3 made them: no heal_at, no due
            s.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_version (version) VALUES (3)");
            s.execute("CREATE TABLE deployments (id TEXT PRIMARY KEY, flow_name TEXT NOT NULL, name TEXT NOT NULL, "
                    + "work_pool_name TEXT, revision INTEGER NOT NULL, doc TEXT NOT NULL, UNIQUE (flow_name, name))");
            s.execute("CREATE TABLE named_values (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            s.execute("INSERT INTO named_values (key, value) VALUES ('schedule-cursor/" + paused.id() + "/hourly', '" + T0 + "')");
            try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO deployments VALUES (?, 'etl', 'nightly', 'pool-a', 1, ?)")) {
                ps.setString(1, paused.id());
                ps.setString(2, dev.ferry.core.common.Documents.write(paused));
                ps.executeUpdate();
            }
        }

        try (Database db = Database.open(file)) {
            SqliteDeployments deployments = new SqliteDeployments(db);
            assertThat(deployments.toHeal(T0, resume, 10, null).items()).extracting(d -> d.id()).containsExactly(paused.id());
            SqliteScheduleCursors cursors = new SqliteScheduleCursors(db);
            assertThat(cursors.cursor(paused.id(), "hourly")).contains(new dev.ferry.core.scheduler.ScheduleCursors.Cursor(T0, null));
            int version = db.read("reading the schema version",
                    c -> Database.query(c, "SELECT version FROM schema_version", rs -> rs.getInt(1)).get(0));
            assertThat(version).isEqualTo(4);
        }
    }

    @Test
    void open_refusesAFileWrittenByANewerFerry() {
        Path file = dir.resolve("ferry.db");
        try (Database db = Database.open(file)) {
            db.write("pretending to be from the future", c -> Database.update(c, "UPDATE schema_version SET version = 99"));
        }

        assertThatThrownBy(() -> Database.open(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining(file.toString());
    }

    @Test
    void aFailedWrite_leavesNothingBehind() {
        try (Database db = Database.open(dir.resolve("ferry.db"))) {
            assertThatThrownBy(() -> db.write("writing half a change", c -> {
                Database.update(c, "INSERT INTO slots (key, used) VALUES ('pool:x', 1)");
                throw new IllegalStateException("boom");
            })).hasMessage("boom");

            assertThat(new SqliteRuns(db).slotsInUse("pool:x")).isZero();
        }
    }

    @Test
    void aFailingWrite_groupCommittedWithOthers_undoesOnlyItself() throws Exception {
        try (Database db = Database.open(dir.resolve("ferry.db"))) {
            // given the committer busy, so the next writes queue up and go out as one batch
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Writer blocker = Writer.start(() -> db.write("holding the committer", c -> {
                busy.countDown();
                awaitQuietly(release);
                return null;
            }));
            assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
            List<Writer> writes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String key = "deployment:" + i;
                writes.add(Writer.start(() -> db.write("counting " + key,
                        c -> Database.update(c, "INSERT INTO slots (key, used) VALUES (?, 1)", key))));
            }
            Writer failing = Writer.start(() -> db.write("writing half a change", c -> {
                Database.update(c, "INSERT INTO slots (key, used) VALUES ('pool:half', 1)");
                throw new IllegalArgumentException("boom");
            }));
            List<Writer> queued = new ArrayList<>(writes);
            queued.add(failing);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                    queued.stream().allMatch(w -> w.thread.getState() == Thread.State.WAITING));

            // when the committer gets to them
            release.countDown();

            // then the good writes are all there and the failed one left nothing
            assertThat(blocker.outcome()).isNull();
            for (Writer w : writes) assertThat(w.outcome()).isNull();
            assertThat(failing.outcome()).hasMessage("boom");
            SqliteRuns store = new SqliteRuns(db);
            for (int i = 0; i < 4; i++) assertThat(store.slotsInUse("deployment:" + i)).isEqualTo(1);
            assertThat(store.slotsInUse("pool:half")).isZero();
        }
    }

    /** A thread doing one write; {@link #outcome()} is what it threw, or null. */
    private record Writer(Thread thread, CompletableFuture<Throwable> result) {
        static Writer start(Runnable write) {
            CompletableFuture<Throwable> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    write.run();
                    result.complete(null);
                } catch (Throwable e) {
                    result.complete(e);
                }
            });
            t.setDaemon(true);
            t.start();
            return new Writer(t, result);
        }

        Throwable outcome() throws Exception {
            return result.get(5, TimeUnit.SECONDS);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aWriteInsideAWrite_isRefused() {
        try (Database db = Database.open(dir.resolve("ferry.db"))) {
            assertThatThrownBy(() -> db.write("outer", c -> db.write("inner", c2 -> 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("nested write while inner");
        }
    }

    @Test
    void aClosedDatabase_refusesWork() {
        Database db = Database.open(dir.resolve("ferry.db"));
        db.close();

        assertThatThrownBy(() -> new SqliteRuns(db).slotsInUse("pool:x")).hasMessageContaining("is closed");
        assertThatThrownBy(() -> new SqliteRunLogs(db).appendLogs("r", List.of(new LogLine(0, T0, "stdout", "x")), LogQuota.DEFAULT))
                .hasMessageContaining("is closed");
    }

    private static WorkPool pool() {
        return new WorkPool("pool-1", "my-pool", PoolType.PROCESS, null, Json.MAPPER.createObjectNode(), 1, false,
                WorkPool.DEFAULT_QUEUE, T0, T0, 1);
    }

    private static Deployment deployment(WorkPool pool) {
        return DeploymentBuilder.builder().id("dep-1").name("nightly").flowName("etl").entrypoint("flows/etl.py:etl")
                .workPoolName(pool.name()).workQueueName("default").parameters(Json.MAPPER.createObjectNode())
                .jobVariables(Json.MAPPER.createObjectNode()).tags(List.of()).schedules(List.of())
                .collisionStrategy(CollisionStrategy.ENQUEUE).pullSteps(List.of()).created(T0).updated(T0).revision(1).build();
    }

    private static FlowRun run(WorkPool pool, WorkQueue queue, Deployment d) {
        State s = State.of(StateType.SCHEDULED, T0);
        return FlowRunBuilder.builder().id("run-1").name("brave-otter").deploymentId(d.id()).flowName(d.flowName())
                .deploymentName(d.name()).workPoolId(pool.id()).workPoolName(pool.name()).workQueueId(queue.id())
                .workQueueName(queue.name()).parameters(Json.MAPPER.createObjectNode()).jobVariables(Json.MAPPER.createObjectNode())
                .state(s).stateHistory(List.of(s)).scheduledStartTime(T0).idempotencyKey("key-1").tags(List.of())
                .version(1).created(T0).updated(T0).build();
    }
}
