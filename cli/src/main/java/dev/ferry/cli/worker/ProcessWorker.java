package dev.ferry.cli.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.client.FerryApi;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A worker for a {@code process} pool: claims the pool's runs (as many as it has free slots) and
 * runs each as a subprocess of this machine, until it is told to stop.
 */
public final class ProcessWorker {
    /** The API holds a claim for at most this long when there's no work. */
    static final int LONG_POLL_SECONDS = 20;
    /** A run-once worker asks briefly, so a run created a moment ago is still picked up. */
    static final int RUN_ONCE_POLL_SECONDS = 2;
    static final int MAX_CLAIM = 50;
    /** Polls that come back empty are spaced at least this far apart, whatever the server does. */
    static final Duration MIN_EMPTY_POLL = Duration.ofSeconds(1);
    static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(15);

    /**
     * @param pool the work pool to serve
     * @param queues the pool's queues to serve; empty for all of them
     * @param limit how many runs may run at once
     * @param runOnce claim what is available once, run it to the end, and stop
     * @param heartbeatSeconds how often the worker tells the API it is alive
     */
    public record Options(String pool, List<String> queues, int limit, boolean runOnce, int heartbeatSeconds) {}

    private final FerryApi api;
    private final FerryApi probe;
    private final Options options;
    private final RunSettings settings;
    private final WorkerLog log;
    private final Semaphore slots;
    private final Map<RunProcess, Thread> active = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-worker-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private volatile Thread poller;

    ProcessWorker(FerryApi api, FerryApi probe, Options options, RunSettings settings, WorkerLog log) {
        this.api = api;
        this.probe = probe;
        this.options = options;
        this.settings = settings;
        this.log = log;
        this.slots = new Semaphore(options.limit());
    }

    /** Polls and runs flows until {@link #shutdown()} (or, with run-once, until the claimed runs end). */
    void run() {
        poller = Thread.currentThread();
        // The first heartbeat is not optional: a wrong pool name or key must stop the worker right here.
        api.workerHeartbeat(options.pool(), settings.workerName(), options.heartbeatSeconds());
        log.line("Worker '" + settings.workerName() + "' started; polling work pool '" + options.pool() + "'"
                + (options.queues().isEmpty() ? "" : " (queues " + String.join(", ", options.queues()) + ")"));
        heartbeats.scheduleWithFixedDelay(this::heartbeat, options.heartbeatSeconds(), options.heartbeatSeconds(),
                TimeUnit.SECONDS);
        try {
            while (!stopping.get()) {
                pollOnce();
                if (options.runOnce()) break;
            }
            if (options.runOnce()) awaitRuns();
        } catch (InterruptedException | CancellationException e) {
            // shutdown() interrupted the poll; it takes care of the runs
        } finally {
            heartbeats.shutdownNow();
        }
    }

    /**
     * Stops polling, stops every running process tree and reports those runs CRASHED, all within
     * about {@link #SHUTDOWN_DEADLINE}. Safe to call from a shutdown hook.
     */
    void shutdown() {
        if (!stopping.compareAndSet(false, true)) return;
        long deadline = System.nanoTime() + SHUTDOWN_DEADLINE.toNanos();
        Thread p = poller;
        if (p != null) p.interrupt();
        if (!active.isEmpty()) {
            log.line("Worker '" + settings.workerName() + "' shutting down; stopping " + active.size() + " flow run(s)");
        }
        for (RunProcess run : active.keySet()) {
            Thread stopper = new Thread(run::abort, "ferry-stop-" + run.runName());
            stopper.setDaemon(true);
            stopper.start();
        }
        for (Thread t : active.values()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        heartbeats.shutdownNow();
        if (!active.isEmpty()) {
            log.line("Worker '" + settings.workerName() + "' gave up waiting for " + active.size()
                    + " flow run report(s); the server will mark them crashed when their heartbeats stop");
        }
    }

    private void pollOnce() throws InterruptedException {
        // Claim only what can be run now; with no free slot, wait here for one instead of polling.
        slots.acquire();
        int free = 1 + slots.drainPermits();
        int ask = Math.min(free, MAX_CLAIM);
        slots.release(free - ask);
        List<JsonNode> claimed;
        long started = System.nanoTime();
        try {
            claimed = api.claimFlowRuns(options.pool(), settings.workerName(), options.queues(), ask,
                    options.runOnce() ? RUN_ONCE_POLL_SECONDS : LONG_POLL_SECONDS);
        } catch (RuntimeException e) {
            slots.release(ask);
            throw e;
        }
        slots.release(ask - Math.min(ask, claimed.size()));
        for (JsonNode item : claimed) start(item);
        // A server that doesn't hold the request (or a proxy that cuts it short) must not turn the
        // long poll into a busy loop.
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (claimed.isEmpty() && !options.runOnce() && elapsedMillis < MIN_EMPTY_POLL.toMillis()) {
            Thread.sleep(MIN_EMPTY_POLL.toMillis() - elapsedMillis);
        }
    }

    private void start(JsonNode item) {
        RunProcess run = new RunProcess(api, probe, settings, item, log);
        Thread thread = new Thread(() -> {
            try {
                run.run();
            } finally {
                active.remove(run);
                slots.release();
            }
        }, "ferry-run-" + run.runName());
        thread.setDaemon(true);
        active.put(run, thread);
        if (stopping.get()) run.abort();
        thread.start();
    }

    private void awaitRuns() throws InterruptedException {
        for (Thread t : List.copyOf(active.values())) t.join();
    }

    private void heartbeat() {
        try {
            api.workerHeartbeat(options.pool(), settings.workerName(), options.heartbeatSeconds());
        } catch (RuntimeException e) {
            // The retrying client has already said the API is down; the next beat tries again.
        }
    }
}
