package dev.ferry.core.automations;

import dev.ferry.core.common.Documents;
import dev.ferry.core.triggers.TriggerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Where buckets live and when the janitor must look at them: a proactive window when it closes. */
final class Windows {
    /** A closed reactive window is kept this long past its end, then forgotten. */
    static final Duration KEPT_AFTER_END = Duration.ofDays(1);

    private Windows() {}

    static String group(String automationId) {
        return "buckets/" + automationId;
    }

    /**
     * The first window of a proactive trigger that waits for no {@code after} event and keeps one
     * count: it opens when the automation is created or enabled. Others open on their first event.
     */
    static List<TriggerStore.Change> opened(Automation automation, Trigger trigger, Instant now) {
        if (!(trigger instanceof Trigger.Event e) || e.posture() != Posture.PROACTIVE || !e.after().isEmpty() || !e.forEach().isEmpty()) {
            return List.of();
        }
        Bucket first = Bucket.open(TreeEvaluator.ROOT, "", null, now, now.plus(e.within()));
        return List.of(TriggerStore.Change.create(TreeEvaluator.bucketKey(automation.id(), TreeEvaluator.ROOT, ""),
                Documents.write(first), first.end(), expires(first)));
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
