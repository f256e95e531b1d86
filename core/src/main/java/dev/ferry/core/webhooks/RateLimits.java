package dev.ferry.core.webhooks;

import dev.ferry.core.triggers.TriggerStore;
import dev.ferry.core.triggers.TriggerStore.Change;
import dev.ferry.core.triggers.TriggerStore.Entry;
import dev.ferry.core.triggers.TriggerStore.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many deliveries a webhook takes. A token bucket in each process turns a flood away before
 * it costs a store call; a counter per webhook and {@value #WINDOW_SECONDS}-second window, in the
 * store, bounds what every process together takes (on AWS, each Lambda container serving it).
 */
final class RateLimits {
    static final double PER_SECOND = 20;
    static final double BURST = 50;
    static final long WINDOW_SECONDS = 5;
    static final int PER_WINDOW = (int) (PER_SECOND * WINDOW_SECONDS);
    static final String GROUP = "webhook-rates";
    private static final int ATTEMPTS = 5;

    private record Bucket(double tokens, Instant at) {}

    private final TriggerStore store;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimits(TriggerStore store) {
        this.store = store;
    }

    boolean take(String webhookId, Instant now) {
        return takeLocally(webhookId, now) && takeInStore(webhookId, now);
    }

    private boolean takeLocally(String webhookId, Instant now) {
        boolean[] taken = {false};
        buckets.compute(webhookId, (id, b) -> {
            double tokens = b == null ? BURST : Math.min(BURST, b.tokens() + PER_SECOND * Math.max(0,
                    Duration.between(b.at(), now).toNanos()) / 1e9);
            taken[0] = tokens >= 1;
            return new Bucket(taken[0] ? tokens - 1 : tokens, now);
        });
        return taken[0];
    }

    private boolean takeInStore(String webhookId, Instant now) {
        long window = Math.floorDiv(now.getEpochSecond(), WINDOW_SECONDS);
        Key key = new Key(GROUP, webhookId + "@" + window);
        Instant expires = Instant.ofEpochSecond((window + 1) * WINDOW_SECONDS).plus(Duration.ofMinutes(1));
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<Entry> seen = store.get(key);
            int taken = seen.map(e -> Integer.parseInt(e.doc())).orElse(0);
            if (taken >= PER_WINDOW) return false;
            Change count = seen.isEmpty() ? Change.create(key, "1", null, expires)
                    : Change.replace(seen.get(), Integer.toString(taken + 1), null, expires);
            if (store.commit(List.of(count))) return true;
        }
        // Counted by so many at once that five tries lost: each process's bucket still bounds it.
        return true;
    }
}
