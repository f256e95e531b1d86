package dev.ferry.core.automations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Json;
import dev.ferry.core.events.Event;
import dev.ferry.core.events.LabelPattern;
import dev.ferry.core.events.Resource;
import dev.ferry.core.triggers.TriggerStore.Entry;
import dev.ferry.core.triggers.TriggerStore.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Applies one event to one automation's trigger tree: reads the buckets it touches, decides what
 * each trigger makes of the event (Prefect's rules: expect, after, threshold, within, for_each,
 * compound, sequence) and collects the bucket changes, the history lines and whether the
 * automation fires. Nothing is written here; the engine commits what this collected, all at once.
 *
 * <p>A proactive window that closed with too few events is applied the same way ({@link #closing}):
 * that trigger fired when its window ended, and its parents (a compound, a sequence) take it as
 * they take a child that an event made fire.
 */
final class TreeEvaluator {
    static final String ROOT = "t";

    /** A trigger that fired: where, for which key, over which window. */
    record Fired(String path, String key, Instant windowStart, Instant windowEnd, int count, int threshold) {}

    /** What the evaluation wants stored for one bucket: the entry it read (null: none) and the bucket after (null: gone). */
    record BucketChange(Key key, Entry before, Bucket after) {}

    private final String automationId;
    /** The event applied; null when a window closing is. */
    private final Event event;
    /** When the cause happened, for the windows it counts in: the event's occurrence, or the closed window's end. */
    private final Instant time;
    /** The time its history lines carry. */
    private final Instant noted;
    /** The proactive trigger whose window closed with too few events, firing; null when an event is applied. */
    private final Fired closed;
    private final Function<Key, Optional<Entry>> read;
    private final Map<Key, BucketChange> changes = new LinkedHashMap<>();
    private final List<Entry> ended = new ArrayList<>();
    private final List<Evaluation> history = new ArrayList<>();

    TreeEvaluator(String automationId, Event event, Function<Key, Optional<Entry>> read) {
        this(automationId, event, event.occurred(), event.received() != null ? event.received() : event.occurred(), null, read);
    }

    private TreeEvaluator(String automationId, Event event, Instant time, Instant noted, Fired closed,
                          Function<Key, Optional<Entry>> read) {
        this.automationId = automationId;
        this.event = event;
        this.time = time;
        this.noted = noted;
        this.closed = closed;
        this.read = read;
    }

    /**
     * The proactive trigger that kept {@code window} fired when the window ended, as few as
     * {@code window.count()} of {@code threshold} expected events having come: applied to the tree
     * as of its end, so that a compound or sequence above it counts that firing in its own window.
     */
    static TreeEvaluator closing(String automationId, Bucket window, int threshold, Instant now,
                                 Function<Key, Optional<Entry>> read) {
        Fired fired = new Fired(window.trigger(), window.key(), window.start(), window.end(), window.count(), threshold);
        return new TreeEvaluator(automationId, null, window.end(), now, fired, read);
    }

    /** Evaluates the tree; the firing of its root, if the event made it fire. */
    Optional<Fired> evaluate(Trigger root) {
        return node(root, ROOT);
    }

    List<BucketChange> changes() {
        return List.copyOf(changes.values());
    }

    List<Evaluation> history() {
        return List.copyOf(history);
    }

    /**
     * Proactive windows that ended before the event occurred and that no janitor closed yet: they
     * must be closed (and may fire) before the event is applied, which would otherwise count in a
     * window of its own in their place, and their miss would be lost.
     */
    List<Entry> ended() {
        return List.copyOf(ended);
    }

    /** Whether any trigger of the tree has {@code name} among its expected or after events: if none does, the event is no business of it. */
    static boolean concerns(Trigger trigger, String name) {
        if (trigger instanceof Trigger.Event e) {
            return (!e.expect().isEmpty() && positiveMatch(e.expect(), name)) || (!e.after().isEmpty() && positiveMatch(e.after(), name));
        }
        List<Trigger> children = trigger instanceof Trigger.Compound c ? c.triggers() : ((Trigger.Sequence) trigger).triggers();
        return children.stream().anyMatch(t -> concerns(t, name));
    }

    static Key bucketKey(String automationId, String path, String key) {
        return new Key("buckets/" + automationId, path + "|" + key);
    }

    private Optional<Fired> node(Trigger trigger, String path) {
        if (closed != null) {
            if (path.equals(closed.path())) {
                note(path, "window_missed", closed.count() + " of " + closed.threshold()
                        + " expected events came before the window closed", closed.count(), closed.threshold(),
                        closed.windowStart(), closed.windowEnd());
                return Optional.of(closed);
            }
            // only the closed trigger and the nodes above it take part; no event reaches any other
            if (!closed.path().startsWith(path + ".")) return Optional.empty();
        }
        if (trigger instanceof Trigger.Event e) return event(e, path);
        if (trigger instanceof Trigger.Compound c) return compound(c, path);
        return sequence((Trigger.Sequence) trigger, path);
    }

    private Optional<Fired> event(Trigger.Event t, String path) {
        boolean expected = !t.expect().isEmpty() && positiveMatch(t.expect(), event.event());
        boolean opens = !t.after().isEmpty() && positiveMatch(t.after(), event.event());
        if (!expected && !opens) return Optional.empty();
        Optional<String> miss = t.match().mismatch(event.resource());
        if (miss.isEmpty()) miss = relatedMismatch(t);
        if (miss.isPresent()) {
            note(path, "near_miss", "the event's " + miss.get(), null, t.threshold(), null);
            return Optional.empty();
        }
        String key = forEachKey(t);
        Key at = bucketKey(automationId, path, key);
        Bucket bucket = current(at);
        Duration within = t.within();
        Instant occurred = event.occurred();
        if (t.posture() == Posture.PROACTIVE && bucket != null && bucket.end() != null && !changes.containsKey(at)
                && !occurred.isBefore(bucket.end())) {
            read.apply(at).filter(e -> e.due() != null).ifPresent(ended::add);
            return Optional.empty();
        }
        if (opens && (bucket == null || bucket.armedBy() == null || !bucket.covers(occurred))) {
            ObjectNode opener = Json.MAPPER.valueToTree(event);
            opener.remove("payload");
            bucket = Bucket.open(path, key, event.id(), occurred, within.isZero() ? null : occurred.plus(within)).openedBy(opener);
            store(at, bucket);
            note(path, "window_opened", "'" + event.event() + "' opened a window", 0, t.threshold(), bucket);
        }
        if (!expected) return Optional.empty();
        if (!t.after().isEmpty() && (bucket == null || bucket.armedBy() == null || !bucket.covers(occurred))) {
            note(path, "waiting", "no event of " + t.after() + " opened a window this event falls in", null, t.threshold(), null);
            return Optional.empty();
        }
        if (bucket == null || !bucket.counts(occurred)) {
            bucket = Bucket.open(path, key, null, occurred, within.isZero() ? null : occurred.plus(within));
        }
        bucket = bucket.counted(event.id());
        if (t.posture() == Posture.PROACTIVE) {
            // the window is closed by the janitor when it ends: it fires then if too few came, and the next one opens
            store(at, bucket);
            note(path, "counted", bucket.count() >= t.threshold() ? "enough expected events came: this window will not fire" : null,
                    bucket.count(), t.threshold(), bucket);
            return Optional.empty();
        }
        if (bucket.count() >= t.threshold()) {
            remove(at);
            note(path, "fired", null, bucket.count(), t.threshold(), bucket);
            return Optional.of(new Fired(path, key, bucket.start(), bucket.end(), bucket.count(), t.threshold()));
        }
        store(at, bucket);
        note(path, "counted", null, bucket.count(), t.threshold(), bucket);
        return Optional.empty();
    }

    private Optional<Fired> compound(Trigger.Compound c, String path) {
        List<String> fired = new ArrayList<>();
        for (int i = 0; i < c.triggers().size(); i++) {
            if (node(c.triggers().get(i), path + "." + i).isPresent()) fired.add(path + "." + i);
        }
        if (fired.isEmpty()) return Optional.empty();
        Key at = bucketKey(automationId, path, "");
        Bucket bucket = live(current(at), c.within(), path);
        for (String child : fired) bucket = bucket.withChild(child, time);
        if (bucket.children().size() >= c.require()) {
            remove(at);
            note(path, "fired", bucket.children().size() + " of " + c.require() + " required triggers fired",
                    bucket.children().size(), c.require(), bucket);
            return Optional.of(new Fired(path, "", bucket.start(), bucket.end(), bucket.children().size(), c.require()));
        }
        store(at, bucket);
        note(path, "counted", bucket.children().size() + " of " + c.require() + " required triggers fired",
                bucket.children().size(), c.require(), bucket);
        return Optional.empty();
    }

    private Optional<Fired> sequence(Trigger.Sequence s, String path) {
        Key at = bucketKey(automationId, path, "");
        Bucket bucket = null;
        boolean read = false;
        for (int i = 0; i < s.triggers().size(); i++) {
            if (node(s.triggers().get(i), path + "." + i).isEmpty()) continue;
            if (!read) {
                bucket = current(at);
                if (bucket != null && bucket.end() != null && !bucket.counts(time)) bucket = null;
                read = true;
            }
            int next = bucket == null ? 0 : bucket.children().size();
            if (i == 0 && next != 0) bucket = null; // the first step again starts the sequence over
            if (i == 0) {
                bucket = live(null, s.within(), path).withChild(path + ".0", time);
            } else if (bucket != null && next == i && !before(bucket)) {
                bucket = bucket.withChild(path + "." + i, time);
            } else if (bucket != null && next == i) {
                note(path, "waiting", "step " + i + "'s window ended at " + time + ", before step " + (i - 1)
                        + " fired: not in order", next, s.triggers().size(), bucket);
                continue;
            } else {
                note(path, "waiting", "step " + i + " fired out of order (the sequence expects step " + next + ")", next,
                        s.triggers().size(), bucket);
                continue;
            }
            if (bucket.children().size() == s.triggers().size()) {
                remove(at);
                note(path, "fired", "all " + s.triggers().size() + " steps fired in order", bucket.children().size(),
                        s.triggers().size(), bucket);
                return Optional.of(new Fired(path, "", bucket.start(), bucket.end(), bucket.children().size(),
                        s.triggers().size()));
            }
        }
        if (read && bucket != null) {
            store(at, bucket);
            note(path, "counted", bucket.children().size() + " of " + s.triggers().size() + " steps fired in order",
                    bucket.children().size(), s.triggers().size(), bucket);
        }
        return Optional.empty();
    }

    /** {@code bucket} if its window still covers the event, else a fresh window starting at it. */
    private Bucket live(Bucket bucket, Duration within, String path) {
        if (bucket != null && bucket.counts(time)) return bucket;
        return Bucket.open(path, "", null, time, within.isZero() ? null : time.plus(within));
    }

    /**
     * Whether a closed window ended before the sequence's latest step fired. Events take their
     * steps in the order they were stored; a window is closed by the janitor a sweep after it
     * ended, when later events may have been counted, so its place is its end's.
     */
    private boolean before(Bucket sequence) {
        return closed != null && sequence.children().values().stream().anyMatch(time::isBefore);
    }

    private Optional<String> relatedMismatch(Trigger.Event t) {
        for (int i = 0; i < t.matchRelated().size(); i++) {
            ResourceSpec spec = t.matchRelated().get(i);
            if (event.related().stream().anyMatch(spec::matches)) continue;
            // the closest related resource: one in the role the spec asks for, else the first
            List<String> roles = spec.labels().getOrDefault(Resource.ROLE, List.of());
            Resource closest = event.related().stream().filter(r -> LabelPattern.matchesAny(roles, r.role())).findFirst()
                    .orElse(event.related().isEmpty() ? null : event.related().get(0));
            return Optional.of(closest == null ? "related resources: there were none (match_related[" + i + "])"
                    : "related " + (closest.role() == null ? "resource" : closest.role()) + ": "
                    + spec.mismatch(closest).orElse("it matched, but not in one resource") + " (match_related[" + i + "])");
        }
        return Optional.empty();
    }

    private String forEachKey(Trigger.Event t) {
        if (t.forEach().isEmpty()) return "";
        List<String> values = new ArrayList<>();
        for (String label : t.forEach()) values.add(String.valueOf(event.resource().labels().get(label)));
        return String.join("\u0001", values);
    }

    private Bucket current(Key key) {
        BucketChange change = changes.get(key);
        if (change != null) return change.after();
        return read.apply(key).map(e -> Documents.readStored(e.doc(), Bucket.class)).orElse(null);
    }

    private Entry entry(Key key) {
        BucketChange change = changes.get(key);
        return change != null ? change.before() : read.apply(key).orElse(null);
    }

    private void store(Key key, Bucket bucket) {
        changes.put(key, new BucketChange(key, entry(key), bucket));
    }

    private void remove(Key key) {
        changes.put(key, new BucketChange(key, entry(key), null));
    }

    private void note(String path, String outcome, String detail, Integer count, Integer threshold, Bucket bucket) {
        note(path, outcome, detail, count, threshold, bucket == null ? null : bucket.start(), bucket == null ? null : bucket.end());
    }

    private void note(String path, String outcome, String detail, Integer count, Integer threshold, Instant start, Instant end) {
        history.add(new Evaluation(noted, event == null ? null : event.id(), event == null ? null : event.event(), path, outcome,
                detail, count, threshold, start, end, null));
    }

    /** A negation alone ("!x") says what must not match; only a positive pattern can say an event is expected. */
    private static boolean positiveMatch(List<String> patterns, String name) {
        return patterns.stream().anyMatch(p -> !p.startsWith("!")) && LabelPattern.matchesAny(patterns, name);
    }
}
