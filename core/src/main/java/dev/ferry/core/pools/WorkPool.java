package dev.ferry.core.pools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

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
        Instant updated) {

    public static final String DEFAULT_QUEUE = "default";

    public WorkPool withPaused(boolean paused, Instant now) {
        return new WorkPool(id, name, type, description, baseJobTemplate, concurrencyLimit, paused, defaultQueueName, created, now);
    }

    public WorkPool withConcurrencyLimit(Integer limit, Instant now) {
        return new WorkPool(id, name, type, description, baseJobTemplate, limit, isPaused, defaultQueueName, created, now);
    }

    public WorkPool withDescription(String text, Instant now) {
        return new WorkPool(id, name, type, text, baseJobTemplate, concurrencyLimit, isPaused, defaultQueueName, created, now);
    }

    public WorkPool withBaseJobTemplate(ObjectNode template, Instant now) {
        return new WorkPool(id, name, type, description, template, concurrencyLimit, isPaused, defaultQueueName, created, now);
    }
}
