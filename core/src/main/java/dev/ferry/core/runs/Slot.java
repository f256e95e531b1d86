package dev.ferry.core.runs;

import java.util.Locale;

/**
 * A concurrency slot counter of one pool, queue or deployment, stored under {@link #key()}
 * ({@code pool:ID}). Counters are kept for every pool, queue and deployment, limited or not, so a
 * limit set later is enforced against the true count.
 */
public record Slot(Kind kind, String id, Integer limit) {

    public enum Kind {
        POOL, QUEUE, DEPLOYMENT;

        private String prefix() {
            return name().toLowerCase(Locale.ROOT) + ":";
        }

        /** The kind of the counter stored under {@code key}. */
        public static Kind ofKey(String key) {
            for (Kind k : values()) if (key.startsWith(k.prefix())) return k;
            throw new IllegalArgumentException("not a slot counter key: " + key);
        }
    }

    public static Slot pool(String id, Integer limit) {
        return new Slot(Kind.POOL, id, limit);
    }

    public static Slot queue(String id, Integer limit) {
        return new Slot(Kind.QUEUE, id, limit);
    }

    public static Slot deployment(String id, Integer limit) {
        return new Slot(Kind.DEPLOYMENT, id, limit);
    }

    /** Where the counter is stored: the kind and the id, as in {@code deployment:ID}. */
    public String key() {
        return kind.prefix() + id;
    }
}
