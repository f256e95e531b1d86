package dev.ferry.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.Json;
import dev.ferry.core.scheduler.ManualTimer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The core router over one adapter set, called as a client would call it, with the clock and the
 * schedule timer in the test's hands. Behaviour suites are written against this, once; each
 * adapter set supplies one ({@code newApi(adminKey)}: InMemoryApiTest, SqliteApiTest, AwsApiIT)
 * and so proves the whole API on itself. Bodies go out as {@code application/json}, as every
 * Ferry client sends them.
 */
public final class TestApi implements AutoCloseable {
    public final Ferry ferry;
    public final Router router;
    public final TestClock clock;
    public final ManualTimer timer;
    /** Who may call: the keys behind the router, for tests that mint, revoke and list them. */
    public final ApiKeyService auth;
    private final AutoCloseable resources;

    public TestApi(Ferry ferry, Router router, TestClock clock, ManualTimer timer, ApiKeyService auth,
                   AutoCloseable resources) {
        this.ferry = ferry;
        this.router = router;
        this.clock = clock;
        this.timer = timer;
        this.auth = auth;
        this.resources = resources;
    }

    public record Response(int status, JsonNode body, Map<String, String> headers) {
        public String field() {
            return body.path("field").asText(null);
        }
    }

    public Response call(String method, String pathAndQuery, String body, Map<String, String> headers) {
        String path = pathAndQuery;
        Map<String, List<String>> query = new LinkedHashMap<>();
        int q = pathAndQuery.indexOf('?');
        if (q >= 0) {
            path = pathAndQuery.substring(0, q);
            for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                query.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv.length > 1 ? kv[1] : "");
            }
        }
        Map<String, String> sent = new LinkedHashMap<>(headers);
        if (body != null) sent.putIfAbsent("content-type", "application/json"); // as every Ferry client sends it
        ApiResponse r = router.handle(new ApiRequest(method, path, query, sent,
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
        JsonNode json = r.body().length == 0 ? Json.MAPPER.nullNode() : Json.tree(new String(r.body(), StandardCharsets.UTF_8));
        return new Response(r.status(), json, r.headers());
    }

    public Response get(String path) {
        return call("GET", path, null, Map.of());
    }

    public Response post(String path, String body) {
        return call("POST", path, body, Map.of());
    }

    public Response patch(String path, String body) {
        return call("PATCH", path, body, Map.of());
    }

    public Response delete(String path) {
        return call("DELETE", path, null, Map.of());
    }

    // --- the tutorial's steps ---

    public JsonNode pool(String name) {
        return ok(post("/api/work_pools", "{\"name\": \"" + name + "\", \"type\": \"process\"}"));
    }

    public JsonNode deployment(String pool, String extra) {
        return ok(post("/api/deployments", "{\"name\": \"my-deployment\", \"flow_name\": \"my-flow\", "
                + "\"entrypoint\": \"flows/my_flow.py:my_flow\", \"work_pool_name\": \"" + pool + "\""
                + (extra == null ? "" : ", " + extra) + "}"));
    }

    public JsonNode run(String deploymentId, String body) {
        return ok(post("/api/deployments/" + deploymentId + "/create_flow_run", body == null ? "{}" : body));
    }

    public JsonNode claim(String pool, String worker, int limit) {
        return ok(post("/api/work_pools/" + pool + "/get_scheduled_flow_runs",
                "{\"worker_name\": \"" + worker + "\", \"limit\": " + limit + "}")).get("items");
    }

    public Response setState(String runId, String type) {
        return post("/api/flow_runs/" + runId + "/set_state", "{\"state\": {\"type\": \"" + type + "\"}}");
    }

    public static JsonNode ok(Response r) {
        if (r.status() >= 300) throw new AssertionError("expected success, got " + r.status() + ": " + r.body());
        return r.body();
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the adapters failed", e);
        }
    }
}
