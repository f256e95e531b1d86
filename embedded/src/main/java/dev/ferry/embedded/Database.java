package dev.ferry.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The embedded server's SQLite file: one writer connection owned by a committer thread, and a
 * few reader connections.
 *
 * <p>{@code synchronous=FULL} fsyncs the WAL on every commit, so a write that returned has
 * reached the disk and survives kill -9 and power loss (NORMAL would only survive the former).
 * An fsync costs from 0.1 ms on a server SSD to several ms on a laptop, and SQLite has one
 * writer whatever we do, so one commit per write would cap the server at a few hundred writes
 * a second. Instead writes are group-committed: callers queue their work, the committer runs
 * everything queued in one {@code BEGIN IMMEDIATE} transaction (each job inside its own
 * savepoint, so one failing job undoes only itself) and answers every caller after the single
 * COMMIT. Nobody is answered before their write is durable.
 *
 * <p>IMMEDIATE takes the write lock up front, so a second process on the same file waits on
 * {@code busy_timeout} instead of dead-locking on a read-to-write upgrade. WAL lets readers run
 * beside the writer, so a list request never waits behind a commit's fsync.
 */
public final class Database implements AutoCloseable {

    /** Bump with a migration step in {@link #migrate} whenever the schema changes. */
    static final int SCHEMA_VERSION = 4;

    private static final int READERS = 4;
    private static final int BUSY_TIMEOUT_MS = 10_000;
    /** Bounds how long the last job of a batch waits behind the others. */
    private static final int MAX_BATCH = 256;

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
            """
            CREATE TABLE IF NOT EXISTS work_pools (
                id       TEXT PRIMARY KEY,
                name     TEXT NOT NULL UNIQUE,
                revision INTEGER NOT NULL,
                doc      TEXT NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS work_queues (
                id       TEXT PRIMARY KEY,
                pool_id  TEXT NOT NULL REFERENCES work_pools(id) ON DELETE CASCADE,
                name     TEXT NOT NULL,
                priority INTEGER NOT NULL,
                revision INTEGER NOT NULL,
                last_polled INTEGER,
                doc      TEXT NOT NULL,
                UNIQUE (pool_id, name))""",
            """
            CREATE TABLE IF NOT EXISTS workers (
                pool_id TEXT NOT NULL REFERENCES work_pools(id) ON DELETE CASCADE,
                name    TEXT NOT NULL,
                doc     TEXT NOT NULL,
                PRIMARY KEY (pool_id, name))""",
            """
            CREATE TABLE IF NOT EXISTS deployments (
                id             TEXT PRIMARY KEY,
                flow_name      TEXT NOT NULL,
                name           TEXT NOT NULL,
                work_pool_name TEXT,
                revision       INTEGER NOT NULL,
                heal_at        INTEGER,
                doc            TEXT NOT NULL,
                UNIQUE (flow_name, name))""",
            "CREATE INDEX IF NOT EXISTS deployments_by_pool ON deployments (work_pool_name, flow_name, name)",
            // created is epoch nanoseconds: ISO strings of Instants do not sort (trailing zeros are dropped)
            """
            CREATE TABLE IF NOT EXISTS flow_runs (
                id              TEXT PRIMARY KEY,
                deployment_id   TEXT,
                work_pool_id    TEXT,
                work_pool_name  TEXT,
                work_queue_id   TEXT,
                work_queue_name TEXT,
                state_type      TEXT NOT NULL,
                idempotency_key TEXT,
                version         INTEGER NOT NULL,
                created         INTEGER NOT NULL,
                due_at          INTEGER,
                doc             TEXT NOT NULL,
                UNIQUE (deployment_id, idempotency_key))""",
            "CREATE INDEX IF NOT EXISTS runs_by_created ON flow_runs (created, id)",
            "CREATE INDEX IF NOT EXISTS runs_by_deployment ON flow_runs (deployment_id, created, id)",
            "CREATE INDEX IF NOT EXISTS runs_by_pool_name ON flow_runs (work_pool_name, created, id)",
            "CREATE INDEX IF NOT EXISTS runs_by_state ON flow_runs (state_type, created, id)",
            "CREATE INDEX IF NOT EXISTS runs_active_in_pool ON flow_runs (work_pool_id, state_type)",
            "CREATE INDEX IF NOT EXISTS runs_active_in_queue ON flow_runs (work_queue_id, state_type)",
            """
            CREATE TABLE IF NOT EXISTS slots (
                key  TEXT PRIMARY KEY,
                used INTEGER NOT NULL CHECK (used >= 0))""",
            """
            CREATE TABLE IF NOT EXISTS run_logs (
                run_id TEXT NOT NULL,
                seq    INTEGER NOT NULL,
                doc    TEXT NOT NULL,
                PRIMARY KEY (run_id, seq)) WITHOUT ROWID""",
            // SqliteRunLogs: what each run's log holds against its quota, written with its lines
            """
            CREATE TABLE IF NOT EXISTS run_log_totals (
                run_id        TEXT PRIMARY KEY,
                last_seq      INTEGER NOT NULL,
                lines         INTEGER NOT NULL,
                bytes         INTEGER NOT NULL,
                dropped_lines INTEGER NOT NULL,
                dropped_bytes INTEGER NOT NULL,
                truncated_at  TEXT)""",
            // visible_at is epoch nanoseconds; receipt changes on every receive so a stale holder cannot delete
            """
            CREATE TABLE IF NOT EXISTS queue_messages (
                queue_id   TEXT NOT NULL,
                run_id     TEXT NOT NULL,
                visible_at INTEGER NOT NULL,
                receipt    TEXT,
                PRIMARY KEY (queue_id, run_id))""",
            "CREATE INDEX IF NOT EXISTS messages_by_visibility ON queue_messages (queue_id, visible_at)",
            // SqliteApiKeys. New tables only: a file from before them gets them on open, no version bump needed.
            """
            CREATE TABLE IF NOT EXISTS api_keys (
                id         TEXT PRIMARY KEY,
                hash       TEXT NOT NULL UNIQUE,
                name       TEXT NOT NULL,
                role       TEXT NOT NULL,
                pools      TEXT NOT NULL,
                prefix     TEXT NOT NULL,
                created    INTEGER NOT NULL,
                last_used  INTEGER,
                revoked_at INTEGER)""",
            "CREATE TABLE IF NOT EXISTS server_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
            // due is epoch nanoseconds: when a schedule cursor's expected firing is due (NULL for other values)
            "CREATE TABLE IF NOT EXISTS named_values (key TEXT PRIMARY KEY, value TEXT NOT NULL, due INTEGER)",
            // SqliteEvents: occurred is epoch nanoseconds; lists run on (occurred, id) either way
            // seq is the feed's order (AUTOINCREMENT: never reused, not even after the newest row is purged)
            """
            CREATE TABLE IF NOT EXISTS events (
                seq      INTEGER PRIMARY KEY AUTOINCREMENT,
                id       TEXT NOT NULL UNIQUE,
                occurred INTEGER NOT NULL,
                doc      TEXT NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS events_by_occurred ON events (occurred, id)",
            // SqliteTriggerStore: due and expires are epoch nanoseconds
            """
            CREATE TABLE IF NOT EXISTS trigger_state (
                grp      TEXT NOT NULL,
                item     TEXT NOT NULL,
                revision INTEGER NOT NULL,
                doc      TEXT,
                due      INTEGER,
                expires  INTEGER,
                PRIMARY KEY (grp, item)) WITHOUT ROWID""",
            "CREATE INDEX IF NOT EXISTS trigger_state_due ON trigger_state (due) WHERE due IS NOT NULL",
            "CREATE INDEX IF NOT EXISTS trigger_state_expires ON trigger_state (expires) WHERE expires IS NOT NULL");

    private final Path file;
    private final Connection writer;
    private final BlockingQueue<Job<?>> jobs = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final Object enqueueLock = new Object();
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final List<Connection> all = new ArrayList<>();
    private volatile boolean closed;

    private Database(Path file) throws SQLException {
        this.file = file;
        this.writer = connect(file);
        all.add(writer);
        try {
            try (Statement s = writer.createStatement();
                 // journal_mode answers with the mode it ended up in; a filesystem without shared memory refuses WAL
                 ResultSet rs = s.executeQuery("PRAGMA journal_mode=WAL")) {
                String mode = rs.next() ? rs.getString(1) : "?";
                if (!"wal".equalsIgnoreCase(mode)) {
                    throw new SQLException("could not switch to WAL journal mode (got '" + mode + "')");
                }
            }
            migrate();
            for (int i = 0; i < READERS; i++) {
                Connection reader = connect(file);
                all.add(reader);
                try (Statement s = reader.createStatement()) {
                    s.execute("PRAGMA query_only=ON");
                }
                readers.add(reader);
            }
        } catch (SQLException | RuntimeException e) {
            closeConnections(e);
            throw e;
        }
        committer = new Thread(this::commitLoop, "ferry-db-committer");
        committer.setDaemon(true);
        committer.start();
    }

    /** Opens (creating if needed) the database file and brings its schema up to date. */
    public static Database open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) createPrivate(parent, true);
            if (!Files.exists(file)) createPrivate(file, false);
            Database database = new Database(file);
            for (String suffix : List.of("", "-wal", "-shm")) ownerOnly(file.resolveSibling(file.getFileName() + suffix));
            return database;
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot open the Ferry database " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The file holds API key hashes and the run-token signing secret: only its owner may read it,
     * from the moment it exists (a directory Ferry creates for it is the owner's alone too).
     */
    private static void createPrivate(Path path, boolean directory) throws IOException {
        if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            if (directory) Files.createDirectories(path);
            else Files.createFile(path);
            return;
        }
        if (directory) {
            Files.createDirectories(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
    }

    /** An existing database (from before, or its WAL files) is made the owner's alone as well. */
    private static void ownerOnly(Path file) throws IOException {
        if (Files.exists(file) && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    public Path file() {
        return file;
    }

    /** Work done with a connection; a thrown exception undoes everything it wrote. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} as one atomic write and returns its result once it is durable. The work
     * runs on the committer thread, after the writes queued before it and seeing their effects.
     * It must not call {@link #write} itself (it would wait for itself), so that is refused.
     *
     * @param what what the caller is doing, for error messages
     */
    public <T> T write(String what, Work<T> work) {
        if (Thread.currentThread() == committer) {
            throw new IllegalStateException("nested write while " + what);
        }
        Job<T> job = new Job<>(what, work);
        synchronized (enqueueLock) {
            if (closed) throw closedError(what);
            jobs.add(job);
        }
        try {
            // join, not get: an interrupted caller must still learn whether its write happened
            return job.done.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException("write failed while " + what, cause);
        }
    }

    /** Runs {@code work} on a reader connection; it sees every write that returned before it started. */
    public <T> T read(String what, Work<T> work) {
        Connection reader = null;
        try {
            while (reader == null) {
                if (closed) throw closedError(what);
                reader = readers.poll(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a database connection to go on " + what, e);
        }
        try {
            return work.run(reader);
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            readers.add(reader);
        }
    }

    /** Finishes the queued writes, then closes every connection (waiting a little for reads in progress). */
    @Override
    public void close() {
        synchronized (enqueueLock) {
            if (closed) return;
            closed = true;
            jobs.add(Job.STOP);
        }
        try {
            committer.join(TimeUnit.SECONDS.toMillis(30));
            for (int i = 0; i < READERS; i++) {
                if (readers.poll(5, TimeUnit.SECONDS) == null) break;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnections(null);
    }

    private void commitLoop() {
        List<Job<?>> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(jobs.take());
            } catch (InterruptedException e) {
                return; // only close() stops us, and it does so with STOP; nothing else interrupts this thread
            }
            jobs.drainTo(batch, MAX_BATCH - 1);
            boolean stop = batch.remove(Job.STOP);
            if (!batch.isEmpty()) commit(batch);
            batch.clear();
            if (stop) return;
        }
    }

    /** One transaction for the whole batch; every job is answered after COMMIT, or failed if it does not happen. */
    private void commit(List<Job<?>> batch) {
        boolean alone = batch.size() == 1;
        try {
            exec("BEGIN IMMEDIATE");
            for (Job<?> job : batch) {
                if (!alone) exec("SAVEPOINT job");
                try {
                    job.run(writer);
                    if (!alone) exec("RELEASE job");
                } catch (SQLException | RuntimeException | Error e) {
                    job.failure = e instanceof SQLException sql ? failure(job.what, sql) : e;
                    // a job that fails alone has nothing to keep: the COMMIT below then commits nothing
                    exec(alone ? "ROLLBACK" : "ROLLBACK TO job");
                    if (alone) {
                        job.answer();
                        return;
                    }
                    exec("RELEASE job");
                }
            }
            exec("COMMIT");
        } catch (SQLException | RuntimeException | Error e) {
            // BEGIN, a savepoint statement or COMMIT failed: nothing of the batch is durable
            try {
                exec("ROLLBACK");
            } catch (SQLException rollback) {
                e.addSuppressed(rollback); // no transaction left to roll back: fine
            }
            for (Job<?> job : batch) {
                if (job.failure == null) {
                    job.failure = e instanceof SQLException sql ? failure(job.what, sql)
                            : new IllegalStateException("database error while " + job.what + " (" + file + ")", e);
                }
            }
        }
        for (Job<?> job : batch) job.answer();
    }

    private void exec(String sql) throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute(sql);
        }
    }

    private void closeConnections(Throwable cause) {
        for (Connection c : all) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing is best effort: every commit is already on disk
                if (cause != null) cause.addSuppressed(e);
            }
        }
    }

    private IllegalStateException closedError(String what) {
        return new IllegalStateException("the database " + file + " is closed; cannot go on " + what);
    }

    private IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException("database error while " + what + " (" + file + "): " + e.getMessage(), e);
    }

    /** A queued write; its outcome is kept until the batch's COMMIT decides it. */
    private static final class Job<T> {
        static final Job<Void> STOP = new Job<>("stopping", c -> null);

        final String what;
        final Work<T> work;
        final CompletableFuture<T> done = new CompletableFuture<>();
        T value;
        Throwable failure;

        Job(String what, Work<T> work) {
            this.what = what;
            this.work = work;
        }

        void run(Connection c) throws SQLException {
            value = work.run(c);
        }

        void answer() {
            if (failure != null) done.completeExceptionally(failure);
            else done.complete(value);
        }
    }

    private void migrate() throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                for (String ddl : SCHEMA) s.execute(ddl);
                Integer found = null;
                try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                    if (rs.next()) {
                        int v = rs.getInt(1);
                        if (!rs.wasNull()) found = v;
                    }
                }
                if (found == null) {
                    s.execute("INSERT INTO schema_version (version) VALUES (" + SCHEMA_VERSION + ")");
                } else if (found > SCHEMA_VERSION) {
                    throw new SQLException("the file has schema version " + found + " but this Ferry knows up to "
                            + SCHEMA_VERSION + "; upgrade Ferry or point it at another database file");
                }
                if (found != null && found < 2) {
                    // Revisions: rows from before them are revision 0, as their documents (without the field) read.
                    for (String table : List.of("work_pools", "work_queues", "deployments")) {
                        s.execute("ALTER TABLE " + table + " ADD COLUMN revision INTEGER NOT NULL DEFAULT 0");
                    }
                    // A poll is no longer written into the queue's document; the next poll fills it in.
                    s.execute("ALTER TABLE work_queues ADD COLUMN last_polled INTEGER");
                    s.execute("UPDATE schema_version SET version = 2");
                }
                if (found != null && found < 3) {
                    // When a SCHEDULED run is due for the janitor's look (NULL for every other run).
                    if (query(writer, "SELECT 1 FROM pragma_table_info('flow_runs') WHERE name = 'due_at'", rs -> 1).isEmpty()) {
                        s.execute("ALTER TABLE flow_runs ADD COLUMN due_at INTEGER");
                        fillDueAt();
                    }
                    s.execute("UPDATE schema_version SET version = 3");
                }
                if (found != null && found < 4) {
                    // When the scheduler's heal next needs to look at a deployment (NULL: nothing to heal).
                    if (query(writer, "SELECT 1 FROM pragma_table_info('deployments') WHERE name = 'heal_at'", rs -> 1).isEmpty()) {
                        s.execute("ALTER TABLE deployments ADD COLUMN heal_at INTEGER");
                        fillHealAt();
                    }
                    // Cursors from before it have none: the janitor's first heal gives them theirs.
                    if (query(writer, "SELECT 1 FROM pragma_table_info('named_values') WHERE name = 'due'", rs -> 1).isEmpty()) {
                        s.execute("ALTER TABLE named_values ADD COLUMN due INTEGER");
                    }
                    s.execute("UPDATE schema_version SET version = 4");
                }
                // Partial: the janitor's sweep reads only SCHEDULED runs, and the rest cost it nothing.
                s.execute("CREATE INDEX IF NOT EXISTS runs_due ON flow_runs (due_at, id) WHERE due_at IS NOT NULL");
                // Partial too: the janitor's heal reads deployments and cursors with something due, idle ones cost nothing.
                s.execute("CREATE INDEX IF NOT EXISTS deployments_to_heal ON deployments (heal_at, id) WHERE heal_at IS NOT NULL");
                s.execute("CREATE INDEX IF NOT EXISTS named_values_due ON named_values (due, key) WHERE due IS NOT NULL");
                s.execute("COMMIT");
            } catch (SQLException e) {
                s.execute("ROLLBACK");
                throw e;
            }
        }
    }

    private void fillDueAt() throws SQLException {
        List<dev.ferry.core.runs.FlowRun> scheduled = query(writer, "SELECT doc FROM flow_runs WHERE state_type = 'SCHEDULED'",
                rs -> Columns.document(rs.getString(1), dev.ferry.core.runs.FlowRun.class));
        for (dev.ferry.core.runs.FlowRun run : scheduled) {
            update(writer, "UPDATE flow_runs SET due_at = ? WHERE id = ?", SqliteRuns.dueAt(run), run.id());
        }
    }

    private void fillHealAt() throws SQLException {
        List<dev.ferry.core.deployments.Deployment> all = query(writer, "SELECT doc FROM deployments",
                rs -> Columns.document(rs.getString(1), dev.ferry.core.deployments.Deployment.class));
        for (dev.ferry.core.deployments.Deployment d : all) {
            update(writer, "UPDATE deployments SET heal_at = ? WHERE id = ?", SqliteDeployments.healAt(d), d.id());
        }
    }

    /** Runs an INSERT, UPDATE or DELETE with positional arguments; returns the changed row count. */
    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    /** Reads one column-mapped row per result. */
    static <T> List<T> query(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) out.add(row.map(rs));
                return out;
            }
        }
    }

    static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        List<T> found = query(c, sql, row, args);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
    }

    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA foreign_keys=ON");
        }
        return c;
    }

}
