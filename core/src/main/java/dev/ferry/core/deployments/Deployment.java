package dev.ferry.core.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * A deployment. {@code schedules} holds each schedule as the user gave it plus its {@code slug};
 * the schedule engine reads them with {@code ScheduleParser}. A pause carries who paused, why, and
 * optionally when it ends by itself. {@code revision} is the store's (never the user's {@code version}
 * label): 1 when created, one more with every update, and every update is conditional on it.
 */
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
        Overlap overlap,
        Integer concurrencyLimit,
        CollisionStrategy collisionStrategy,
        boolean paused,
        String pauseNote,
        String pausedBy,
        Instant resumeAt,
        List<JsonNode> pullSteps,
        String version,
        String description,
        int retries,
        int retryDelaySeconds,
        Instant created,
        Instant updated,
        long revision) {

    public Deployment {
        schedules = schedules == null ? List.of() : List.copyOf(schedules);
        if (overlap == null) overlap = Overlap.ALLOW; // deployments stored before overlap existed
    }

    public String fullName() {
        return flowName + "/" + name;
    }

    /** The deployment limit claims enforce: buffer_one makes the deployment's runs go one at a time. */
    public Integer claimLimit() {
        if (overlap != Overlap.BUFFER_ONE) return concurrencyLimit;
        return concurrencyLimit == null ? Integer.valueOf(1) : Integer.valueOf(Math.min(concurrencyLimit, 1));
    }

    public Deployment paused(String note, String by, Instant until, Instant now) {
        return new Deployment(id, name, flowName, entrypoint, workPoolName, workQueueName, parameters,
                parameterOpenapiSchema, enforceParameterSchema, jobVariables, tags, schedules, overlap, concurrencyLimit,
                collisionStrategy, true, note, by, until, pullSteps, version, description, retries, retryDelaySeconds,
                created, now, revision);
    }

    public Deployment resumed(Instant now) {
        return new Deployment(id, name, flowName, entrypoint, workPoolName, workQueueName, parameters,
                parameterOpenapiSchema, enforceParameterSchema, jobVariables, tags, schedules, overlap, concurrencyLimit,
                collisionStrategy, false, null, null, null, pullSteps, version, description, retries,
                retryDelaySeconds, created, now, revision);
    }

    public Deployment withSchedules(List<JsonNode> value, Instant now) {
        return new Deployment(id, name, flowName, entrypoint, workPoolName, workQueueName, parameters,
                parameterOpenapiSchema, enforceParameterSchema, jobVariables, tags, value, overlap, concurrencyLimit,
                collisionStrategy, paused, pauseNote, pausedBy, resumeAt, pullSteps, version, description, retries,
                retryDelaySeconds, created, now, revision);
    }

    public Deployment withSettings(Integer limit, CollisionStrategy strategy, Overlap newOverlap, String newDescription,
                                   Instant now) {
        return new Deployment(id, name, flowName, entrypoint, workPoolName, workQueueName, parameters,
                parameterOpenapiSchema, enforceParameterSchema, jobVariables, tags, schedules, newOverlap, limit,
                strategy, paused, pauseNote, pausedBy, resumeAt, pullSteps, version, newDescription, retries,
                retryDelaySeconds, created, now, revision);
    }

    public Deployment withRevision(long stored) {
        return new Deployment(id, name, flowName, entrypoint, workPoolName, workQueueName, parameters,
                parameterOpenapiSchema, enforceParameterSchema, jobVariables, tags, schedules, overlap, concurrencyLimit,
                collisionStrategy, paused, pauseNote, pausedBy, resumeAt, pullSteps, version, description, retries,
                retryDelaySeconds, created, updated, stored);
    }

    /** Keeps identity, creation time and revision of {@code existing} when a deploy updates it. */
    public Deployment replacing(Deployment existing) {
        return new Deployment(existing.id, name, flowName, entrypoint, workPoolName, workQueueName, parameters,
                parameterOpenapiSchema, enforceParameterSchema, jobVariables, tags, schedules, overlap, concurrencyLimit,
                collisionStrategy, paused, pauseNote, pausedBy, resumeAt, pullSteps, version, description, retries,
                retryDelaySeconds, existing.created, updated, existing.revision);
    }
}
