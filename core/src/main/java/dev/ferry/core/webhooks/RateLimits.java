package dev.ferry.core.webhooks;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per webhook, in this process: a sender (or someone who found the URL) can't
 * flood the event store. On AWS each Lambda container keeps its own, and the HTTP API's own
 * throttling bounds the whole.
 */
final class RateLimits {
    static final double PER_SECOND = 20;
    static final double BURST = 50;

    private record Bucket(double tokens, Instant at) {}

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    boolean take(String webhookId, Instant now) {
        boolean[] taken = {false};
        buckets.compute(webhookId, (id, b) -> {
            double tokens = b == null ? BURST : Math.min(BURST, b.tokens() + PER_SECOND * Math.max(0,
                    java.time.Duration.between(b.at(), now).toNanos()) / 1e9);
            taken[0] = tokens >= 1;
            return new Bucket(taken[0] ? tokens - 1 : tokens, now);
        });
        return taken[0];
    }
}
