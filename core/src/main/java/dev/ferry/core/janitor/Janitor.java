package dev.ferry.core.janitor;

import dev.ferry.core.automations.AutomationEngine;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Page;
import dev.ferry.core.ecs.EcsReconciler;
import dev.ferry.core.events.EventService;
import dev.ferry.core.pools.Liveness;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.WorkQueues;
import dev.ferry.core.pools.Worker;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.OrchestrationPolicy;
import dev.ferry.core.runs.Proposal;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.State;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.runs.Transitions;
import dev.ferry.core.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Acts on time: marks runs Late, crashes runs whose heartbeats stopped (their slots come back),
 * ends cancellations nobody is left to carry out, and re-delivers due runs whose queue message
 * was lost, resumes deployments whose pause ended and heals schedules whose firing went missing.
 * Every action goes through the policy, so a run that moved on meanwhile is left alone. Its
 * reads of SCHEDULED runs follow what changed since the previous sweep, not how many wait
 * (see {@link #sweepScheduled}); the other states are bounded by the runs that hold slots.
 */
public final class Janitor {
    public static final Duration LATE_AFTER = Duration.ofSeconds(15);
    public static final Duration CRASHED_AFTER = Duration.ofSeconds(90);
    public static final Duration CANCELLING_TIMEOUT = Duration.ofMinutes(5);
    /**
     * How far ahead due runs are sent again (a lost send is healed before its run is due), unless
     * the work queues can't delay that long: then up to their limit, less a sweep's margin.
     */
    public static final Duration SEND_AHEAD = Duration.ofMinutes(14);
    private static final Duration SWEEP_MARGIN = Duration.ofMinutes(1);
    /**
     * How late a run's write may become visible after the time it carries (a commit waiting its
     * turn, an index catching up, clocks apart): a sweep's windows reach back this far before the
     * previous sweep, so such a run is still seen.
     */
    public static final Duration WRITE_LAG = Duration.ofSeconds(30);
    /**
     * Healing schedules about once a minute is enough. Under a minute, so that a janitor invoked
     * every minute (AWS) heals on every invocation despite timing jitter.
     */
    public static final Duration HEAL_EVERY = Duration.ofSeconds(50);
    private static final int PAGE = 200;
    /** How far ahead a first sweep asks the index which far-off runs it holds (nanosecond sort keys end in 2262). */
    private static final Duration INDEXED_AHEAD = Duration.ofDays(100L * 365);
    private static final Logger LOG = Logger.getLogger(Janitor.class.getName());

    private final RunStore store;
    private final PoolStore pools;
    private final WorkQueues workQueues;
    private final Transitions transitions;
    private final Scheduler schedules;
    private final Clock clock;
    /** {@link Checkpoints} names: the last sweep of SCHEDULED runs, the last heal of schedules. */
    static final String SWEPT = "janitor.swept";
    static final String HEALED = "janitor.healed";

    /** Where the times below outlive this process; null to keep them in memory only. */
    private final Checkpoints checkpoints;
    private volatile boolean loaded;
    /** When the last heal began that read everything it had to; null before the first (a full pass). */
    private volatile Instant lastHeal;
    private volatile Instant healTried = Instant.MIN;
    /** The time of the last sweep that read every SCHEDULED run it had to; null before the first. */
    private volatile Instant swept;
    /** What {@link #checkpoints} hold, as last read or written: the condition of the next write. */
    private volatile Instant storedSwept;
    private volatile Instant storedHealed;
    /** SCHEDULED runs whose handling failed, tried again by the next sweep. */
    private final Set<String> retry = ConcurrentHashMap.newKeySet();
    /**
     * Runs the first sweep found scheduled beyond the horizon, by id: sent when they reach it even
     * if the store's index of due runs does not hold them (written before it existed).
     */
    private final Map<String, Instant> ahead = new ConcurrentHashMap<>();
    private final Sent sent = new Sent();

    private final EcsReconciler ecs;
    private final EventService events;
    private final AutomationEngine automations;
    private final Liveness liveness;

    public Janitor(RunStore store, PoolStore pools, WorkQueues workQueues, Transitions transitions, Scheduler schedules,
                   Clock clock) {
        this(store, pools, workQueues, transitions, schedules, clock, null, null, null, null);
    }

    /**
     * @param ecs    reconciles runs on ECS tasks (they have no heartbeats); null without ECS
     * @param events whose expired events it drops; null for none
     * @param automations whose ended proactive windows it closes and stalled firings it takes over; null for none
     * @param checkpoints where it keeps when it last swept and healed, so another process carries on
     *                    from there; null to keep that in memory (each process's first sweep reads everything)
     */
    public Janitor(RunStore store, PoolStore pools, WorkQueues workQueues, Transitions transitions, Scheduler schedules,
                   Clock clock, EcsReconciler ecs, EventService events, AutomationEngine automations,
                   Checkpoints checkpoints) {
        this.checkpoints = checkpoints;
        this.store = store;
        this.pools = pools;
        this.workQueues = workQueues;
        this.transitions = transitions;
        this.schedules = schedules;
        this.clock = clock;
        this.ecs = ecs;
        this.events = events;
        this.automations = automations;
        this.liveness = events == null ? null : new Liveness(pools, events, clock);
    }

    public record Sweep(int late, int crashed, int cancelled, int redelivered, int schedulesHealed) {}

    public Sweep sweep() {
        load();
        int healed = 0;
        try {
            Instant started = clock.now();
            Instant last = lastHeal;
            if (!started.isBefore(healTried.plus(HEAL_EVERY)) && (last == null || !started.isBefore(last.plus(HEAL_EVERY)))) {
                healTried = started;
                // from a little before the last heal, for deployments written then but seen only now
                Scheduler.Healed pass = schedules.heal(Scheduler.LOST_AFTER, last == null ? null : last.minus(WRITE_LAG));
                healed = pass.healed();
                lastHeal = started;
                // A failed deployment is tried again by this process; another must start from before it.
                if (pass.settled()) storedHealed = store(HEALED, storedHealed, started);
                if (events != null) events.purge();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "janitor could not heal schedules or purge events", e); // the run checks below must still happen
        }
        Instant now = clock.now();
        Duration sendAhead = workQueues.maxDelay().map(max -> max.minus(SWEEP_MARGIN))
                .filter(d -> d.compareTo(SEND_AHEAD) < 0).orElse(SEND_AHEAD);
        int[] counts = new int[4];
        Consumer<FlowRun> scheduled = run -> {
            if (run.stateType() != StateType.SCHEDULED || run.scheduledStartTime().isAfter(now.plus(sendAhead))) return;
            // Sending again is harmless (the store decides), heals a send lost in a crash, and
            // hands runs created far ahead to queues that can't delay that long (SQS). Not twice
            // for what this janitor already sent: its own sends were not lost.
            if (!sent.has(run)) {
                workQueues.send(run.workQueueId(), run.id(), run.scheduledStartTime());
                sent.add(run.id(), run.version(), now);
                counts[3]++;
            }
            if (run.scheduledStartTime().isBefore(now.minus(LATE_AFTER))
                    && StateType.SCHEDULED.defaultName().equals(run.state().name())
                    && transitions.applyIfUnchanged(run, Proposal.of(Proposal.Origin.JANITOR, StateType.SCHEDULED,
                    OrchestrationPolicy.LATE, "not started " + LATE_AFTER.toSeconds() + " s after its scheduled time"))
                    instanceof Transitions.Result.Changed late) {
                counts[0]++;
                sent.add(late.run().id(), late.run().version(), now); // the write sent it again (Transitions)
            }
        };
        sent.forgetBefore(now.minus(Sent.KEPT));
        try {
            sweepScheduled(now, sendAhead, scheduled);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "janitor could not list the scheduled runs due", e); // crash detection below must still happen
        }
        forEach(Set.of(StateType.PENDING, StateType.RUNNING), run -> {
            if (EcsReconciler.handles(run)) return; // ECS says whether its task runs; see EcsReconciler
            Instant last = run.lastHeartbeat() == null ? run.updated() : run.lastHeartbeat();
            if (last.isBefore(now.minus(CRASHED_AFTER)) && changed(run, StateType.CRASHED, null,
                    "no heartbeat for " + Duration.between(last, now).toSeconds() + " s"
                            + (run.workerName() == null ? "" : "; worker '" + run.workerName() + "' is gone"))) {
                counts[1]++;
            }
        });
        forEach(Set.of(StateType.CANCELLING), run -> {
            if (EcsReconciler.handles(run)) return;
            State entered = run.state();
            Instant last = run.lastHeartbeat() == null ? run.updated() : run.lastHeartbeat();
            boolean nobodyLeft = last.isBefore(now.minus(CRASHED_AFTER)) || !workerOnline(run, now);
            if (entered.timestamp().isBefore(now.minus(CANCELLING_TIMEOUT)) && nobodyLeft
                    && changed(run, StateType.CANCELLED, null, "no live worker to carry out the cancellation")) {
                counts[2]++;
            }
        });
        if (ecs != null) {
            try {
                EcsReconciler.Sweep tasks = ecs.sweep();
                counts[1] += tasks.ended();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ECS reconciliation failed", e);
            }
        }
        if (automations != null) {
            try {
                automations.sweep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing automations' windows failed", e);
            }
        }
        if (liveness != null) {
            try {
                liveness.sweep(); // queues NOT_READY, pools NOT_READY, workers OFFLINE, as time made them
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "publishing expired polls and heartbeats failed", e);
            }
        }
        return new Sweep(counts[0], counts[1], counts[2], counts[3], healed);
    }

    private boolean workerOnline(FlowRun run, Instant now) {
        if (run.workerName() == null) return false;
        List<Worker> workers = pools.workers(run.workPoolId());
        return workers.stream().anyMatch(w -> w.name().equals(run.workerName()) && w.status(now) == Worker.Status.ONLINE);
    }

    private boolean changed(FlowRun run, StateType type, String name, String message) {
        Proposal proposal = Proposal.of(Proposal.Origin.JANITOR, type, name, message);
        return transitions.applyIfUnchanged(run, proposal) instanceof Transitions.Result.Changed;
    }

    /**
     * The SCHEDULED runs worth a look: on a janitor's first sweep all of them (what happened while
     * none ran is unknown); after that only those whose {@link RunStore#dueAt} passed a point that
     * matters since the previous sweep: written or come due (a send to heal, perhaps Late at once),
     * entered the send-ahead horizon (a send), passed the Late threshold (Late). A backlog nobody
     * takes then costs nothing. A run whose handling failed is tried again on the next sweep.
     */
    private void sweepScheduled(Instant now, Duration sendAhead, Consumer<FlowRun> action) {
        Instant since = swept;
        Set<String> again = Set.copyOf(retry);
        retry.removeAll(again);
        Set<String> seen = new HashSet<>();
        Consumer<FlowRun> once = run -> {
            seen.add(run.id());
            handle(run, action, retry);
        };
        try {
            if (since == null) {
                Map<String, Instant> far = new HashMap<>();
                forEach(Set.of(StateType.SCHEDULED), run -> {
                    if (run.scheduledStartTime() != null && run.scheduledStartTime().isAfter(now.plus(sendAhead))) far.put(run.id(), run.scheduledStartTime());
                    once.accept(run);
                });
                // Those the index holds are found by a later sweep's window when they enter the horizon:
                // only the others must be remembered (and only they keep the checkpoint from moving).
                if (!far.isEmpty()) {
                    String cursor = null;
                    do {
                        Page<FlowRun> page = store.scheduledDue(now.plus(sendAhead).minus(WRITE_LAG), now.plus(INDEXED_AHEAD), PAGE, cursor);
                        for (FlowRun run : page.items()) far.remove(run.id());
                        cursor = page.next();
                    } while (cursor != null && !far.isEmpty());
                }
                ahead.putAll(far);
            } else {
                for (Window w : Window.merged(List.of(
                        new Window(since.minus(LATE_AFTER).minus(WRITE_LAG), now.minus(LATE_AFTER)),
                        new Window(since.minus(WRITE_LAG), now),
                        new Window(since.plus(sendAhead).minus(WRITE_LAG), now.plus(sendAhead))))) {
                    String cursor = null;
                    do {
                        Page<FlowRun> page = store.scheduledDue(w.after(), w.until(), PAGE, cursor);
                        page.items().forEach(once);
                        cursor = page.next();
                    } while (cursor != null);
                }
            }
        } catch (RuntimeException e) {
            retry.addAll(again); // not tried: still owed
            throw e;
        }
        Set<String> owed = new HashSet<>(again);
        for (Map.Entry<String, Instant> far : List.copyOf(ahead.entrySet())) {
            if (far.getValue().isAfter(now.plus(sendAhead))) continue;
            ahead.remove(far.getKey());
            owed.add(far.getKey());
        }
        for (String id : owed) {
            if (seen.contains(id)) continue;
            try {
                store.run(id).ifPresent(run -> handle(run, action, retry));
            } catch (RuntimeException e) {
                retry.add(id);
                LOG.log(Level.WARNING, "janitor could not read flow run " + id, e);
            }
        }
        // Only once every window was read: a sweep that failed part-way leaves the next to read them again.
        swept = now;
        // What this process still owes (runs to retry, runs the index may not hold) another would not know of.
        if (retry.isEmpty() && ahead.isEmpty()) storedSwept = store(SWEPT, storedSwept, now);
    }

    /** Once per process: where the previous janitor (perhaps in another process) left off. */
    private void load() {
        if (loaded) return;
        loaded = true;
        if (checkpoints == null) return;
        try {
            storedSwept = checkpoints.checkpoint(SWEPT).orElse(null);
            storedHealed = checkpoints.checkpoint(HEALED).orElse(null);
            swept = storedSwept;
            lastHeal = storedHealed;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "janitor could not read where it left off; its first sweep reads everything", e);
        }
    }

    /** Writes {@code at} over {@code expected}; what is stored afterwards, as far as known. */
    private Instant store(String name, Instant expected, Instant at) {
        if (checkpoints == null) return null;
        try {
            if (checkpoints.putCheckpoint(name, expected, at)) return at;
            // another janitor moved it: its value is the condition of the next write
            return checkpoints.checkpoint(name).orElse(null);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "janitor could not record " + name, e); // the next sweep tries again
            return expected;
        }
    }

    private static void handle(FlowRun run, Consumer<FlowRun> action, Set<String> failed) {
        try {
            action.accept(run);
        } catch (RuntimeException e) {
            failed.add(run.id());
            LOG.log(Level.WARNING, "janitor could not handle flow run " + run.id(), e);
        }
    }

    /**
     * The runs this janitor sent, at the version it sent: the windows that overlap (for writes
     * seen late) show a run several times, and sending each version once is enough. Kept as long
     * as a window may show that version again: from entering the horizon to past the Late threshold.
     */
    static final class Sent {
        static final Duration KEPT = SEND_AHEAD.plus(LATE_AFTER).plus(WRITE_LAG).plus(WRITE_LAG).plus(SWEEP_MARGIN);
        private record Mark(long version, Instant at) {}
        private final java.util.LinkedHashMap<String, Mark> byId = new java.util.LinkedHashMap<>();

        synchronized boolean has(FlowRun run) {
            Mark mark = byId.get(run.id());
            return mark != null && mark.version() == run.version();
        }

        synchronized void add(String id, long version, Instant at) {
            byId.remove(id); // to the end: entries stay in the order they were sent
            byId.put(id, new Mark(version, at));
        }

        synchronized void forgetBefore(Instant cutoff) {
            var oldest = byId.entrySet().iterator();
            while (oldest.hasNext() && oldest.next().getValue().at().isBefore(cutoff)) oldest.remove();
        }
    }

    /** The times {@code (after, until]} of {@link RunStore#scheduledDue}. */
    record Window(Instant after, Instant until) {
        /** Overlapping windows as one, so a sweep reads each run once. */
        static List<Window> merged(List<Window> windows) {
            List<Window> sorted = new ArrayList<>(windows);
            sorted.sort(Comparator.comparing(Window::after));
            List<Window> out = new ArrayList<>();
            for (Window w : sorted) {
                Window last = out.isEmpty() ? null : out.get(out.size() - 1);
                if (last != null && !w.after().isAfter(last.until())) {
                    out.set(out.size() - 1, new Window(last.after(), w.until().isAfter(last.until()) ? w.until() : last.until()));
                } else {
                    out.add(w);
                }
            }
            return out;
        }
    }

    private void forEach(Set<StateType> states, Consumer<FlowRun> action) {
        String cursor = null;
        do {
            Page<FlowRun> page = store.runs(RunFilter.inStates(states), PAGE, cursor);
            for (FlowRun run : page.items()) {
                try {
                    action.accept(run);
                } catch (RuntimeException e) {
                    // One run's failure (a queue deleted under it, a throttled call) must not stop
                    // the sweep: crash detection for every other run depends on it.
                    LOG.log(Level.WARNING, "janitor could not handle flow run " + run.id(), e);
                }
            }
            cursor = page.next();
        } while (cursor != null);
    }
}
