package dev.ferry.embedded.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.TestClock;
import dev.ferry.embedded.Database;
import dev.ferry.embedded.SqliteAdapters;
import dev.ferry.embedded.SqliteApiKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The embedded adapter set wired to the core router, with a clock the test moves. */
final class EmbeddedApi implements AutoCloseable {
    final TestClock clock = TestClock.ticking();
    final ManualTimer timer = new ManualTimer();
    final Database database;
    final ApiKeyService auth;
    final Ferry ferry;
    final Router router;

    /** Wired as EmbeddedServer wires it: {@code apiKey} is the bootstrap admin key, null for none. */
    EmbeddedApi(Path dir, String apiKey) {
        database = Database.open(dir.resolve("ferry.db"));
        auth = new ApiKeyService(new SqliteApiKeys(database), BootstrapKey.ofKey(apiKey), clock, Ids.RANDOM);
        ferry = Ferry.wire(SqliteAdapters.ports(database, clock, timer), clock, Ids.RANDOM, auth.runTokens());
        router = new Router(ferry, clock, auth);
    }

    EmbeddedApi(Path dir) {
        this(dir, null);
    }

    record Response(int status, JsonNode body, Map<String, String> headers) {
        String field() {
            return body.path("field").asText(null);
        }
    }

    Response call(String method, String pathAndQuery, String body, Map<String, String> headers) {
        String path = pathAndQuery;
        Map<String, List<String>> query = new LinkedHashMap<>();
        int q = pathAndQuery.indexOf('?');
        if (q >= 0) {
            path = pathAndQuery.substring(0, q);
            for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                query.computeIfAbsent(kv[0], k -> new java.util.ArrayList<>()).add(kv.length > 1 ? kv[1] : "");
            }
        }
        ApiResponse r = router.handle(new ApiRequest(method, path, query, headers,
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
        JsonNode json = r.body().length == 0 ? Json.MAPPER.nullNode() : Json.tree(new String(r.body(), StandardCharsets.UTF_8));
        return new Response(r.status(), json, r.headers());
    }

    Response get(String path) {
        return call("GET", path, null, Map.of());
    }

    Response post(String path, String body) {
        return call("POST", path, body, Map.of());
    }

    Response patch(String path, String body) {
        return call("PATCH", path, body, Map.of());
    }

    Response delete(String path) {
        return call("DELETE", path, null, Map.of());
    }

    // --- the tutorial's steps as helpers ---

    JsonNode pool(String name) {
        return ok(post("/api/work_pools", "{\"name\": \"" + name + "\", \"type\": \"process\"}"));
    }

    JsonNode deployment(String pool, String extra) {
        return ok(post("/api/deployments", "{\"name\": \"my-deployment\", \"flow_name\": \"my-flow\", "
                + "\"entrypoint\": \"flows/my_flow.py:my_flow\", \"work_pool_name\": \"" + pool + "\""
                + (extra == null ? "" : ", " + extra) + "}"));
    }

    JsonNode run(String deploymentId, String body) {
        return ok(post("/api/deployments/" + deploymentId + "/create_flow_run", body == null ? "{}" : body));
    }

    JsonNode claim(String pool, String worker, int limit) {
        return ok(post("/api/work_pools/" + pool + "/get_scheduled_flow_runs",
                "{\"worker_name\": \"" + worker + "\", \"limit\": " + limit + "}")).get("items");
    }

    Response setState(String runId, String type) {
        return post("/api/flow_runs/" + runId + "/set_state", "{\"state\": {\"type\": \"" + type + "\"}}");
    }

    static JsonNode ok(Response r) {
        if (r.status() >= 300) throw new AssertionError("expected success, got " + r.status() + ": " + r.body());
        return r.body();
    }

    @Override
    public void close() {
        database.close();
    }
}
