package dev.ferry.embedded;

import dev.ferry.core.common.Clock;
import dev.ferry.core.scheduler.ScheduleTimer;
import dev.ferry.core.scheduler.Scheduler;
import dev.ferry.core.schedules.Firing;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded server's schedule timer: pending firings in time order, one thread sleeping until
 * the earliest is due, a few threads firing (their store writes share SQLite's group commit, so a
 * burst of firings on the same minute does not queue behind one another). Arming and disarming
 * are O(log n); nothing scans the schedules while idle.
 */
public final class InProcessTimer implements ScheduleTimer, AutoCloseable {
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    private static final int FIRING_THREADS = 4;
    private static final Logger LOG = Logger.getLogger(InProcessTimer.class.getName());
    private static final Comparator<Pending> ORDER = Comparator.comparing(Pending::wakeAt)
            .thenComparing(p -> p.firing().timerKey());

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeSet<Pending> queue = new TreeSet<>(ORDER);
    private final Map<String, Pending> byKey = new HashMap<>();
    private final ExecutorService firing = Executors.newFixedThreadPool(FIRING_THREADS, daemon("ferry-schedule-firing"));
    private Thread waker;
    private volatile boolean closed;

    public InProcessTimer(Clock clock) {
        this.clock = clock;
    }

    /** A firing and when to deliver it: at its instant, or later when a delivery failed. */
    private record Pending(Firing firing, Instant wakeAt) {}

    /**
     * Arms every schedule, catching up what was missed while the server was down (the timer starts
     * empty, so start-up is where that happens), then delivers due firings to the service.
     */
    public void start(Scheduler schedules) {
        schedules.heal(Duration.ZERO);
        start(schedules::fire);
    }

    /** Starts delivering due firings to {@code target}. */
    public void start(Consumer<Firing> target) {
        waker = daemon("ferry-schedule-timer").newThread(() -> run(target));
        waker.start();
    }

    @Override
    public void arm(Firing firing) {
        put(new Pending(firing, firing.at()));
    }

    private void put(Pending pending) {
        lock.lock();
        try {
            Pending old = byKey.put(pending.firing().timerKey(), pending);
            if (old != null) queue.remove(old);
            queue.add(pending);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void disarm(String timerKey) {
        lock.lock();
        try {
            Pending old = byKey.remove(timerKey);
            if (old != null) queue.remove(old);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, Instant> armed() {
        lock.lock();
        try {
            Map<String, Instant> out = new HashMap<>();
            byKey.forEach((key, p) -> out.put(key, p.firing().at()));
            return out;
        } finally {
            lock.unlock();
        }
    }

    private void run(Consumer<Firing> target) {
        while (!closed) {
            Firing due;
            lock.lock();
            try {
                Pending first = queue.isEmpty() ? null : queue.first();
                long waitNanos = first == null ? TimeUnit.SECONDS.toNanos(60)
                        : Duration.between(clock.now(), first.wakeAt()).toNanos();
                if (waitNanos > 0) {
                    changed.awaitNanos(waitNanos);
                    continue;
                }
                queue.pollFirst();
                byKey.remove(first.firing().timerKey());
                due = first.firing();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            firing.execute(() -> deliver(target, due));
        }
    }

    private void deliver(Consumer<Firing> target, Firing due) {
        try {
            target.accept(due);
        } catch (RuntimeException e) {
            // The store was busy or failing: try the same firing again soon, unless something re-armed it.
            LOG.log(Level.WARNING, "schedule firing " + due + " failed; retrying in " + RETRY_AFTER.toSeconds() + " s", e);
            lock.lock();
            try {
                if (!closed && !byKey.containsKey(due.timerKey())) put(new Pending(due, clock.now().plus(RETRY_AFTER)));
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (waker != null) waker.interrupt();
        firing.shutdown();
        try {
            firing.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
