package dev.ferry.core.deployments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.schedules.Schedule;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.time.Instant;
import java.util.List;

/**
 * A deployment. {@code schedules} are parsed and checked when they are given (each keeps the
 * object the user gave, with its {@code slug}, as its stored and shown form). A pause carries who paused, why, and
 * optionally when it ends by itself. {@code revision} is the store's (never the user's {@code version}
 * label): 1 when created, one more with every update, and every update is conditional on it.
 */
@RecordBuilder
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
        List<Schedule> schedules,
        Overlap overlap,
        Integer concurrencyLimit,
        CollisionStrategy collisionStrategy,
        boolean paused,
        String pauseNote,
        String pausedBy,
        Instant resumeAt,
        List<PullStep> pullSteps,
        String version,
        String description,
        int retries,
        int retryDelaySeconds,
        Instant created,
        Instant updated,
        long revision) implements DeploymentBuilder.With {

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
        return with(b -> b.paused(true).pauseNote(note).pausedBy(by).resumeAt(until).updated(now));
    }

    public Deployment resumed(Instant now) {
        return with(b -> b.paused(false).pauseNote(null).pausedBy(null).resumeAt(null).updated(now));
    }

    public Deployment withSchedules(List<Schedule> value, Instant now) {
        return with(b -> b.schedules(value).updated(now));
    }

    public Deployment withSettings(Integer limit, CollisionStrategy strategy, Overlap newOverlap, String newDescription,
                                   Instant now) {
        return with(b -> b.concurrencyLimit(limit).collisionStrategy(strategy).overlap(newOverlap)
                .description(newDescription).updated(now));
    }

    /** Keeps identity, creation time and revision of {@code existing} when a deploy updates it. */
    public Deployment replacing(Deployment existing) {
        return with(b -> b.id(existing.id).created(existing.created).revision(existing.revision));
    }
}
