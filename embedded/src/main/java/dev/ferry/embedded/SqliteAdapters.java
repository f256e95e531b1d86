package dev.ferry.embedded;

import dev.ferry.core.Ports;
import dev.ferry.core.common.Clock;
import dev.ferry.core.scheduler.ScheduleTimer;

/** The embedded adapter set: every store and the work queues in one SQLite file. */
public final class SqliteAdapters {
    private SqliteAdapters() {}

    /** @param timer fires the schedules: an {@link InProcessTimer} in the server, a manual one in tests */
    public static Ports ports(Database db, Clock clock, ScheduleTimer timer) {
        SqliteEvents events = new SqliteEvents(db);
        return new Ports(new SqlitePools(db), new SqliteDeployments(db), new SqliteRuns(db), new SqliteRunLogs(db),
                new SqliteScheduleCursors(db), new SqliteTaskDefinitions(db), events, events, new SqliteTriggerStore(db),
                new SqliteWorkQueues(db, clock), timer, new SqliteCheckpoints(db));
    }
}
