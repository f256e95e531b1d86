package dev.ferry.embedded;

import static dev.ferry.embedded.Database.query;
import static dev.ferry.embedded.Database.update;

import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.pools.WorkQueue;
import dev.ferry.core.pools.WorkQueues;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * {@link WorkQueues} over the {@code queue_messages} table of the embedded database: one row per
 * (queue, run), so repeating a send can never queue a run twice.
 *
 * <p>Long polls wait on an in-process condition that {@link #send} and {@link #release} signal,
 * so a new run reaches a waiting worker as soon as its row is committed. Waiters also wake on
 * their own when the earliest message of their queues falls due, because nothing signals the
 * moment a delayed or hidden message becomes visible.
 */
public final class SqliteWorkQueues implements WorkQueues {

    /**
     * Longest a waiter sleeps before looking at the clock again. The clock is a port: a test clock
     * moves without signalling anyone, and the system clock can jump.
     */
    private static final long MAX_NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Database db;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Per queue, how many sends and releases it has seen; a waiter compares before and after. Guarded by lock. */
    private final Map<String, Long> generations = new HashMap<>();

    public SqliteWorkQueues(Database db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Messages live in a table shared by all queues: nothing to create. */
    @Override
    public void provision(WorkQueue queue) {
    }

    /** A message's visible time is a column: any time ahead is kept exactly. */
    @Override
    public Optional<Duration> maxDelay() {
        return Optional.empty();
    }

    @Override
    public void send(String queueId, String runId, Instant visibleAt) {
        // A resend keeps the earlier time, so re-announcing a due run never postpones it. It also
        // clears the receipt: the resend is a new delivery, and a worker still holding the old
        // receipt must not be able to delete it (that would lose, say, a retry's message).
        db.write("queueing flow run " + runId + " on work queue " + queueId,
                c -> update(c, """
                        INSERT INTO queue_messages (queue_id, run_id, visible_at, receipt) VALUES (?, ?, ?, NULL)
                        ON CONFLICT (queue_id, run_id)
                        DO UPDATE SET visible_at = MIN(visible_at, excluded.visible_at), receipt = NULL""",
                        queueId, runId, Columns.nanos(visibleAt)));
        signal(queueId);
    }

    @Override
    public List<Message> receive(String queueId, int max, Duration visibility) {
        if (max < 1) throw new IllegalArgumentException("max must be at least 1 (got " + max + ")");
        if (visibility.isNegative()) throw new IllegalArgumentException("visibility must not be negative (got " + visibility + ")");
        Instant now = clock.now();
        long hiddenUntil = Columns.nanos(now.plus(visibility));
        return db.write("receiving from work queue " + queueId, c -> {
            List<String> due = query(c, """
                    SELECT run_id FROM queue_messages WHERE queue_id = ? AND visible_at <= ?
                    ORDER BY visible_at, rowid LIMIT ?""",
                    rs -> rs.getString(1), queueId, Columns.nanos(now), max);
            List<Message> taken = new ArrayList<>(due.size());
            for (String runId : due) {
                String receipt = Ids.RANDOM.next();
                update(c, "UPDATE queue_messages SET visible_at = ?, receipt = ? WHERE queue_id = ? AND run_id = ?",
                        hiddenUntil, receipt, queueId, runId);
                taken.add(new Message(queueId, runId, receipt));
            }
            return taken;
        });
    }

    @Override
    public void delete(Message message) {
        // Only the current receipt deletes: a holder whose message was received again or resent meanwhile does not.
        db.write("deleting the message of flow run " + message.runId() + " from work queue " + message.queueId(),
                c -> update(c, "DELETE FROM queue_messages WHERE queue_id = ? AND run_id = ? AND receipt = ?",
                        message.queueId(), message.runId(), message.receipt()));
    }

    @Override
    public void release(Message message, Duration delay) {
        if (delay.isNegative()) throw new IllegalArgumentException("delay must not be negative (got " + delay + ")");
        long visibleAt = Columns.nanos(clock.now().plus(delay));
        int changedRows = db.write("releasing the message of flow run " + message.runId() + " on work queue "
                        + message.queueId(),
                c -> update(c, "UPDATE queue_messages SET visible_at = ? WHERE queue_id = ? AND run_id = ? AND receipt = ?",
                        visibleAt, message.queueId(), message.runId(), message.receipt()));
        if (changedRows > 0) signal(message.queueId());
    }

    @Override
    public void await(List<String> queueIds, Instant deadline) throws InterruptedException {
        // Take the generations before reading the table: a send landing between the read and the
        // wait then shows up as a changed generation instead of being slept through.
        long[] seen = generations(queueIds);
        Instant wake = deadline;
        Instant due = earliestVisible(queueIds);
        if (due != null && due.isBefore(wake)) wake = due;
        while (true) {
            Instant now = clock.now();
            if (!now.isBefore(wake)) return;
            long nap = Math.min(MAX_NAP_NANOS, nanosBetween(now, wake));
            lock.lock();
            try {
                if (!Arrays.equals(seen, generationsLocked(queueIds))) return;
                changed.awaitNanos(nap);
                if (!Arrays.equals(seen, generationsLocked(queueIds))) return;
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void purge(String queueId) {
        db.write("purging work queue " + queueId, c -> update(c, "DELETE FROM queue_messages WHERE queue_id = ?", queueId));
    }

    private Instant earliestVisible(List<String> queueIds) {
        if (queueIds.isEmpty()) return null;
        String in = queueIds.stream().map(q -> "?").collect(Collectors.joining(", ", "(", ")"));
        Long min = db.read("looking for due messages on work queues " + queueIds,
                c -> query(c, "SELECT MIN(visible_at) FROM queue_messages WHERE queue_id IN " + in,
                        rs -> {
                            long v = rs.getLong(1);
                            return rs.wasNull() ? null : v;
                        }, queueIds.toArray()).get(0));
        return min == null ? null : Instant.ofEpochSecond(Math.floorDiv(min, 1_000_000_000L), Math.floorMod(min, 1_000_000_000L));
    }

    private void signal(String queueId) {
        lock.lock();
        try {
            generations.merge(queueId, 1L, Long::sum);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private long[] generations(List<String> queueIds) {
        lock.lock();
        try {
            return generationsLocked(queueIds);
        } finally {
            lock.unlock();
        }
    }

    private long[] generationsLocked(List<String> queueIds) {
        long[] out = new long[queueIds.size()];
        for (int i = 0; i < out.length; i++) out[i] = generations.getOrDefault(queueIds.get(i), 0L);
        return out;
    }

    private static long nanosBetween(Instant from, Instant to) {
        try {
            return Math.max(1, Duration.between(from, to).toNanos());
        } catch (ArithmeticException tooFar) {
            return Long.MAX_VALUE;
        }
    }
}
