package dev.ferry.core.automations;

import dev.ferry.core.common.Documents;
import dev.ferry.core.triggers.TriggerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Where buckets live and when the janitor must look at them: a proactive window when it closes. */
final class Windows {
    /** A closed reactive window is kept this long past its end, then forgotten. */
    static final Duration KEPT_AFTER_END = Duration.ofDays(1);
    /**
     * Most windows an automation may open when it is created or enabled: they are written in the
     * commit that stores it (with its id, and on a resume its breaker), within the store's limit.
     */
    static final int MAX_OPENED = TriggerStore.MAX_CHANGES - 5;

    private Windows() {}

    static String group(String automationId) {
        return "buckets/" + automationId;
    }

    /**
     * The first windows of the proactive triggers that wait for no {@code after} event and keep one
     * count (the whole trigger, or any part of a compound or sequence one): they open when the
     * automation is created or enabled. Others open on their first event.
     */
    static List<TriggerStore.Change> opened(Automation automation, Trigger trigger, Instant now) {
        return opened(automation.id(), trigger, now);
    }

    static List<TriggerStore.Change> opened(String automationId, Trigger trigger, Instant now) {
        List<TriggerStore.Change> changes = new ArrayList<>();
        open(automationId, trigger, TreeEvaluator.ROOT, now, changes);
        return changes;
    }

    private static void open(String automationId, Trigger trigger, String path, Instant now, List<TriggerStore.Change> changes) {
        if (trigger instanceof Trigger.Event e) {
            if (e.posture() != Posture.PROACTIVE || !e.after().isEmpty() || !e.forEach().isEmpty()) return;
            Bucket first = Bucket.open(path, "", null, now, now.plus(e.within()));
            changes.add(TriggerStore.Change.create(TreeEvaluator.bucketKey(automationId, path, ""), Documents.write(first),
                    first.end(), expires(first)));
            return;
        }
        List<Trigger> children = trigger instanceof Trigger.Compound c ? c.triggers() : ((Trigger.Sequence) trigger).triggers();
        for (int i = 0; i < children.size(); i++) open(automationId, children.get(i), path + "." + i, now, changes);
    }

    /** The proactive event trigger at {@code path} waits for its window to close; nothing else is due. */
    static Instant due(Trigger root, Bucket bucket) {
        Trigger t = at(root, bucket.trigger());
        return t instanceof Trigger.Event e && e.posture() == Posture.PROACTIVE ? bucket.end() : null;
    }

    static Instant expires(Bucket bucket) {
        return bucket.end() == null ? null : bucket.end().plus(KEPT_AFTER_END);
    }

    /** The trigger at {@code path} ("t", "t.0", "t.0.1") of the tree, or null. */
    static Trigger at(Trigger root, String path) {
        String[] steps = path.split("\\.");
        Trigger t = root;
        for (int i = 1; i < steps.length && t != null; i++) {
            List<Trigger> children = t instanceof Trigger.Compound c ? c.triggers()
                    : t instanceof Trigger.Sequence s ? s.triggers() : List.of();
            int index = Integer.parseInt(steps[i]);
            t = index < children.size() ? children.get(index) : null;
        }
        return t;
    }
}
