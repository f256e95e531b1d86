package dev.ferry.core.scheduler;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Hashes;
import dev.ferry.core.common.Instants;
import dev.ferry.core.common.Json;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Revisions;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.DeploymentStore;
import dev.ferry.core.deployments.Overlap;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.runs.FlowRun;
import dev.ferry.core.runs.FlowRunService;
import dev.ferry.core.runs.OrchestrationPolicy;
import dev.ferry.core.runs.RunFilter;
import dev.ferry.core.runs.RunStore;
import dev.ferry.core.runs.Slot;
import dev.ferry.core.runs.StateType;
import dev.ferry.core.runs.TransitionRefused;
import dev.ferry.core.schedules.Firing;
import dev.ferry.core.schedules.Schedule;
import dev.ferry.core.schedules.ScheduleEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns schedules into runs. Runs are never created ahead: a {@link ScheduleTimer} holds each
 * schedule's next firing, {@link #fire} creates that firing's run and arms the next one, and what
 * is upcoming is computed on demand, so changing a schedule changes the future at once.
 *
 * <p>A run's idempotency key is derived from (deployment, occurrence, effective parameters): a
 * firing delivered twice, two schedules on the same slot with the same parameters, or a firing
 * racing a redeploy all make one run. Per schedule the store keeps a cursor, the last firing
 * handled; what lies between the cursor and now was missed (server down, deployment paused, a
 * firing lost) and is caught up by the schedule's {@code catchup} policy.
 */
public final class Scheduler {
    /** A firing this overdue is taken as lost (EventBridge delivers within about a minute) and healed. */
    public static final Duration LOST_AFTER = Duration.ofMinutes(3);
    public static final int MAX_LIST = 1000;
    /** At most this many missed firings are caught up at once (a minutely schedule over a week). */
    private static final int MAX_CATCHUP = 10_080;
    private static final int PAGE = 200;
    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());

    private final DeploymentStore deployments;
    private final RunStore runStore;
    private final PoolStore pools;
    private final ScheduleCursors cursors;
    private final ScheduleTimer timer;
    private final FlowRunService runs;
    private final Clock clock;
    private final ScheduleEngine engine = new ScheduleEngine();
    /** Deployments whose heal failed, tried again by the next pass. */
    private final Set<String> retry = ConcurrentHashMap.newKeySet();

    public Scheduler(DeploymentStore deployments, RunStore runStore, PoolStore pools, ScheduleCursors cursors,
                     ScheduleTimer timer, FlowRunService runs, Clock clock) {
        this.deployments = deployments;
        this.runStore = runStore;
        this.pools = pools;
        this.cursors = cursors;
        this.timer = timer;
        this.runs = runs;
        this.clock = clock;
    }

    /** A firing to come, or one a backfill made: {@code slot} is the occurrence, before jitter. */
    public record Slot(Instant scheduledStartTime, Instant slot, String schedule, ObjectNode parameters,
                       String flowRunId, Boolean created) {}

    /** What a firing did. */
    public enum Outcome { CREATED, EXISTED, SKIPPED_OVERLAP, REFUSED, NOT_DUE, PAUSED, GONE }

    // ------------------------------------------------------------------ firing

    /** Called by the timer. Idempotent: the same firing twice makes one run. */
    public Outcome fire(Firing firing) {
        Optional<Deployment> found = deployments.deployment(firing.deploymentId());
        Optional<Schedule> schedule = found.flatMap(d -> schedule(d, firing.slug()));
        if (schedule.isEmpty() || !schedule.get().active()) {
            timer.disarm(firing.timerKey());
            return Outcome.GONE;
        }
        Deployment d = found.get();
        if (d.paused()) {
            timer.disarm(firing.timerKey()); // resuming re-arms, after catching up by the schedule's policy
            return Outcome.PAUSED;
        }
        Schedule s = schedule.get();
        if (!engine.next(s, firing.at().minusNanos(1), d.id()).map(firing.at()::equals).orElse(false)) {
            // Armed before the schedule changed: not one of its firings. Arm the right one.
            catchUp(d, s, clock.now(), LOST_AFTER, null);
            return Outcome.NOT_DUE;
        }
        Outcome outcome = createRun(d, s, firing.at(), true).outcome;
        // Usually just arms the next firing; after a late delivery it also catches up what was missed meanwhile.
        catchUp(d, s, clock.now(), LOST_AFTER, firing.at());
        return outcome;
    }

    // ------------------------------------------------------------------ keeping the timer in step

    /**
     * After a deployment was written ({@code after}, null when deleted) over {@code before} (null when
     * new): arms what should fire, disarms what should not. A schedule that did not change keeps its
     * pending firing untouched; one that is new or changed starts from now.
     */
    public void sync(Deployment before, Deployment after) {
        Map<String, Schedule> old = new HashMap<>();
        if (before != null) for (Schedule s : before.schedules()) old.put(s.slug(), s);
        Instant now = clock.now();
        if (after != null) {
            for (Schedule s : after.schedules()) {
                Schedule previous = old.remove(s.slug());
                String key = Firing.timerKey(after.id(), s.slug());
                if (after.paused() || !s.active()) {
                    timer.disarm(key);
                    continue;
                }
                boolean unchanged = s.equals(previous) && !before.paused();
                if (unchanged) continue;
                if (!s.equals(previous)) {
                    cursors.putCursor(after.id(), s.slug(), new ScheduleCursors.Cursor(now, engine.next(s, now, after.id()).orElse(null)));
                }
                catchUp(after, s, now, Duration.ZERO, null);
            }
        }
        String id = after != null ? after.id() : before != null ? before.id() : null;
        for (String slug : old.keySet()) {
            timer.disarm(Firing.timerKey(id, slug));
            cursors.deleteCursor(id, slug);
        }
    }

    /**
     * The janitor's full pass: resumes deployments whose pause has ended, and heals every schedule whose
     * firing is not armed or is overdue (a timer that lost it, a server that was down). With
     * {@code lostAfter} zero (embedded start-up, where the timer begins empty) everything is armed anew.
     */
    public int heal(Duration lostAfter) {
        return heal(lostAfter, null).healed();
    }

    /**
     * What a pass healed; {@code settled} when no deployment's heal failed (those are tried again by
     * the next pass in this process, and a pass in another process must start from before them).
     */
    public record Healed(int healed, boolean settled) {}

    /**
     * {@link #heal(Duration)}, reading only what may need it since {@code since} (null: everything):
     * deployments written or whose pause ended after it ({@link DeploymentStore#toHeal}), those with a
     * schedule whose expected firing became overdue by {@code lostAfter} after it
     * ({@link ScheduleCursors#expected}: a firing that happened moved its cursor on), and those whose
     * heal failed on an earlier pass. Idle deployments cost nothing, nor does the timer's list when
     * nothing was found. The caller reaches back from its previous pass for writes seen late.
     */
    public Healed heal(Duration lostAfter, Instant since) {
        Instant now = clock.now();
        Armed armed = new Armed();
        int healed = 0;
        Set<String> again = Set.copyOf(retry);
        retry.removeAll(again);
        Set<String> seen = new HashSet<>();
        try {
            String cursor = null;
            do {
                Page<Deployment> page = since == null ? deployments.deployments(null, PAGE, cursor)
                        : deployments.toHeal(since, now, PAGE, cursor);
                for (Deployment d : page.items()) {
                    if (seen.add(d.id())) healed += healSafely(d, armed, now, lostAfter, since == null);
                }
                cursor = page.next();
            } while (cursor != null);
            Set<String> owed = new LinkedHashSet<>(again);
            if (since != null) {
                do {
                    Page<String> page = cursors.expected(since.minus(lostAfter), now.minus(lostAfter), PAGE, cursor);
                    owed.addAll(page.items());
                    cursor = page.next();
                } while (cursor != null);
            }
            for (String id : owed) {
                if (!seen.add(id)) continue;
                try {
                    Optional<Deployment> d = deployments.deployment(id);
                    if (d.isPresent()) healed += healSafely(d.get(), armed, now, lostAfter, false);
                } catch (RuntimeException e) {
                    retry.add(id);
                    LOG.log(Level.WARNING, "could not read deployment " + id + " to heal its schedules", e);
                }
            }
        } catch (RuntimeException e) {
            retry.addAll(again); // not tried: still owed
            throw e;
        }
        return new Healed(healed, retry.isEmpty());
    }

    /** The timer's pending firings, listed once per pass and only when a deployment needs them. */
    private final class Armed {
        private Map<String, Instant> all;

        Instant at(String timerKey) {
            if (all == null) all = timer.armed();
            return all.get(timerKey);
        }
    }

    private int healSafely(Deployment d, Armed armed, Instant now, Duration lostAfter, boolean backfill) {
        // a pause that ended must end whether or not the deployment has schedules: it blocks its runs' claims
        if (d.schedules().isEmpty() && !pauseEnded(d, now)) return 0;
        try {
            return heal(d, armed, now, lostAfter, backfill);
        } catch (RuntimeException e) {
            // One deployment's trouble (a throttled call) must not keep the others from firing.
            retry.add(d.id());
            LOG.log(Level.WARNING, "could not heal the schedules of deployment " + d.id(), e);
            return 0;
        }
    }

    private int heal(Deployment d, Armed armed, Instant now, Duration lostAfter, boolean backfill) {
        if (pauseEnded(d, now)) {
            // Conditional, and decided again on what is stored: a user who paused again (or
            // resumed, or edited) meanwhile keeps what they did.
            Revisions.Done<Deployment> done;
            try {
                done = Revisions.update(d, current -> pauseEnded(current, now) ? current.resumed(now) : current,
                        deployments::updateDeployment, () -> BadInput.notFound("deployment", d.id()));
            } catch (BadInput gone) {
                return 0;
            }
            if (!done.changed()) return 0;
            LOG.info("deployment " + d.fullName() + " resumed: its pause ended at " + done.before().resumeAt());
            sync(done.before(), done.after());
            return 1;
        }
        if (d.paused()) return 0;
        int healed = 0;
        for (Schedule s : d.schedules()) {
            if (!s.active()) continue;
            Instant at = armed.at(Firing.timerKey(d.id(), s.slug()));
            if (at != null && !at.isBefore(now.minus(lostAfter))) {
                if (backfill) expect(d, s, at, now);
                continue;
            }
            catchUp(d, s, now, lostAfter, null);
            healed++;
        }
        return healed;
    }

    /**
     * A cursor written before cursors said which firing they expect gets it: from then on a lost
     * firing of the schedule is found without reading every deployment. Only those: a cursor that
     * has one was written with it by the firing that handled it, which this read may have raced.
     */
    private void expect(Deployment d, Schedule s, Instant armedAt, Instant now) {
        Optional<ScheduleCursors.Cursor> cursor = cursor(d, s);
        if (cursor.isPresent() && cursor.get().next() != null) return;
        cursors.putCursor(d.id(), s.slug(), new ScheduleCursors.Cursor(cursor.map(ScheduleCursors.Cursor::handled).orElse(now), armedAt));
    }

    private static boolean pauseEnded(Deployment d, Instant now) {
        return d.paused() && d.resumeAt() != null && !d.resumeAt().isAfter(now);
    }

    /**
     * Fires what the cursor says is missed, by the catchup policy, then arms the next firing. Firings
     * within {@code grace} of now are not missed but due, and fire whatever the policy.
     *
     * @param fired a firing just handled (its run made), which the cursor does not show yet; or null
     */
    private void catchUp(Deployment d, Schedule s, Instant now, Duration grace, Instant fired) {
        Optional<ScheduleCursors.Cursor> cursor = cursor(d, s);
        Instant from = cursor.map(ScheduleCursors.Cursor::handled).orElse(now);
        if (fired != null && fired.isAfter(from)) from = fired;
        Instant windowStart = now.minus(s.catchupWindow());
        Instant dueSince = now.minus(grace);
        // Nothing before the window or the grace can fire, so nothing before them is looked at.
        Instant lookFrom = max(from, windowStart.isBefore(dueSince) ? windowStart : dueSince);
        List<Instant> missed = lookFrom.isBefore(now)
                ? engine.between(s, lookFrom.plusNanos(1), now.plusNanos(1), d.id(), MAX_CATCHUP) : List.of();
        List<Instant> fire = new ArrayList<>();
        List<Instant> eligible = new ArrayList<>();
        for (Instant t : missed) {
            if (!t.isBefore(dueSince)) fire.add(t);
            else if (!t.isBefore(windowStart)) eligible.add(t);
        }
        if (s.catchup() == Schedule.Catchup.ALL) fire.addAll(0, eligible);
        else if (s.catchup() == Schedule.Catchup.LATEST && !eligible.isEmpty()) fire.add(0, eligible.get(eligible.size() - 1));
        if (fire.size() < missed.size()) {
            LOG.info("schedule " + s.slug() + " of " + d.fullName() + ": " + (missed.size() - fire.size())
                    + " missed firing(s) not run (catchup " + s.catchup().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        for (Instant t : fire) createRun(d, s, t, true);
        Instant handled = max(from, now);
        Instant next = engine.next(s, handled, d.id()).orElse(null);
        // Before arming: a cursor that expects the armed firing is what lets the janitor notice it got lost.
        if (cursor.isEmpty() || cursor.get().handled().isBefore(handled) || !Objects.equals(cursor.get().next(), next)) {
            cursors.putCursor(d.id(), s.slug(), new ScheduleCursors.Cursor(handled, next));
        }
        if (next != null) timer.arm(new Firing(d.id(), s.slug(), next));
        else timer.disarm(Firing.timerKey(d.id(), s.slug()));
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    // ------------------------------------------------------------------ what is to come

    /** The next firings of the deployment's active schedules, merged, as the runs they would make. */
    public List<Slot> upcoming(Deployment d, Instant after, Instant until, int limit) {
        if (d.paused() && d.resumeAt() == null) return List.of();
        Instant from = d.paused() && d.resumeAt().isAfter(after) ? d.resumeAt() : after;
        Instant end = until != null ? until : from.plus(Duration.ofDays(3660));
        if (!end.isAfter(from)) return List.of();
        return slots(d, from.plusNanos(1), end, limit, "limit");
    }

    /** A run a pool will get soon: computed from a schedule (no run id yet) or already created (perhaps late). */
    public record Preview(String deploymentId, String deployment, Instant scheduledStartTime, String schedule,
                          String flowRunId, boolean late) {}

    /** What the pool's deployments will run within {@code window}, and its runs that are due or late. */
    public List<Preview> preview(String poolName, Duration window, int limit) {
        pools.pool(poolName).orElseThrow(() -> BadInput.notFound("work pool", poolName));
        Instant now = clock.now();
        Instant until = now.plus(window);
        List<Preview> out = new ArrayList<>();
        String next = null;
        do {
            Page<FlowRun> page = runStore.runs(new RunFilter(Set.of(StateType.SCHEDULED), null, poolName, null), PAGE, next);
            for (FlowRun run : page.items()) {
                if (run.scheduledStartTime().isAfter(until)) continue;
                boolean late = OrchestrationPolicy.LATE.equals(run.state().name());
                out.add(new Preview(run.deploymentId(), run.flowName() + "/" + run.deploymentName(),
                        run.scheduledStartTime(), null, run.id(), late));
            }
            next = page.next();
        } while (next != null && out.size() < MAX_LIST);
        do {
            Page<Deployment> page = deployments.deployments(poolName, PAGE, next);
            for (Deployment d : page.items()) {
                for (Slot slot : upcoming(d, now, until, limit)) {
                    out.add(new Preview(d.id(), d.fullName(), slot.scheduledStartTime(), slot.schedule(), null, false));
                }
            }
            next = page.next();
        } while (next != null && out.size() < MAX_LIST);
        out.sort(Comparator.comparing(Preview::scheduledStartTime).thenComparing(Preview::deployment));
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    /** Creates (or lists, for a dry run) the runs of every firing in {@code [start, end)}; idempotent. */
    public List<Slot> backfill(Deployment d, Instant start, Instant end, boolean dryRun) {
        Instants.check("start", start);
        Instants.check("end", end);
        if (!end.isAfter(start)) throw BadInput.invalid("end", "'end' " + end + " must be after 'start' " + start);
        List<Slot> slots = slots(d, start, end, MAX_LIST, "end");
        if (dryRun) return slots;
        Map<String, Schedule> bySlug = new LinkedHashMap<>();
        for (Schedule s : d.schedules()) bySlug.put(s.slug(), s);
        List<Slot> made = new ArrayList<>();
        for (Slot slot : slots) {
            Created c = createRun(d, bySlug.get(slot.schedule()), slot.scheduledStartTime(), false);
            made.add(new Slot(slot.scheduledStartTime(), slot.slot(), slot.schedule(), slot.parameters(),
                    c.run == null ? null : c.run.id(), c.outcome == Outcome.CREATED));
        }
        return made;
    }

    private List<Slot> slots(Deployment d, Instant from, Instant until, int limit, String limitField) {
        List<Slot> all = new ArrayList<>();
        Set<String> keys = new java.util.HashSet<>();
        for (Schedule s : d.schedules()) {
            for (Instant t : engine.between(s, from, until, d.id(), limit + 1)) {
                ObjectNode parameters = effectiveParameters(d, s);
                Instant slot = t.minus(ScheduleEngine.jitter(s, d.id()));
                if (keys.add(idempotencyKey(d, slot, parameters))) all.add(new Slot(t, slot, s.slug(), parameters, null, null));
            }
        }
        all.sort(Comparator.comparing(Slot::scheduledStartTime).thenComparing(Slot::schedule));
        if (all.size() > limit && limitField.equals("end")) {
            throw BadInput.invalid("end", "more than " + limit + " firings between start and end; backfill a shorter range");
        }
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }

    // ------------------------------------------------------------------ runs

    private record Created(FlowRun run, Outcome outcome) {}

    /** Creates the run of one firing; a firing the deployment refuses (its pool is gone) is logged, not retried forever. */
    private Created createRun(Deployment d, Schedule s, Instant at, boolean applyOverlap) {
        try {
            return tryCreateRun(d, s, at, applyOverlap);
        } catch (BadInput e) {
            LOG.warning("schedule " + s.slug() + " of " + d.fullName() + ": no run for the firing at " + at + ": "
                    + e.getMessage());
            return new Created(null, Outcome.REFUSED);
        }
    }

    private Created tryCreateRun(Deployment d, Schedule s, Instant at, boolean applyOverlap) {
        ObjectNode parameters = effectiveParameters(d, s);
        Instant slot = at.minus(ScheduleEngine.jitter(s, d.id()));
        String key = idempotencyKey(d, slot, parameters);
        if (applyOverlap && d.overlap() != Overlap.ALLOW) {
            List<FlowRun> active = runStore.runs(new RunFilter(StateType.ACTIVE, d.id(), null, null), 50, null).items().stream()
                    .filter(r -> !key.equals(r.idempotencyKey())).toList();
            if (!active.isEmpty()) {
                boolean waiting = active.stream().anyMatch(r -> r.stateType() == StateType.SCHEDULED);
                if (d.overlap() == Overlap.SKIP || (d.overlap() == Overlap.BUFFER_ONE && waiting)) {
                    LOG.info("schedule " + s.slug() + " of " + d.fullName() + ": firing at " + at + " skipped, "
                            + active.size() + " run(s) still active (overlap " + d.overlap().wire() + ")");
                    return new Created(null, Outcome.SKIPPED_OVERLAP);
                }
                if (d.overlap() == Overlap.CANCEL_OTHER) cancelAll(active);
            }
        }
        FlowRunService.Created c = runs.create(d, new FlowRunService.NewRun(parameters, null, key, at, null, null));
        return new Created(c.run(), c.created() ? Outcome.CREATED : Outcome.EXISTED);
    }

    private void cancelAll(List<FlowRun> active) {
        for (FlowRun run : active) {
            try {
                runs.cancel(run.id());
            } catch (TransitionRefused | BadInput e) {
                // It ended (or is ending) meanwhile: nothing left to cancel.
            }
        }
    }

    /** The deployment's parameters with the schedule's on top, as the run will get them. */
    private static ObjectNode effectiveParameters(Deployment d, Schedule s) {
        ObjectNode merged = d.parameters() == null ? JsonNodeFactory.instance.objectNode() : d.parameters().deepCopy();
        merged.setAll(s.parameters());
        return merged;
    }

    static String idempotencyKey(Deployment d, Instant slot, ObjectNode parameters) {
        return "schedule:" + Hashes.sha256Hex(d.id() + "\n" + slot + "\n" + Json.canonical(parameters)).substring(0, 40);
    }

    // ------------------------------------------------------------------ schedules and cursors

    private static Optional<Schedule> schedule(Deployment d, String slug) {
        return d.schedules().stream().filter(s -> slug.equals(s.slug())).findFirst();
    }

    private Optional<ScheduleCursors.Cursor> cursor(Deployment d, Schedule s) {
        return cursors.cursor(d.id(), s.slug());
    }
}
