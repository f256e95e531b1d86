package dev.ferry.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.deployments.CollisionStrategy;
import dev.ferry.core.deployments.Deployment;
import dev.ferry.core.deployments.Overlap;
import dev.ferry.core.deployments.PullStep;
import dev.ferry.core.schedules.Schedule;
import java.time.Instant;
import java.util.List;

/**
 * A deployment as the API shows it (the {@code Deployment} schema of the OpenAPI document):
 * schedules and pull steps as their users wrote them, shaped here and not by the stored record.
 */
record DeploymentView(
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
        List<ObjectNode> schedules,
        Overlap overlap,
        Integer concurrencyLimit,
        CollisionStrategy collisionStrategy,
        boolean paused,
        String pauseNote,
        String pausedBy,
        Instant resumeAt,
        List<ObjectNode> pullSteps,
        String version,
        String description,
        int retries,
        int retryDelaySeconds,
        Instant created,
        Instant updated,
        long revision) {

    static DeploymentView of(Deployment d) {
        return new DeploymentView(
                d.id(), d.name(), d.flowName(), d.entrypoint(), d.workPoolName(), d.workQueueName(), d.parameters(),
                d.parameterOpenapiSchema(), d.enforceParameterSchema(), d.jobVariables(), d.tags(),
                d.schedules().stream().map(Schedule::source).toList(), d.overlap(), d.concurrencyLimit(),
                d.collisionStrategy(), d.paused(), d.pauseNote(), d.pausedBy(), d.resumeAt(),
                d.pullSteps().stream().map(PullStep::source).toList(), d.version(), d.description(), d.retries(),
                d.retryDelaySeconds(), d.created(), d.updated(), d.revision());
    }
}
