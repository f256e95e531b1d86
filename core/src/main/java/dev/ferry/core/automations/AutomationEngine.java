package dev.ferry.core.automations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Contention;
import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Hashes;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.EventSink;
import dev.ferry.core.events.Resource;
import dev.ferry.core.triggers.Ring;
import dev.ferry.core.triggers.TriggerStore;
import dev.ferry.core.triggers.TriggerStore.Change;
import dev.ferry.core.triggers.TriggerStore.Entry;
import dev.ferry.core.triggers.TriggerStore.Key;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Evaluates events against the enabled automations and carries out what fires, exactly once:
 *
 * <ul>
 *   <li>An event counts once per automation: the counts it moves, a mark that it was seen, and
 *       the firing it causes are one commit, conditional on the mark being new and each count
 *       being at the revision read. A redelivered event, or two engines on the same event, find
 *       the mark and do nothing.</li>
 *   <li>A firing's key is derived from what made it fire (the automation, the trigger, the
 *       for_each key, the event or the window), and every action's own key from it.</li>
 *   <li>A firing is recorded with a lease before its actions run, and each action's outcome is
 *       written as it happens; a firing whose engine died is picked up when its lease runs out.</li>
 * </ul>
 */
public final class AutomationEngine {
    /** How long a firing's actions may take before another engine takes over (they are idempotent). */
    static final Duration LEASE = Duration.ofSeconds(60);
    /** How long an event's seen mark is kept: longer than an event can be redelivered (its retention). */
    static final Duration SEEN_FOR = Duration.ofDays(8);
    static final Duration HISTORY_FOR = Duration.ofDays(7);
    static final Duration FIRINGS_FOR = Duration.ofDays(30);
    /** History slots per automation: a ring, so a busy automation's history stays bounded. */
    static final int HISTORY_SLOTS = 256;
    /** How long the set of enabled automations is kept between reads of the store. */
    static final Duration CACHE_FOR = Duration.ofSeconds(1);
    private static final int MAX_ATTEMPTS = 20;
    /** Near misses and waits kept per automation: at most one this often. */
    static final Duration MISS_EVERY = Duration.ofSeconds(1);
    /** Where automations' shares of a batch are evaluated side by side. */
    private static final java.util.concurrent.ExecutorService WORKERS = java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "ferry-automation-evaluator");
        t.setDaemon(true);
        return t;
    });
    private static final Logger LOG = Logger.getLogger(AutomationEngine.class.getName());

    private final TriggerStore store;
    private final AutomationService automations;
    private final ActionRunner runner;
    private final EventSink events;
    private final CircuitBreaker breaker;
    private final Clock clock;
    static final Duration PURGE_EVERY = Duration.ofMinutes(1);
    private volatile Instant lastPurge;
    private final java.util.Map<String, Long> lastMiss = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile List<Live> cached;
    private volatile long cachedAt;

    /** An enabled automation with its trigger and actions parsed once. */
    private record Live(Automation automation, Trigger trigger, List<Action> actions) {}

    AutomationEngine(TriggerStore store, AutomationService automations, ActionRunner runner, EventSink events,
                     CircuitBreaker breaker, Clock clock) {
        this.store = store;
        this.automations = automations;
        this.runner = runner;
        this.events = events;
        this.breaker = breaker;
        this.clock = clock;
        automations.onChange(() -> cached = null);
    }

    static String historyGroup(String automationId) {
        return "history/" + automationId;
    }

    static String firingsGroup(String automationId) {
        return "firings/" + automationId;
    }

    /** Applies one event to every enabled automation it concerns. Safe to call again with the same event. */
    public void evaluate(Event event) throws InterruptedException {
        evaluate(List.of(event));
    }

    /**
     * Applies a batch of events, in order, to every enabled automation. Automations are
     * independent of each other, so each one's share of the batch is evaluated on its own thread
     * (their commits share the store's group commit); within one automation the events keep their
     * order, which windows and sequences depend on. Safe to call again with the same events.
     */
    public void evaluate(List<Event> batch) throws InterruptedException {
        List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
        for (Live live : enabled()) {
            List<Event> concerned = batch.stream().filter(e -> TreeEvaluator.concerns(live.trigger(), e.event())).toList();
            if (concerned.isEmpty()) continue;
            tasks.add(() -> {
                List<Evaluation> history = new ArrayList<>();
                try {
                    for (Event event : concerned) {
                        Optional<Firing> fired = count(live, event, history);
                        if (fired.isPresent()) execute(live, fired.get());
                    }
                } finally {
                    remember(live.automation().id(), history);
                }
                return null;
            });
        }
        if (tasks.size() == 1) {
            call(tasks.get(0));
            return;
        }
        for (java.util.concurrent.Future<Void> done : WORKERS.invokeAll(tasks)) {
            try {
                done.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof InterruptedException i) throw i;
                throw new IllegalStateException("evaluating an automation failed", e.getCause());
            }
        }
    }

    private static void call(java.util.concurrent.Callable<Void> task) throws InterruptedException {
        try {
            task.call();
        } catch (RuntimeException | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("evaluating an automation failed", e);
        }
    }

    /**
     * What the janitor does: closes the proactive windows that ended, takes over firings whose
     * lease ran out, and (about once a minute) drops the seen marks, firings and history past
     * their time, where the store does not expire them itself.
     */
    public int sweep() throws InterruptedException {
        Instant now = clock.now();
        if (lastPurge == null || !now.isBefore(lastPurge.plus(PURGE_EVERY))) {
            lastPurge = now;
            store.purge(now);
        }
        int done = 0;
        for (Entry entry : store.due(clock.now(), 100)) {
            String group = entry.key().group();
            if (group.startsWith("buckets/")) done += close(group.substring("buckets/".length()), entry) ? 1 : 0;
            else if (group.startsWith("firings/")) done += resume(group.substring("firings/".length()), entry) ? 1 : 0;
        }
        return done;
    }

    /** Counts one event for one automation; its history lines go to {@code history}, written with the rest of the batch's. */
    private Optional<Firing> count(Live live, Event event, List<Evaluation> history) throws InterruptedException {
        Automation a = live.automation();
        Key seen = new Key("seen/" + a.id(), event.id());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            // No read of the seen mark first: the commit is conditional on it, and most events change nothing.
            TreeEvaluator evaluation = new TreeEvaluator(a.id(), event, store::get);
            Optional<TreeEvaluator.Fired> fired = evaluation.evaluate(live.trigger());
            if (!evaluation.ended().isEmpty()) {
                // windows the event came after, which the janitor has not closed yet: closed first, as it would have
                for (Entry window : evaluation.ended()) close(a.id(), window);
                continue;
            }
            List<Change> changes = bucketChanges(live, evaluation.changes());
            Firing firing = fired.map(f -> firing(live, key(a.id(), f.path(), f.key(), event.id()), f, event)).orElse(null);
            CircuitBreaker.Decision decision = firing == null ? null : breaker.admit(a.id(), clock.now());
            if (decision instanceof CircuitBreaker.Decision.Open open) {
                // paused, or about to be: the firing is held, and nothing counts (as for a paused automation)
                note(a.id(), List.of(held(event, firing, "held", "the circuit breaker is open: this firing was not made")), null,
                        history);
                tripped(a, open.state(), event);
                return Optional.empty();
            }
            if (decision instanceof CircuitBreaker.Decision.Fire f) {
                changes.add(f.change());
                changes.add(Change.create(new Key(firingsGroup(a.id()), firing.key()), Documents.write(firing),
                        clock.now().plus(LEASE), clock.now().plus(FIRINGS_FOR)));
            }
            CircuitBreaker.Decision.Trip trip = decision instanceof CircuitBreaker.Decision.Trip t ? t : null;
            if (trip != null) changes.add(trip.change());
            if (changes.isEmpty()) {
                // nothing counted (a near miss, a step out of order): nothing to keep it from counting twice
                note(a.id(), evaluation.history(), null, history);
                return Optional.empty();
            }
            changes.add(0, Change.create(seen, "{}", null, clock.now().plus(SEEN_FOR)));
            if (store.commit(changes)) {
                if (trip != null) {
                    // the event counted, but its firing is the one too many: it is not made
                    note(a.id(), evaluation.history().stream().filter(e -> !"fired".equals(e.outcome())).toList(), null, history);
                    history.add(held(event, firing, "circuit_broken", trip.state().reason()));
                    tripped(a, trip.state(), event);
                    return Optional.empty();
                }
                note(a.id(), evaluation.history(), firing, history);
                if (firing != null) publish(triggered(a, firing));
                return Optional.ofNullable(firing);
            }
            // lost: to an engine that counted this event already (its mark, or the firing it made, is there), or to a
            // count of another event (read again and retry)
            if (store.get(seen).isPresent()) return Optional.empty();
            if (firing != null && store.get(new Key(firingsGroup(a.id()), firing.key())).isPresent()) return Optional.empty();
        }
        throw new Contention("automation " + a.name() + " kept losing races over event " + event.id() + "; it is tried again");
    }

    /**
     * A proactive window ended: its trigger fires if too few expected events came, and the next
     * window opens. That trigger may be the automation's whole trigger, or part of a compound or
     * sequence one, which then counts it (and may fire) as it counts a child an event made fire.
     * The window's entry is closed at the revision read, in the commit that records what it made
     * fire, so of two engines closing it one does, and the firing's key is derived from the window.
     */
    private boolean close(String automationId, Entry entry) throws InterruptedException {
        Bucket bucket = Documents.readStored(entry.doc(), Bucket.class);
        Optional<Automation> automation = automations.find(automationId);
        Live live = automation.filter(Automation::enabled).map(AutomationEngine::compile).orElse(null);
        Trigger.Event trigger = live == null ? null : Windows.at(live.trigger(), bucket.trigger()) instanceof Trigger.Event e ? e : null;
        List<Change> changes = new ArrayList<>();
        List<Evaluation> lines = List.of();
        Firing firing = null;
        CircuitBreaker.Decision decision = null;
        Firing held = null;
        if (trigger != null && trigger.posture() == Posture.PROACTIVE && bucket.count() < trigger.threshold()) {
            TreeEvaluator evaluation = TreeEvaluator.closing(automationId, bucket, trigger.threshold(), clock.now(), store::get);
            Optional<TreeEvaluator.Fired> fired = evaluation.evaluate(live.trigger());
            changes.addAll(bucketChanges(live, evaluation.changes()));
            lines = evaluation.history();
            if (fired.isPresent()) {
                firing = firing(live, key(automationId, fired.get().path(), fired.get().key(), cause(bucket)), fired.get(),
                        opener(bucket));
                decision = breaker.admit(automationId, clock.now());
                if (decision instanceof CircuitBreaker.Decision.Fire f) {
                    changes.add(f.change());
                    changes.add(Change.create(new Key(firingsGroup(automationId), firing.key()), Documents.write(firing),
                            clock.now().plus(LEASE), clock.now().plus(FIRINGS_FOR)));
                } else {
                    if (decision instanceof CircuitBreaker.Decision.Trip t) changes.add(t.change());
                    held = firing;
                    firing = null; // the window closes without firing: the breaker holds it
                }
            }
        }
        if (trigger != null && trigger.after().isEmpty() && trigger.posture() == Posture.PROACTIVE) {
            // without an after event to wait for, windows follow each other
            Bucket next = Bucket.open(bucket.trigger(), bucket.key(), null, bucket.end(), bucket.end().plus(trigger.within()));
            changes.add(Change.replace(entry, Documents.write(next), next.end(), Windows.expires(next)));
        } else {
            changes.add(Change.delete(entry));
        }
        if (!store.commit(changes)) return false; // another janitor closed it, or an event counted meanwhile: seen next sweep
        if (decision instanceof CircuitBreaker.Decision.Trip t) {
            remember(automationId, List.of(held(null, held, "circuit_broken", t.state().reason())));
            tripped(live.automation(), t.state(), null);
        } else if (decision instanceof CircuitBreaker.Decision.Open o) {
            remember(automationId, List.of(held(null, held, "held",
                    "the window closed with too few events, but the circuit breaker is open: no firing was made")));
            tripped(live.automation(), o.state(), null);
        } else if (!lines.isEmpty()) {
            List<Evaluation> history = new ArrayList<>();
            note(automationId, lines, firing, history);
            remember(automationId, history);
        } else if (live != null && trigger != null) {
            String detail = bucket.count() + " of " + trigger.threshold() + " expected events came before the window closed";
            remember(automationId, List.of(new Evaluation(clock.now(), null, null, bucket.trigger(), "window_met", detail,
                    bucket.count(), trigger.threshold(), bucket.start(), bucket.end(), null)));
        }
        if (firing != null) {
            publish(triggered(live.automation(), firing));
            execute(live, firing);
        }
        return true;
    }

    /**
     * What a closed window's firing is derived from: the automation's whole trigger keeps its
     * window's start (the key it always had); a part of a compound or sequence, the window itself.
     */
    private static String cause(Bucket window) {
        return TreeEvaluator.ROOT.equals(window.trigger()) ? window.start().toString()
                : "window\u0000" + window.trigger() + "\u0000" + window.key() + "\u0000" + window.start();
    }

    /** A firing whose lease ran out: its engine died or lost its way; the actions not done are done now. */
    private boolean resume(String automationId, Entry entry) throws InterruptedException {
        Firing firing = Documents.readStored(entry.doc(), Firing.class);
        if (!store.commit(List.of(Change.replace(entry, entry.doc(), clock.now().plus(LEASE), clock.now().plus(FIRINGS_FOR))))) {
            return false; // another engine took it
        }
        Optional<Automation> automation = automations.find(automationId);
        if (automation.isEmpty()) {
            Entry taken = store.get(entry.key()).orElse(null);
            if (taken != null) store.commit(List.of(Change.replace(taken, entry.doc(), null, clock.now().plus(FIRINGS_FOR))));
            return true;
        }
        execute(compile(automation.get()), firing);
        return true;
    }

    private void execute(Live live, Firing firing) throws InterruptedException {
        Key key = new Key(firingsGroup(live.automation().id()), firing.key());
        Firing current = firing;
        Supplier<ObjectNode> context = runner.contextOf(live.automation(), firing);
        for (int i = 0; i < live.actions().size() && i < current.actions().size(); i++) {
            if (!current.actions().get(i).pending()) continue;
            Action action = live.actions().get(i);
            Firing.Outcome outcome = runner.run(live.automation(), current, i, action, context);
            Firing next = current.withOutcome(i, outcome);
            Entry entry = store.get(key).orElse(null);
            if (entry == null) return;
            Firing stored = Documents.readStored(entry.doc(), Firing.class);
            if (!stored.actions().get(i).pending()) {
                current = stored; // another engine did it meanwhile: keep its outcome
                continue;
            }
            next = stored.withOutcome(i, outcome);
            if (!store.commit(List.of(Change.replace(entry, Documents.write(next), next.done() ? null : clock.now().plus(LEASE),
                    clock.now().plus(FIRINGS_FOR))))) {
                return; // taken over: the other engine carries on from what is stored
            }
            current = next;
            remember(live.automation().id(), List.of(new Evaluation(clock.now(), firing.event() == null ? null
                    : firing.event().path("id").asText(null), null, firing.trigger(), "ok".equals(outcome.status()) ? "action_ok"
                    : "action_failed", action.type() + ": " + outcome.detail(), null, null, null, null, firing.key())));
            publish(actionEvent(live.automation(), firing, i, outcome));
        }
    }

    /** What an evaluation wants stored for its buckets, as conditional changes on the entries it read. */
    private static List<Change> bucketChanges(Live live, List<TreeEvaluator.BucketChange> buckets) {
        List<Change> changes = new ArrayList<>();
        for (TreeEvaluator.BucketChange c : buckets) {
            if (c.before() == null && c.after() == null) continue;
            if (c.after() == null) {
                changes.add(Change.delete(c.before()));
                continue;
            }
            String doc = Documents.write(c.after());
            Instant due = Windows.due(live.trigger(), c.after());
            changes.add(c.before() == null ? Change.create(c.key(), doc, due, Windows.expires(c.after()))
                    : Change.replace(c.before(), doc, due, Windows.expires(c.after())));
        }
        return changes;
    }

    private Firing firing(Live live, String key, TreeEvaluator.Fired fired, Event event) {
        List<Firing.Outcome> outcomes = live.actions().stream().map(a -> Firing.Outcome.pending(a.type())).toList();
        ObjectNode eventJson = event == null ? null : Json.MAPPER.valueToTree(event);
        return new Firing(key, live.automation().id(), clock.now(), fired.path(), fired.key(), fired.windowStart(), fired.windowEnd(),
                fired.count(), fired.threshold(), eventJson, outcomes, false);
    }

    /** The event that opened a proactive window (without its payload), or null when none did. */
    private static Event opener(Bucket bucket) {
        return bucket.opener() == null ? null : Json.MAPPER.convertValue(bucket.opener(), Event.class);
    }

    private static String key(String automationId, String path, String bucketKey, String cause) {
        return Hashes.sha256Hex(automationId + "\u0000" + path + "\u0000" + bucketKey + "\u0000" + cause).substring(0, 32);
    }

    /**
     * Adds an evaluation's lines to the batch's history: a firing's line gets the firing's key, and
     * near misses and waits are kept at most one a second per automation, so an automation that
     * sees a flood of events it almost counts keeps a readable history (and the store a calm one).
     */
    private void note(String automationId, List<Evaluation> lines, Firing firing, List<Evaluation> history) {
        for (Evaluation e : lines) {
            if ("near_miss".equals(e.outcome()) || "waiting".equals(e.outcome()) || "held".equals(e.outcome())) {
                long now = System.nanoTime();
                Long last = lastMiss.get(automationId);
                if (last != null && now - last < MISS_EVERY.toNanos()) continue;
                lastMiss.put(automationId, now);
            }
            // the firing's own line, and the closed window that made it fire
            boolean made = "fired".equals(e.outcome()) && e.trigger().equals(firing == null ? null : firing.trigger())
                    || "window_missed".equals(e.outcome());
            history.add(firing != null && made
                    ? new Evaluation(e.at(), e.eventId(), e.event(), e.trigger(), e.outcome(), e.detail(), e.count(), e.threshold(),
                    e.windowStart(), e.windowEnd(), firing.key()) : e);
        }
    }

    private void remember(String automationId, List<Evaluation> history) {
        if (history.isEmpty()) return;
        try {
            List<Change> puts = new ArrayList<>();
            for (Evaluation line : history) {
                puts.add(Change.put(new Key(historyGroup(automationId), Ring.next(HISTORY_SLOTS)), Documents.write(line),
                        clock.now().plus(HISTORY_FOR)));
                if (puts.size() == TriggerStore.MAX_CHANGES) {
                    store.commit(puts);
                    puts = new ArrayList<>();
                }
            }
            if (!puts.isEmpty()) store.commit(puts);
        } catch (RuntimeException e) {
            // history is for people: losing a line must not undo a count or a firing
            LOG.log(Level.WARNING, "could not keep the history of automation " + automationId, e);
        }
    }

    private List<Live> enabled() {
        List<Live> live = cached;
        long now = System.nanoTime();
        if (live == null || now - cachedAt > CACHE_FOR.toNanos()) {
            live = new ArrayList<>();
            for (Automation a : automations.all()) {
                if (!a.enabled()) continue;
                try {
                    live.add(compile(a));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "automation " + a.name() + " can't be read; it is skipped", e);
                }
            }
            cached = List.copyOf(live);
            cachedAt = now;
        }
        return live;
    }

    private static Live compile(Automation a) {
        return new Live(a, AutomationParser.trigger("trigger", a.trigger()), AutomationParser.actions("actions", a.actions()));
    }

    /**
     * The breaker is open: the automation is paused (if no one did yet), and an event says so. The
     * event's id is the trip's, so an engine that finds the breaker open (its own cache a second old,
     * or the engine that opened it died before it paused the automation) says it again harmlessly.
     */
    private void tripped(Automation a, CircuitBreaker.State state, Event cause) {
        try {
            automations.breakCircuit(a.id());
        } catch (RuntimeException e) {
            // the breaker holds every firing meanwhile; the next one held pauses the automation again
            LOG.log(Level.WARNING, "could not pause automation " + a.name() + " for its circuit breaker", e);
        }
        publish(circuitBroken(a, state, cause));
    }

    private Evaluation held(Event event, Firing firing, String outcome, String detail) {
        return new Evaluation(clock.now(), event == null ? null : event.id(), event == null ? null : event.event(),
                firing.trigger(), outcome, detail, firing.count(), firing.threshold(), firing.windowStart(), firing.windowEnd(),
                null);
    }

    private Event circuitBroken(Automation a, CircuitBreaker.State state, Event cause) {
        ObjectNode payload = Json.MAPPER.createObjectNode().put("limit", breaker.limit())
                .put("within_seconds", CircuitBreaker.WINDOW.toSeconds()).put("reason", state.reason());
        if (cause != null) {
            payload.put("triggering_event_id", cause.id());
            payload.put("triggering_event", cause.event());
        }
        // one id per trip: an engine that pauses the automation again after a crash says it once
        return new Event(id(a.id() + "/circuit-broken/" + state.brokenAt()), state.brokenAt(), "ferry.automation.circuit-broken",
                resource(a), List.of(), payload, null, null);
    }

    private void publish(Event event) {
        try {
            events.publish(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not store event " + event.event(), e);
        }
    }

    private Event triggered(Automation a, Firing firing) {
        ObjectNode payload = Json.MAPPER.createObjectNode().put("firing", firing.key()).put("trigger", firing.trigger())
                .put("count", firing.count()).put("threshold", firing.threshold());
        List<Resource> related = new ArrayList<>();
        if (firing.event() != null) {
            payload.put("triggering_event_id", firing.event().path("id").asText());
            payload.put("triggering_event", firing.event().path("event").asText());
        }
        return new Event(id(firing.key() + "/triggered"), firing.at(), "ferry.automation.triggered", resource(a), related, payload,
                null, null);
    }

    private Event actionEvent(Automation a, Firing firing, int index, Firing.Outcome outcome) {
        ObjectNode payload = Json.MAPPER.createObjectNode().put("firing", firing.key()).put("action_index", index)
                .put("action_type", outcome.type()).put("detail", outcome.detail());
        List<Resource> related = new ArrayList<>();
        if (outcome.flowRunId() != null) {
            payload.put("flow_run_id", outcome.flowRunId());
            related.add(Resource.related("ferry.flow-run." + outcome.flowRunId(), null, "flow-run"));
        }
        String name = "ok".equals(outcome.status()) ? "ferry.automation.action.executed" : "ferry.automation.action.failed";
        return new Event(id(firing.key() + "/" + index + "/" + outcome.status()), clock.now(), name, resource(a), related, payload,
                null, null);
    }

    private static Resource resource(Automation a) {
        return Resource.of("ferry.automation." + a.id(), a.name());
    }

    private static String id(String seed) {
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
