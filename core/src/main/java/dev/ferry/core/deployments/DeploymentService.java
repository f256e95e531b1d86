package dev.ferry.core.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Names;
import dev.ferry.core.jobs.JobTemplate;
import dev.ferry.core.jobs.JsonSchemas;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.ports.Clock;
import dev.ferry.core.ports.Ids;
import dev.ferry.core.ports.Page;
import dev.ferry.core.ports.Store;
import java.time.Instant;
import java.util.List;

/** Deployments: created or updated by (flow name, name), paused, deleted. */
public final class DeploymentService {
    private static final int MAX_RETRIES = 100;
    private static final int MAX_TAGS = 50;

    private final Store store;
    private final Clock clock;
    private final Ids ids;

    public DeploymentService(Store store, Clock clock, Ids ids) {
        this.store = store;
        this.clock = clock;
        this.ids = ids;
    }

    public record Deploy(String name, String flowName, String entrypoint, String workPoolName, String workQueueName,
                         ObjectNode parameters, ObjectNode parameterOpenapiSchema, Boolean enforceParameterSchema,
                         ObjectNode jobVariables, List<String> tags, Integer concurrencyLimit,
                         CollisionStrategy collisionStrategy, Boolean paused, List<JsonNode> pullSteps, String version,
                         String description, Integer retries, Integer retryDelaySeconds) {}

    public record Change(Boolean paused, Integer concurrencyLimit, boolean setConcurrencyLimit,
                         CollisionStrategy collisionStrategy, String description, boolean setDescription) {}

    public record Upserted(Deployment deployment, boolean created) {}

    public Upserted deploy(Deploy d) {
        Names.check("name", d.name());
        Names.check("flow_name", d.flowName());
        if (d.entrypoint() == null || d.entrypoint().isBlank()) {
            throw BadInput.invalid("entrypoint", "'entrypoint' is required, like flows/my_flow.py:my_flow");
        }
        if (d.entrypoint().length() > 1024) throw BadInput.invalid("entrypoint", "'entrypoint' is longer than 1024 characters");
        Names.check("work_pool_name", d.workPoolName());
        WorkPool pool = store.pool(d.workPoolName()).orElseThrow(() -> BadInput.invalid("work_pool_name",
                "work pool '" + d.workPoolName() + "' does not exist; create it with: ferry work-pool create --type process "
                        + d.workPoolName()));
        String queue = d.workQueueName() == null ? pool.defaultQueueName() : Names.check("work_queue_name", d.workQueueName());
        if (store.queue(pool.id(), queue).isEmpty()) {
            throw BadInput.invalid("work_queue_name", "work pool '" + pool.name() + "' has no queue named '" + queue + "'");
        }
        JsonSchemas.checkSchema("parameter_openapi_schema", d.parameterOpenapiSchema());
        ObjectNode jobVariables = d.jobVariables() == null ? JsonNodeFactory.instance.objectNode() : d.jobVariables();
        JsonSchemas.validate("job_variables",
                JobTemplate.variablesSchema(pool.baseJobTemplate()),
                JobTemplate.merge(JobTemplate.defaults(pool.baseJobTemplate()), jobVariables));
        List<String> tags = d.tags() == null ? List.of() : d.tags();
        if (tags.size() > MAX_TAGS) throw BadInput.invalid("tags", "at most " + MAX_TAGS + " tags are allowed");
        for (int i = 0; i < tags.size(); i++) Names.check("tags[" + i + "]", tags.get(i));
        Names.nonNegative("concurrency_limit", d.concurrencyLimit());
        int retries = d.retries() == null ? 0 : d.retries();
        if (retries < 0 || retries > MAX_RETRIES) {
            throw BadInput.invalid("retries", "'retries' must be between 0 and " + MAX_RETRIES + " (got " + retries + ")");
        }
        int retryDelay = d.retryDelaySeconds() == null ? 0 : d.retryDelaySeconds();
        if (retryDelay < 0) throw BadInput.invalid("retry_delay_seconds", "'retry_delay_seconds' must be 0 or more");

        Instant now = clock.now();
        Deployment deployment = new Deployment(ids.next(), d.name(), d.flowName(), d.entrypoint(), pool.name(), queue,
                d.parameters() == null ? JsonNodeFactory.instance.objectNode() : d.parameters(),
                d.parameterOpenapiSchema() == null ? JsonNodeFactory.instance.objectNode() : d.parameterOpenapiSchema(),
                d.enforceParameterSchema() == null || d.enforceParameterSchema(), jobVariables, List.copyOf(tags),
                List.of(), d.concurrencyLimit(),
                d.collisionStrategy() == null ? CollisionStrategy.ENQUEUE : d.collisionStrategy(),
                Boolean.TRUE.equals(d.paused()), d.pullSteps() == null ? List.of() : List.copyOf(d.pullSteps()),
                d.version(), d.description(), retries, retryDelay, now, now);
        Deployment stored = store.upsertDeployment(deployment);
        return new Upserted(stored, stored.id().equals(deployment.id()));
    }

    public Deployment get(String id) {
        return store.deployment(id).orElseThrow(() -> BadInput.notFound("deployment", id));
    }

    public Deployment get(String flowName, String name) {
        return store.deployment(flowName, name).orElseThrow(() -> BadInput.notFound("deployment", flowName + "/" + name));
    }

    public Page<Deployment> list(String workPoolName, int limit, String cursor) {
        return store.deployments(workPoolName, limit, cursor);
    }

    public Deployment update(String id, Change change) {
        Deployment d = get(id);
        Instant now = clock.now();
        if (change.paused() != null) d = d.withPaused(change.paused(), now);
        if (change.setConcurrencyLimit() || change.collisionStrategy() != null) {
            d = d.withConcurrency(
                    change.setConcurrencyLimit() ? Names.nonNegative("concurrency_limit", change.concurrencyLimit()) : d.concurrencyLimit(),
                    change.collisionStrategy() == null ? d.collisionStrategy() : change.collisionStrategy(), now);
        }
        if (change.setDescription()) {
            d = new Deployment(d.id(), d.name(), d.flowName(), d.entrypoint(), d.workPoolName(), d.workQueueName(),
                    d.parameters(), d.parameterOpenapiSchema(), d.enforceParameterSchema(), d.jobVariables(), d.tags(),
                    d.schedules(), d.concurrencyLimit(), d.collisionStrategy(), d.paused(), d.pullSteps(), d.version(),
                    change.description(), d.retries(), d.retryDelaySeconds(), d.created(), now);
        }
        if (!store.updateDeployment(d)) throw BadInput.notFound("deployment", id);
        return d;
    }

    public void delete(String id) {
        store.deleteDeployment(get(id).id());
    }
}
