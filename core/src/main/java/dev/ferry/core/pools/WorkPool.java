package dev.ferry.core.pools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A work pool. {@code revision} is the store's: 1 when created, one more with every update, and
 * every update is conditional on it.
 */
public record WorkPool(
        String id,
        String name,
        PoolType type,
        String description,
        ObjectNode baseJobTemplate,
        Integer concurrencyLimit,
        boolean isPaused,
        String defaultQueueName,
        Instant created,
        Instant updated,
        long revision) {

    public static final String DEFAULT_QUEUE = "default";

    public WorkPool withPaused(boolean paused, Instant now) {
        return new WorkPool(id, name, type, description, baseJobTemplate, concurrencyLimit, paused, defaultQueueName, created, now, revision);
    }

    public WorkPool withConcurrencyLimit(Integer limit, Instant now) {
        return new WorkPool(id, name, type, description, baseJobTemplate, limit, isPaused, defaultQueueName, created, now, revision);
    }

    public WorkPool withDescription(String text, Instant now) {
        return new WorkPool(id, name, type, text, baseJobTemplate, concurrencyLimit, isPaused, defaultQueueName, created, now, revision);
    }

    public WorkPool withBaseJobTemplate(ObjectNode template, Instant now) {
        return new WorkPool(id, name, type, description, template, concurrencyLimit, isPaused, defaultQueueName, created, now, revision);
    }

    /** The same pool as stored at {@code stored}: what a store returns after writing it. */
    public WorkPool withRevision(long stored) {
        return new WorkPool(id, name, type, description, baseJobTemplate, concurrencyLimit, isPaused, defaultQueueName,
                created, updated, stored);
    }
}
