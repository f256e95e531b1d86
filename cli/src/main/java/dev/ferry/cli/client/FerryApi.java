package dev.ferry.cli.client;

import static dev.ferry.cli.client.ApiClient.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.common.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The Ferry API's routes by name (docs/api.md). Answers stay JSON trees: the CLI prints what the
 * server sent, field for field, and never needs the server's records.
 */
public final class FerryApi {
    /** The page size the API allows at most; lists are read whole, page by page. */
    static final int PAGE = 200;

    private final ApiClient http;

    public FerryApi(ApiClient http) {
        this.http = http;
    }

    public ApiClient http() {
        return http;
    }

    // ---- work pools

    public JsonNode defaultBaseJobTemplate(String type) {
        return http.get("/api/work_pool_types/" + segment(type) + "/base_job_template").body();
    }

    public JsonNode createWorkPool(ObjectNode pool) {
        return http.post("/api/work_pools", pool).body();
    }

    public List<JsonNode> workPools() {
        return all("/api/work_pools", new Query());
    }

    public JsonNode workPool(String name) {
        return http.get(pool(name)).body();
    }

    public JsonNode updateWorkPool(String name, ObjectNode patch) {
        return http.patch(pool(name), patch).body();
    }

    public void deleteWorkPool(String name) {
        http.delete(pool(name));
    }

    // ---- work queues

    public JsonNode createWorkQueue(String pool, ObjectNode queue) {
        return http.post(pool(pool) + "/queues", queue).body();
    }

    public List<JsonNode> workQueues(String pool) {
        return all(pool(pool) + "/queues", new Query());
    }

    public JsonNode workQueue(String pool, String queue) {
        return http.get(queue(pool, queue)).body();
    }

    public JsonNode updateWorkQueue(String pool, String queue, ObjectNode patch) {
        return http.patch(queue(pool, queue), patch).body();
    }

    public void deleteWorkQueue(String pool, String queue) {
        http.delete(queue(pool, queue));
    }

    // ---- workers

    public JsonNode workerHeartbeat(String pool, String worker, int intervalSeconds) {
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("name", worker)
                .put("heartbeat_interval_seconds", intervalSeconds);
        return http.post(pool(pool) + "/workers/heartbeat", body).body();
    }

    public List<JsonNode> workers(String pool) {
        return all(pool(pool) + "/workers", new Query());
    }

    /**
     * Claims up to {@code limit} runs; the server may hold the request up to {@code waitSeconds}
     * for work to arrive, so the HTTP timeout outlasts it.
     */
    public List<JsonNode> claimFlowRuns(String pool, String worker, List<String> queues, int limit, int waitSeconds) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("worker_name", worker);
        if (!queues.isEmpty()) {
            queues.forEach(body.putArray("work_queue_names")::add);
        }
        body.put("limit", limit).put("wait_seconds", waitSeconds);
        Duration timeout = Duration.ofSeconds(waitSeconds + 15L);
        JsonNode answer = http.send("POST", pool(pool) + "/get_scheduled_flow_runs", Json.bytes(body), timeout).body();
        return items(answer);
    }

    // ---- deployments

    /** Creates or updates (same flow name + name); {@link ApiResponse#created()} tells which. */
    public ApiResponse upsertDeployment(ObjectNode deployment) {
        return http.post("/api/deployments", deployment);
    }

    public List<JsonNode> deployments(String pool) {
        return all("/api/deployments", new Query().add("work_pool_name", pool));
    }

    public JsonNode deployment(String id) {
        return http.get("/api/deployments/" + segment(id)).body();
    }

    /** The deployment of a run: what a run token may read of it. */
    public JsonNode deploymentOfRun(String runId) {
        return http.get(run(runId) + "/deployment").body();
    }

    public JsonNode deploymentByName(String flow, String name) {
        return http.get("/api/deployments/name/" + segment(flow) + "/" + segment(name)).body();
    }

    public JsonNode updateDeployment(String id, ObjectNode patch) {
        return http.patch("/api/deployments/" + segment(id), patch).body();
    }

    public void deleteDeployment(String id) {
        http.delete("/api/deployments/" + segment(id));
    }

    public ApiResponse createFlowRun(String deploymentId, ObjectNode request) {
        return http.post("/api/deployments/" + segment(deploymentId) + "/create_flow_run", request);
    }

    // ---- schedules, pause, upcoming runs, backfill

    public List<JsonNode> schedules(String deploymentId) {
        return items(http.get(deployment(deploymentId, "/schedules")).body());
    }

    /** Answers the schedule as stored, with its slug. */
    public JsonNode createSchedule(String deploymentId, ObjectNode schedule) {
        return http.post(deployment(deploymentId, "/schedules"), schedule).body();
    }

    /** Changes the fields in {@code patch}; a field set to null goes back to its default. */
    public JsonNode updateSchedule(String deploymentId, String slug, ObjectNode patch) {
        return http.patch(deployment(deploymentId, "/schedules/" + segment(slug)), patch).body();
    }

    public void deleteSchedule(String deploymentId, String slug) {
        http.delete(deployment(deploymentId, "/schedules/" + segment(slug)));
    }

    /** {@code request} is {@code {note?, resume_at?}}; answers the paused deployment. */
    public JsonNode pauseDeployment(String deploymentId, ObjectNode request) {
        return http.post(deployment(deploymentId, "/pause"), request).body();
    }

    public JsonNode resumeDeployment(String deploymentId) {
        return http.post(deployment(deploymentId, "/resume"), null).body();
    }

    /** The next firings of the deployment's schedules, computed by the server; nulls mean its defaults. */
    public List<JsonNode> upcomingRuns(String deploymentId, Instant after, Instant until, int limit) {
        Query query = new Query()
                .add("after", after == null ? null : after.toString())
                .add("until", until == null ? null : until.toString())
                .add("limit", String.valueOf(limit));
        return items(http.get(deployment(deploymentId, "/upcoming_runs") + query).body());
    }

    /** {@code request} is {@code {start, end, dry_run}}; answers the firings, with their runs unless a dry run. */
    public List<JsonNode> backfill(String deploymentId, ObjectNode request) {
        return items(http.post(deployment(deploymentId, "/backfill"), request).body());
    }

    /** Computed firings of the pool's deployments within {@code hours}, and its runs already due or late. */
    public List<JsonNode> poolUpcomingRuns(String pool, int hours, int limit) {
        return items(http.get(pool(pool) + "/upcoming_runs" + new Query().add("hours", String.valueOf(hours))
                .add("limit", String.valueOf(limit))).body());
    }

    // ---- flow runs

    /** Newest first, at most {@code limit} of them. */
    public List<JsonNode> flowRuns(RunQuery filter, int limit) {
        Query query = new Query()
                .add("deployment_id", filter.deploymentId())
                .add("work_pool_name", filter.workPoolName());
        filter.stateTypes().forEach(type -> query.add("state_type", type));
        return upTo("/api/flow_runs", query, limit).items();
    }

    public JsonNode flowRun(String id) {
        return http.get(run(id)).body();
    }

    /** Answers {@code {"status": "ACCEPT", "flow_run": ...}}; a refused transition is an {@link ApiProblem} with status 409. */
    public JsonNode setState(String id, ObjectNode request) {
        return http.post(run(id) + "/set_state", request).body();
    }

    public JsonNode heartbeat(String id) {
        return http.post(run(id) + "/heartbeat", null).body();
    }

    public JsonNode cancel(String id) {
        return http.post(run(id) + "/cancel", null).body();
    }

    public JsonNode retry(String id) {
        return http.post(run(id) + "/retry", null).body();
    }

    /** {@code body} is the serialized {@code {"logs": [...]}} document. */
    public void postLogs(String id, byte[] body) {
        http.send("POST", run(id) + "/logs", body, ApiClient.DEFAULT_TIMEOUT);
    }

    /** One page of log lines after sequence number {@code after}: {@code {"items": [...], "next": ...}}. */
    public JsonNode logs(String id, long after, int limit) {
        return http.get(run(id) + "/logs" + new Query().add("after", String.valueOf(after))
                .add("limit", String.valueOf(limit))).body();
    }

    // ---- API keys

    /** Answers the key's record with {@code key}, the only time the server shows it. */
    public JsonNode createApiKey(ObjectNode request) {
        return http.post("/api/api_keys", request).body();
    }

    public List<JsonNode> apiKeys() {
        return all("/api/api_keys", new Query());
    }

    public JsonNode revokeApiKey(String id) {
        return http.delete("/api/api_keys/" + segment(id)).body();
    }

    // ---- events

    /** {@code events} is a JSON array of 1 to 100 events; answers {@code {"accepted": [ids], "duplicates": [ids]}}. */
    public JsonNode emitEvents(ArrayNode events) {
        return http.post("/api/events", events).body();
    }

    /**
     * The events matching {@code filter}, newest first, at most {@code limit} of them, read page by
     * page (a page may hold fewer than asked and still have a next one).
     */
    public Listed events(EventQuery filter, int limit) {
        return upTo("/api/events", filter.query(false), limit);
    }

    /**
     * One page of events oldest first from {@code next} (null: from {@code filter}'s since). With no
     * until its {@code next} is never null: following it tails the events as they arrive. The server
     * may hold the request up to {@code waitSeconds} for one to come, so the HTTP timeout outlasts it.
     */
    public JsonNode eventsAfter(EventQuery filter, String next, int limit, int waitSeconds) {
        Query query = filter.query(true).add("limit", String.valueOf(limit)).add("next", next)
                .add("wait", String.valueOf(waitSeconds));
        return http.send("GET", "/api/events" + query, null, Duration.ofSeconds(waitSeconds + 15L)).body();
    }

    /** Filters for {@link #events} and {@link #eventsAfter}: patterns as the API takes them; empty lists and nulls mean "any". */
    public record EventQuery(List<String> events, List<String> resources, List<String> labels, List<String> related,
                             Instant since, Instant until) {
        Query query(boolean ascending) {
            Query query = new Query();
            events.forEach(e -> query.add("event", e));
            resources.forEach(r -> query.add("resource", r));
            labels.forEach(l -> query.add("label", l));
            related.forEach(r -> query.add("related", r));
            return query.add("since", since == null ? null : since.toString())
                    .add("until", until == null ? null : until.toString())
                    .add("order", ascending ? "asc" : null);
        }
    }

    // ---- automations

    /** Answers the automation as stored; a name already taken is an {@link ApiProblem} with status 409. */
    public JsonNode createAutomation(ObjectNode automation) {
        return http.post("/api/automations", automation).body();
    }

    /** All of them, by name. */
    public List<JsonNode> automations() {
        return all("/api/automations", new Query());
    }

    public JsonNode automation(String id) {
        return http.get(automation(id, "")).body();
    }

    public JsonNode automationByName(String name) {
        return http.get("/api/automations/name/" + segment(name)).body();
    }

    /** Changes the fields in {@code patch} (description, enabled, trigger, actions). */
    public JsonNode updateAutomation(String id, ObjectNode patch) {
        return http.patch(automation(id, ""), patch).body();
    }

    public void deleteAutomation(String id) {
        http.delete(automation(id, ""));
    }

    /** {@code {automation, evaluations, windows, firings}}: why it fired or not, newest first. */
    public JsonNode automationHistory(String id) {
        return http.get(automation(id, "/history")).body();
    }

    // ---- webhooks

    /**
     * Answers the webhook as stored, with {@code secret} only when the server made it (the only
     * time it is shown); a name already taken is an {@link ApiProblem} with status 409.
     */
    public JsonNode createWebhook(ObjectNode webhook) {
        return http.post("/api/webhooks", webhook).body();
    }

    /** All of them, by name. */
    public List<JsonNode> webhooks() {
        return all("/api/webhooks", new Query());
    }

    public JsonNode webhook(String id) {
        return http.get(webhook(id, "")).body();
    }

    public JsonNode webhookByName(String name) {
        return http.get("/api/webhooks/name/" + segment(name)).body();
    }

    /** Changes the fields in {@code patch} (enabled, template). */
    public JsonNode updateWebhook(String id, ObjectNode patch) {
        return http.patch(webhook(id, ""), patch).body();
    }

    public void deleteWebhook(String id) {
        http.delete(webhook(id, ""));
    }

    /** {@code request} is {@code {grace_seconds?, secret?}}; answers the webhook at its new path, with {@code secret} if made. */
    public JsonNode rotateWebhook(String id, ObjectNode request) {
        return http.post(webhook(id, "/rotate"), request).body();
    }

    /** Its latest deliveries, newest first. */
    public List<JsonNode> webhookDeliveries(String id) {
        return items(http.get(webhook(id, "/deliveries")).body());
    }

    /** {@code sample} is {@code {method?, headers?, query?, body?}}; answers {@code {event}}, nothing emitted. */
    public JsonNode testWebhook(String id, ObjectNode sample) {
        return http.post(webhook(id, "/test"), sample).body();
    }

    /** Items read up to a limit; {@code more} when the server had a next page after them. */
    public record Listed(List<JsonNode> items, boolean more) {}

    // ----

    private List<JsonNode> all(String path, Query query) {
        return upTo(path, query, Integer.MAX_VALUE).items();
    }

    private Listed upTo(String path, Query query, int limit) {
        List<JsonNode> result = new ArrayList<>();
        String next = null;
        do {
            Query page = query.copy().add("limit", String.valueOf(Math.min(PAGE, limit - result.size()))).add("next", next);
            JsonNode answer = http.get(path + page).body();
            for (JsonNode item : items(answer)) {
                if (result.size() < limit) result.add(item);
            }
            JsonNode cursor = answer.path("next");
            next = cursor.isTextual() && !cursor.asText().isEmpty() ? cursor.asText() : null;
        } while (next != null && result.size() < limit);
        return new Listed(result, next != null);
    }

    private static List<JsonNode> items(JsonNode answer) {
        List<JsonNode> items = new ArrayList<>();
        answer.path("items").forEach(items::add);
        return items;
    }

    private static String deployment(String id, String rest) {
        return "/api/deployments/" + segment(id) + rest;
    }

    private static String automation(String id, String rest) {
        return "/api/automations/" + segment(id) + rest;
    }

    private static String webhook(String id, String rest) {
        return "/api/webhooks/" + segment(id) + rest;
    }

    private static String pool(String name) {
        return "/api/work_pools/" + segment(name);
    }

    private static String queue(String pool, String queue) {
        return pool(pool) + "/queues/" + segment(queue);
    }

    private static String run(String id) {
        return "/api/flow_runs/" + segment(id);
    }

    /** Filters for {@link #flowRuns}; nulls and empty lists mean "any". */
    public record RunQuery(List<String> stateTypes, String deploymentId, String workPoolName) {}

    private static final class Query {
        private final StringJoiner joiner;

        Query() {
            this(new StringJoiner("&", "?", "").setEmptyValue(""));
        }

        private Query(StringJoiner joiner) {
            this.joiner = joiner;
        }

        Query add(String name, String value) {
            if (value != null) joiner.add(segment(name) + "=" + segment(value));
            return this;
        }

        Query copy() {
            StringJoiner copy = new StringJoiner("&", "?", "").setEmptyValue("");
            String current = joiner.toString();
            if (!current.isEmpty()) copy.add(current.substring(1));
            return new Query(copy);
        }

        @Override
        public String toString() {
            return joiner.toString();
        }
    }
}
