package dev.ferry.core.ports;

/**
 * A concurrency slot counter: {@code pool:ID}, {@code queue:ID} or {@code deployment:ID}.
 * Counters are kept for every pool, queue and deployment, limited or not, so a limit set
 * later is enforced against the true count.
 */
public record Slot(String key, Integer limit) {
    public static Slot pool(String id, Integer limit) {
        return new Slot("pool:" + id, limit);
    }

    public static Slot queue(String id, Integer limit) {
        return new Slot("queue:" + id, limit);
    }

    public static Slot deployment(String id, Integer limit) {
        return new Slot("deployment:" + id, limit);
    }
}
