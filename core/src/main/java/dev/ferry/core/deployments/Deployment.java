package dev.ferry.core.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

public record Deployment(
        String id,
        String name,
        String flowName,
        String entrypoint,
        String workPoolName,
        String workQueueName,
        ObjectNode parameters,
        ObjectNode parameterOpenapiSchema,
        boolean enforceParameterSchema,
        ObjectNode jobVariables,
        List<String> tags,
        List<JsonNode> schedules,
        Integer concurrencyLimit,
        CollisionStrategy collisionStrategy,
        boolean paused,
        List<JsonNode> pullSteps,
        String version,
        String description,
        int retries,
        int retryDelaySeconds,
        Instant created,
        Instant updated) {

    public String fullName() {
        return flowName + "/" + name;
    }

    public Deployment withPaused(boolean value, Instant now) {
        return new Deployment(id, name, flowName, entrypoint, workPoolName, workQueueName, parameters,
                parameterOpenapiSchema, enforceParameterSchema, jobVariables, tags, schedules, concurrencyLimit,
                collisionStrategy, value, pullSteps, version, description, retries, retryDelaySeconds, created, now);
    }

    public Deployment withConcurrency(Integer limit, CollisionStrategy strategy, Instant now) {
        return new Deployment(id, name, flowName, entrypoint, workPoolName, workQueueName, parameters,
                parameterOpenapiSchema, enforceParameterSchema, jobVariables, tags, schedules, limit,
                strategy, paused, pullSteps, version, description, retries, retryDelaySeconds, created, now);
    }

    /** Keeps identity and creation time of {@code existing} when a deploy updates it. */
    public Deployment replacing(Deployment existing) {
        return new Deployment(existing.id, name, flowName, entrypoint, workPoolName, workQueueName, parameters,
                parameterOpenapiSchema, enforceParameterSchema, jobVariables, tags, schedules, concurrencyLimit,
                collisionStrategy, paused, pullSteps, version, description, retries, retryDelaySeconds,
                existing.created, updated);
    }
}
