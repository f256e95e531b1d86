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
import dev.ferry.core.schedules.ScheduleParser;
import dev.ferry.core.schedules.ScheduleService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Deployments: created or updated by (flow name, name), paused, deleted, and their schedules. Every
 * change is handed to {@link ScheduleService#sync} so the timer fires exactly what is stored.
 */
public final class DeploymentService {
    private static final int MAX_RETRIES = 100;
    private static final int MAX_TAGS = 50;
    private static final int MAX_SCHEDULES = 50;
    private static final int MAX_NOTE = 1000;

    private final Store store;
    private final Clock clock;
    private final Ids ids;
    private final ScheduleService schedules;

    public DeploymentService(Store store, Clock clock, Ids ids, ScheduleService schedules) {
        this.store = store;
        this.clock = clock;
        this.ids = ids;
        this.schedules = schedules;
    }

    public record Deploy(String name, String flowName, String entrypoint, String workPoolName, String workQueueName,
                         ObjectNode parameters, ObjectNode parameterOpenapiSchema, Boolean enforceParameterSchema,
                         ObjectNode jobVariables, List<String> tags, Integer concurrencyLimit,
                         CollisionStrategy collisionStrategy, Boolean paused, List<JsonNode> pullSteps, String version,
                         String description, Integer retries, Integer retryDelaySeconds,
                         /** null keeps the stored schedules; an empty list removes them all */
                         List<JsonNode> schedules, String overlap) {}

    public record Change(Boolean paused, Integer concurrencyLimit, boolean setConcurrencyLimit,
                         CollisionStrategy collisionStrategy, String description, boolean setDescription,
                         String overlap) {}

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

        Overlap overlap = Overlap.parse(d.overlap());
        PullSteps.validate("pull_steps", d.pullSteps() == null ? List.of() : d.pullSteps());
        Optional<Deployment> existing = store.deployment(d.flowName(), d.name());
        ObjectNode parameters = d.parameters() == null ? JsonNodeFactory.instance.objectNode() : d.parameters();
        ObjectNode schema = d.parameterOpenapiSchema() == null ? JsonNodeFactory.instance.objectNode() : d.parameterOpenapiSchema();
        boolean enforce = d.enforceParameterSchema() == null || d.enforceParameterSchema();
        List<JsonNode> scheduleList = d.schedules() != null ? checkedSchedules("schedules", d.schedules(), parameters,
                enforce ? schema : null) : existing.map(Deployment::schedules).orElse(List.of());

        Instant now = clock.now();
        Deployment deployment = new Deployment(ids.next(), d.name(), d.flowName(), d.entrypoint(), pool.name(), queue,
                parameters, schema, enforce, jobVariables, List.copyOf(tags), scheduleList,
                overlap != null ? overlap : existing.map(Deployment::overlap).orElse(Overlap.ALLOW), d.concurrencyLimit(),
                d.collisionStrategy() == null ? CollisionStrategy.ENQUEUE : d.collisionStrategy(),
                false, null, null, null, d.pullSteps() == null ? List.of() : List.copyOf(d.pullSteps()),
                d.version(), d.description(), retries, retryDelay, now, now);
        // A redeploy keeps a pause someone made with a reason, unless the deploy says otherwise.
        if (Boolean.TRUE.equals(d.paused())) {
            deployment = deployment.paused(null, null, null, now);
        } else if (d.paused() == null && existing.isPresent() && existing.get().paused()) {
            Deployment e = existing.get();
            deployment = deployment.paused(e.pauseNote(), e.pausedBy(), e.resumeAt(), now);
        }
        Deployment stored = store.upsertDeployment(deployment);
        schedules.sync(existing.orElse(null), stored);
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
        Deployment before = get(id);
        Deployment d = before;
        Instant now = clock.now();
        if (Boolean.TRUE.equals(change.paused()) && !d.paused()) d = d.paused(null, null, null, now);
        if (Boolean.FALSE.equals(change.paused()) && d.paused()) d = d.resumed(now);
        Overlap overlap = Overlap.parse(change.overlap());
        d = d.withSettings(
                change.setConcurrencyLimit() ? Names.nonNegative("concurrency_limit", change.concurrencyLimit()) : d.concurrencyLimit(),
                change.collisionStrategy() == null ? d.collisionStrategy() : change.collisionStrategy(),
                overlap == null ? d.overlap() : overlap,
                change.setDescription() ? change.description() : d.description(), now);
        return write(before, d);
    }

    /** Pauses the deployment: no schedule fires and no run of it is claimed until it is resumed, by hand or at {@code until}. */
    public Deployment pause(String id, String note, String by, Instant until) {
        if (note != null && note.length() > MAX_NOTE) throw BadInput.invalid("note", "'note' is longer than " + MAX_NOTE + " characters");
        Instant now = clock.now();
        if (until != null && !until.isAfter(now)) throw BadInput.invalid("resume_at", "'resume_at' " + until + " is not in the future");
        Deployment before = get(id);
        return write(before, before.paused(note, by, until, now));
    }

    /** Resumes the deployment; firings missed while paused are caught up by each schedule's catchup policy. */
    public Deployment resume(String id) {
        Deployment before = get(id);
        return before.paused() ? write(before, before.resumed(clock.now())) : before;
    }

    public void delete(String id) {
        Deployment d = get(id);
        store.deleteDeployment(d.id());
        schedules.sync(d, null);
    }

    // --- schedules one by one ---

    public JsonNode addSchedule(String id, JsonNode schedule) {
        Deployment before = get(id);
        ObjectNode node = ScheduleParser.withSlug(requireObject(schedule));
        String slug = node.get("slug").asText();
        if (indexOf(before, slug) >= 0) {
            throw BadInput.conflict("slug", "deployment " + before.fullName() + " already has a schedule '" + slug + "'");
        }
        List<JsonNode> list = new ArrayList<>(before.schedules());
        list.add(node);
        write(before, before.withSchedules(checkedSchedules("schedules", list, before.parameters(), schemaOf(before)), clock.now()));
        return node;
    }

    /** Changes the named fields of one schedule; a field set to null goes back to its default. */
    public JsonNode updateSchedule(String id, String slug, JsonNode change) {
        Deployment before = get(id);
        int i = indexOf(before, slug);
        if (i < 0) throw BadInput.notFound("schedule", before.fullName() + "/" + slug);
        ObjectNode node = ((ObjectNode) before.schedules().get(i)).deepCopy();
        requireObject(change).fields().forEachRemaining(f -> {
            if (f.getValue().isNull()) node.remove(f.getKey());
            else node.set(f.getKey(), f.getValue());
        });
        // A schedule has one kind: setting another kind replaces it.
        for (String kind : List.of("cron", "interval", "rrule")) {
            if (change.has(kind) && !change.get(kind).isNull()) {
                for (String other : List.of("cron", "interval", "rrule")) if (!other.equals(kind)) node.remove(other);
            }
        }
        if (!slug.equals(node.path("slug").asText())) throw BadInput.invalid("slug", "a schedule's slug can't be changed; delete it and create another");
        List<JsonNode> list = new ArrayList<>(before.schedules());
        list.set(i, node);
        write(before, before.withSchedules(checkedSchedules("schedules", list, before.parameters(), schemaOf(before)), clock.now()));
        return node;
    }

    public void deleteSchedule(String id, String slug) {
        Deployment before = get(id);
        int i = indexOf(before, slug);
        if (i < 0) throw BadInput.notFound("schedule", before.fullName() + "/" + slug);
        List<JsonNode> list = new ArrayList<>(before.schedules());
        list.remove(i);
        write(before, before.withSchedules(list, clock.now()));
    }

    private Deployment write(Deployment before, Deployment after) {
        if (!store.updateDeployment(after)) throw BadInput.notFound("deployment", after.id());
        schedules.sync(before, after);
        return after;
    }

    /** Gives every schedule its slug, and refuses bad schedules and schedule parameters the flow would refuse. */
    private static List<JsonNode> checkedSchedules(String field, List<JsonNode> given, ObjectNode parameters,
                                                   ObjectNode schema) {
        if (given.size() > MAX_SCHEDULES) throw BadInput.invalid(field, "at most " + MAX_SCHEDULES + " schedules per deployment");
        List<JsonNode> out = new ArrayList<>();
        Set<String> slugs = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String path = field + "[" + i + "]";
            ObjectNode node = ScheduleParser.withSlug(requireObject(path, given.get(i)));
            ScheduleParser.parse(path, node);
            if (!slugs.add(node.get("slug").asText())) {
                throw BadInput.invalid(path + ".slug", "'" + path + ".slug' '" + node.get("slug").asText()
                        + "' is used by another schedule of this deployment");
            }
            if (schema != null && node.has("parameters")) {
                ObjectNode merged = parameters.deepCopy();
                merged.setAll((ObjectNode) node.get("parameters"));
                JsonSchemas.validate(path + ".parameters", schema, merged);
            }
            out.add(node);
        }
        return List.copyOf(out);
    }

    private static ObjectNode schemaOf(Deployment d) {
        return d.enforceParameterSchema() ? d.parameterOpenapiSchema() : null;
    }

    private static int indexOf(Deployment d, String slug) {
        for (int i = 0; i < d.schedules().size(); i++) {
            if (slug.equals(d.schedules().get(i).path("slug").asText())) return i;
        }
        return -1;
    }

    private static ObjectNode requireObject(JsonNode node) {
        return requireObject("schedule", node);
    }

    private static ObjectNode requireObject(String field, JsonNode node) {
        if (node == null || !node.isObject()) throw BadInput.malformed(field, "'" + field + "' must be a JSON object");
        return (ObjectNode) node;
    }
}
