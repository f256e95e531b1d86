package dev.ferry.core.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Contention;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Instants;
import dev.ferry.core.common.JsonSizes;
import dev.ferry.core.common.Names;
import dev.ferry.core.common.Page;
import dev.ferry.core.common.Revisions;
import dev.ferry.core.common.Write;
import dev.ferry.core.jobs.JobTemplate;
import dev.ferry.core.jobs.JsonSchemas;
import dev.ferry.core.pools.PoolStore;
import dev.ferry.core.pools.WorkPool;
import dev.ferry.core.schedules.Schedule;
import dev.ferry.core.schedules.ScheduleParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Deployments: created or updated by (flow name, name), paused, deleted, and their schedules. Every
 * change is handed to {@link DeploymentChanges} so the timer fires exactly what is stored.
 */
public final class DeploymentService {
    private static final int MAX_RETRIES = 100;
    private static final int MAX_TAGS = 50;
    public static final int MAX_SCHEDULES = 50;
    private static final int MAX_NOTE = 1000;

    private final DeploymentStore store;
    private final PoolStore pools;
    private final Clock clock;
    private final Ids ids;
    private final DeploymentChanges changes;

    public DeploymentService(DeploymentStore store, PoolStore pools, Clock clock, Ids ids, DeploymentChanges changes) {
        this.store = store;
        this.pools = pools;
        this.clock = clock;
        this.ids = ids;
        this.changes = changes;
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
        WorkPool pool = pools.pool(d.workPoolName()).orElseThrow(() -> BadInput.invalid("work_pool_name",
                "work pool '" + d.workPoolName() + "' does not exist; create it with: ferry work-pool create --type process "
                        + d.workPoolName()));
        String queue = d.workQueueName() == null ? pool.defaultQueueName() : Names.check("work_queue_name", d.workQueueName());
        if (pools.queue(pool.id(), queue).isEmpty()) {
            throw BadInput.invalid("work_queue_name", "work pool '" + pool.name() + "' has no queue named '" + queue + "'");
        }
        JsonSchemas.checkSchema("parameter_openapi_schema", d.parameterOpenapiSchema());
        ObjectNode jobVariables = JsonSizes.check("job_variables",
                d.jobVariables() == null ? JsonNodeFactory.instance.objectNode() : d.jobVariables());
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
        List<PullStep> pullSteps = PullSteps.parse("pull_steps", d.pullSteps());
        ObjectNode parameters = JsonSizes.check("parameters",
                d.parameters() == null ? JsonNodeFactory.instance.objectNode() : d.parameters());
        ObjectNode schema = JsonSizes.check("parameter_openapi_schema",
                d.parameterOpenapiSchema() == null ? JsonNodeFactory.instance.objectNode() : d.parameterOpenapiSchema());
        boolean enforce = d.enforceParameterSchema() == null || d.enforceParameterSchema();
        List<Schedule> given = d.schedules() == null ? null : checkedSchedules("schedules", d.schedules(), parameters,
                enforce ? schema : null);
        String id = ids.next();
        // What the deploy stores, over what is stored now (null when new): left-out schedules,
        // overlap and a pause someone made with a reason stay, unless the deploy says otherwise.
        UnaryOperator<Deployment> over = existing -> {
            Instant now = clock.now();
            Deployment next = DeploymentBuilder.builder().id(id).name(d.name()).flowName(d.flowName())
                    .entrypoint(d.entrypoint()).workPoolName(pool.name()).workQueueName(queue)
                    .parameters(parameters).parameterOpenapiSchema(schema).enforceParameterSchema(enforce)
                    .jobVariables(jobVariables).tags(List.copyOf(tags))
                    .schedules(given != null ? given : existing == null ? List.of() : existing.schedules())
                    .overlap(overlap != null ? overlap : existing == null ? Overlap.ALLOW : existing.overlap())
                    .concurrencyLimit(d.concurrencyLimit())
                    .collisionStrategy(d.collisionStrategy() == null ? CollisionStrategy.ENQUEUE : d.collisionStrategy())
                    .pullSteps(pullSteps)
                    .version(d.version()).description(d.description()).retries(retries).retryDelaySeconds(retryDelay)
                    .created(now).updated(now).revision(1).build();
            if (Boolean.TRUE.equals(d.paused())) {
                next = next.paused(null, null, null, now);
            } else if (d.paused() == null && existing != null && existing.paused()) {
                next = next.paused(existing.pauseNote(), existing.pausedBy(), existing.resumeAt(), now);
            }
            return existing == null ? next : next.replacing(existing);
        };
        Deployment seen = store.deployment(d.flowName(), d.name()).orElse(null);
        for (int attempt = 0; attempt < Revisions.MAX_ATTEMPTS; attempt++) {
            if (seen == null) {
                Deployment fresh = over.apply(null);
                if (store.createDeployment(fresh)) {
                    changes.stored(null, fresh);
                    return new Upserted(fresh, true);
                }
                seen = store.deployment(d.flowName(), d.name()).orElse(null); // a first deploy racing ours won
                continue;
            }
            Write<Deployment> written = store.updateDeployment(over.apply(seen));
            if (written instanceof Write.Applied<Deployment> applied) {
                changes.stored(seen, applied.stored());
                return new Upserted(applied.stored(), false);
            }
            seen = ((Write.Stale<Deployment>) written).current();
        }
        throw new Contention("deployment " + d.flowName() + "/" + d.name() + " kept changing while being deployed; try again");
    }

    public Deployment get(String id) {
        return store.deployment(id).orElseThrow(() -> BadInput.notFound("deployment", id));
    }

    public java.util.Optional<Deployment> find(String flowName, String name) {
        return flowName == null || name == null ? java.util.Optional.empty() : store.deployment(flowName, name);
    }

    public Deployment get(String flowName, String name) {
        return store.deployment(flowName, name).orElseThrow(() -> BadInput.notFound("deployment", flowName + "/" + name));
    }

    public Page<Deployment> list(String workPoolName, int limit, String cursor) {
        return store.deployments(workPoolName, limit, cursor);
    }

    public Deployment update(String id, Change change) {
        Overlap overlap = Overlap.parse(change.overlap());
        Integer limit = change.setConcurrencyLimit() ? Names.nonNegative("concurrency_limit", change.concurrencyLimit()) : null;
        return write(get(id), before -> {
            Deployment d = before;
            Instant now = clock.now();
            if (Boolean.TRUE.equals(change.paused()) && !d.paused()) d = d.paused(null, null, null, now);
            if (Boolean.FALSE.equals(change.paused()) && d.paused()) d = d.resumed(now);
            return d.withSettings(
                    change.setConcurrencyLimit() ? limit : d.concurrencyLimit(),
                    change.collisionStrategy() == null ? d.collisionStrategy() : change.collisionStrategy(),
                    overlap == null ? d.overlap() : overlap,
                    change.setDescription() ? change.description() : d.description(), now);
        });
    }

    /** Pauses the deployment: no schedule fires and no run of it is claimed until it is resumed, by hand or at {@code until}. */
    public Deployment pause(String id, String note, String by, Instant until) {
        if (note != null && note.length() > MAX_NOTE) throw BadInput.invalid("note", "'note' is longer than " + MAX_NOTE + " characters");
        Instants.check("resume_at", until);
        if (until != null && !until.isAfter(clock.now())) {
            throw BadInput.invalid("resume_at", "'resume_at' " + until + " is not in the future");
        }
        return write(get(id), d -> d.paused(note, by, until, clock.now()));
    }

    /** Resumes the deployment; firings missed while paused are caught up by each schedule's catchup policy. */
    public Deployment resume(String id) {
        return write(get(id), d -> d.paused() ? d.resumed(clock.now()) : d);
    }

    public void delete(String id) {
        Deployment seen = get(id);
        for (int attempt = 0; attempt < Revisions.MAX_ATTEMPTS; attempt++) {
            Write<Deployment> deleted = store.deleteDeployment(seen);
            if (deleted instanceof Write.Applied<Deployment>) {
                // disarms exactly what the deleted revision had armed, an edit that landed meanwhile included
                changes.stored(seen, null);
                return;
            }
            seen = ((Write.Stale<Deployment>) deleted).current();
            if (seen == null) throw BadInput.notFound("deployment", id);
        }
        throw new Contention("deployment " + id + " kept changing while being deleted; try again");
    }

    // --- schedules one by one ---

    public Schedule addSchedule(String id, JsonNode schedule) {
        ObjectNode node = ScheduleParser.withSlug(requireObject(schedule));
        String slug = node.get("slug").asText();
        Deployment after = write(get(id), d -> {
            if (indexOf(d, slug) >= 0) {
                throw BadInput.conflict("slug", "deployment " + d.fullName() + " already has a schedule '" + slug + "'");
            }
            List<JsonNode> list = sources(d);
            list.add(node);
            return d.withSchedules(checkedSchedules("schedules", list, d.parameters(), schemaOf(d)), clock.now());
        });
        return after.schedules().get(indexOf(after, slug));
    }

    /** Changes the named fields of one schedule; a field set to null goes back to its default. */
    public Schedule updateSchedule(String id, String slug, JsonNode change) {
        requireObject(change);
        Deployment after = write(get(id), d -> {
            int i = indexOf(d, slug);
            if (i < 0) throw BadInput.notFound("schedule", d.fullName() + "/" + slug);
            List<JsonNode> list = sources(d);
            list.set(i, changed(d.schedules().get(i).source(), slug, change));
            return d.withSchedules(checkedSchedules("schedules", list, d.parameters(), schemaOf(d)), clock.now());
        });
        return after.schedules().get(indexOf(after, slug));
    }

    public void deleteSchedule(String id, String slug) {
        write(get(id), d -> {
            int i = indexOf(d, slug);
            if (i < 0) throw BadInput.notFound("schedule", d.fullName() + "/" + slug);
            List<Schedule> list = new ArrayList<>(d.schedules());
            list.remove(i);
            return d.withSchedules(list, clock.now());
        });
    }

    private static List<JsonNode> sources(Deployment d) {
        List<JsonNode> out = new ArrayList<>();
        for (Schedule s : d.schedules()) out.add(s.source());
        return out;
    }

    /**
     * Applies {@code change} to the deployment as stored when the write lands, then keeps the timer in
     * step with what that write replaced: a firing is armed only for a schedule a write really stored.
     */
    private Deployment write(Deployment current, UnaryOperator<Deployment> change) {
        Revisions.Done<Deployment> done = Revisions.update(current, change, store::updateDeployment,
                () -> BadInput.notFound("deployment", current.id()));
        if (done.changed()) changes.stored(done.before(), done.after());
        return done.after();
    }

    /** {@code schedule} with the fields of {@code change}; a field set to null is removed, and another kind replaces the kind. */
    private static ObjectNode changed(ObjectNode schedule, String slug, JsonNode change) {
        ObjectNode node = schedule.deepCopy();
        change.fields().forEachRemaining(f -> {
            if (f.getValue().isNull()) node.remove(f.getKey());
            else node.set(f.getKey(), f.getValue());
        });
        for (String kind : List.of("cron", "interval", "rrule")) {
            if (change.has(kind) && !change.get(kind).isNull()) {
                for (String other : List.of("cron", "interval", "rrule")) if (!other.equals(kind)) node.remove(other);
            }
        }
        if (!slug.equals(node.path("slug").asText())) {
            throw BadInput.invalid("slug", "a schedule's slug can't be changed; delete it and create another");
        }
        return node;
    }

    /** Gives every schedule its slug, and refuses bad schedules and schedule parameters the flow would refuse. */
    private static List<Schedule> checkedSchedules(String field, List<JsonNode> given, ObjectNode parameters,
                                                   ObjectNode schema) {
        if (given.size() > MAX_SCHEDULES) throw BadInput.invalid(field, "at most " + MAX_SCHEDULES + " schedules per deployment");
        List<Schedule> out = new ArrayList<>();
        Set<String> slugs = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String path = field + "[" + i + "]";
            Schedule schedule = ScheduleParser.parse(path, ScheduleParser.withSlug(requireObject(path, given.get(i))));
            if (!slugs.add(schedule.slug())) {
                throw BadInput.invalid(path + ".slug", "'" + path + ".slug' '" + schedule.slug()
                        + "' is used by another schedule of this deployment");
            }
            if (schema != null && schedule.source().has("parameters")) {
                ObjectNode merged = parameters.deepCopy();
                merged.setAll(schedule.parameters());
                JsonSchemas.validate(path + ".parameters", schema, merged);
            }
            out.add(schedule);
        }
        return List.copyOf(out);
    }

    private static ObjectNode schemaOf(Deployment d) {
        return d.enforceParameterSchema() ? d.parameterOpenapiSchema() : null;
    }

    private static int indexOf(Deployment d, String slug) {
        for (int i = 0; i < d.schedules().size(); i++) {
            if (slug.equals(d.schedules().get(i).slug())) return i;
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
