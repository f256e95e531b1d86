package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.Route;
import dev.ferry.core.auth.Access;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.Role;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of the router against every kind of caller, on each adapter set. The expected table
 * below is written out by hand, apart from {@code Access}: a new route fails
 * {@link #theTable_coversEveryRoute()} until someone decides who may call it.
 *
 * <p>One server serves the whole matrix. Requests carry no body, so writes are refused before
 * they happen, and the only state an authorization decision reads (the keys, the runs' pools) is
 * beyond the reach of any request here: whatever order the cases run in, the answers hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AuthorizationMatrixContract {
    /** A fresh, empty API over the adapter set under test; {@code adminKey} null for an open server. */
    protected abstract TestApi newApi(String adminKey);

    /** A caller: the column letter in {@link #EXPECTED} and how its Authorization header is made. */
    private enum Caller {
        ADMIN('A'), BOOTSTRAP('B'), DEPLOYER('D'), READER('R'), WORKER('W'), OTHER_POOL_WORKER('w'),
        RUN_TOKEN('T'), OTHER_RUN_TOKEN('t');

        final char letter;

        Caller(char letter) {
            this.letter = letter;
        }
    }

    /**
     * A letter: that caller is let through (the route itself then answers, 2xx or 4xx but never
     * 401/403); a dot: 403. W is a WORKER key for pool-a, the pool in the path or of the run; w one
     * for pool-b. T is run-a's token, on run-a's routes; t is run-b's token, on run-a's routes.
     */
    private static final String EXPECTED = """
            GET /api/health                                       A B D R W w T t
            GET /api/openapi.json                                 A B D R W w . .
            GET /api/work_pool_types/{type}/base_job_template     A B D R . . . .
            POST /api/work_pools                                  A B . . . . . .
            GET /api/work_pools                                   A B D R . . . .
            GET /api/work_pools/{pool}                            A B D R W . . .
            PATCH /api/work_pools/{pool}                          A B . . . . . .
            DELETE /api/work_pools/{pool}                         A B . . . . . .
            POST /api/work_pools/{pool}/queues                    A B . . . . . .
            GET /api/work_pools/{pool}/queues                     A B D R W . . .
            GET /api/work_pools/{pool}/queues/{queue}             A B D R W . . .
            PATCH /api/work_pools/{pool}/queues/{queue}           A B . . . . . .
            DELETE /api/work_pools/{pool}/queues/{queue}          A B . . . . . .
            POST /api/work_pools/{pool}/workers/heartbeat         A B . . W . . .
            GET /api/work_pools/{pool}/workers                    A B D R W . . .
            POST /api/work_pools/{pool}/get_scheduled_flow_runs   A B . . W . . .
            POST /api/deployments                                 A B D . . . . .
            GET /api/deployments                                  A B D R . . . .
            GET /api/deployments/{id}                             A B D R . . . .
            GET /api/deployments/name/{flow_name}/{name}          A B D R . . . .
            PATCH /api/deployments/{id}                           A B D . . . . .
            DELETE /api/deployments/{id}                          A B D . . . . .
            POST /api/deployments/{id}/create_flow_run            A B D . . . . .
            GET /api/deployments/{id}/schedules                   A B D R . . . .
            POST /api/deployments/{id}/schedules                  A B D . . . . .
            PATCH /api/deployments/{id}/schedules/{slug}          A B D . . . . .
            DELETE /api/deployments/{id}/schedules/{slug}         A B D . . . . .
            POST /api/deployments/{id}/pause                      A B D . . . . .
            POST /api/deployments/{id}/resume                     A B D . . . . .
            GET /api/deployments/{id}/upcoming_runs               A B D R . . . .
            POST /api/deployments/{id}/backfill                   A B D . . . . .
            GET /api/work_pools/{pool}/upcoming_runs              A B D R W . . .
            GET /api/flow_runs                                    A B D R . . . .
            GET /api/flow_runs/activity                           A B D R . . . .
            GET /api/flow_runs/{id}                               A B D R W . T .
            GET /api/flow_runs/{id}/deployment                    A B D R W . T .
            POST /api/flow_runs/{id}/set_state                    A B . . W . T .
            POST /api/flow_runs/{id}/heartbeat                    A B . . W . T .
            POST /api/flow_runs/{id}/cancel                       A B D . . . . .
            POST /api/flow_runs/{id}/retry                        A B D . . . . .
            POST /api/flow_runs/{id}/logs                         A B . . W . T .
            GET /api/flow_runs/{id}/logs                          A B D R . . T .
            POST /api/events                                      A B D . . . . .
            GET /api/events                                       A B D R . . . .
            POST /api/flow_runs/{id}/events                       A B . . . . T .
            POST /api/automations                                 A B D . . . . .
            GET /api/automations                                  A B D R . . . .
            GET /api/automations/{id}                             A B D R . . . .
            GET /api/automations/name/{name}                      A B D R . . . .
            PATCH /api/automations/{id}                           A B D . . . . .
            DELETE /api/automations/{id}                          A B D . . . . .
            GET /api/automations/{id}/history                     A B D R . . . .
            POST /hooks/{slug}                                    A B D R W w T t
            POST /api/webhooks                                    A B D . . . . .
            GET /api/webhooks                                     A B D . . . . .
            GET /api/webhooks/{id}                                A B D . . . . .
            GET /api/webhooks/name/{name}                         A B D . . . . .
            PATCH /api/webhooks/{id}                              A B D . . . . .
            POST /api/webhooks/{id}/rotate                        A B D . . . . .
            DELETE /api/webhooks/{id}                             A B D . . . . .
            GET /api/webhooks/{id}/deliveries                     A B D . . . . .
            POST /api/webhooks/{id}/test                          A B D . . . . .
            POST /api/api_keys                                    A B . . . . . .
            GET /api/api_keys                                     A B . . . . . .
            DELETE /api/api_keys/{id}                             A B . . . . . .
            """;

    TestApi api;
    final Map<Caller, String> headers = new LinkedHashMap<>();
    String deploymentId;
    String runA;
    String revokedKey;

    @BeforeAll
    void server() {
        api = newApi("boot-key");
        Map<String, String> boot = Map.of("authorization", "Bearer boot-key");
        TestApi.ok(api.call("POST", "/api/work_pools", "{\"name\": \"pool-a\", \"type\": \"process\"}", boot));
        TestApi.ok(api.call("POST", "/api/work_pools", "{\"name\": \"pool-b\", \"type\": \"process\"}", boot));
        deploymentId = deploy("pool-a", "my-deployment", boot);
        String deploymentB = deploy("pool-b", "other", boot);
        runA = TestApi.ok(api.call("POST", "/api/deployments/" + deploymentId + "/create_flow_run", "{}", boot))
                .get("id").asText();
        String runB = TestApi.ok(api.call("POST", "/api/deployments/" + deploymentB + "/create_flow_run", "{}", boot))
                .get("id").asText();

        headers.put(Caller.ADMIN, bearer(key(Role.ADMIN)));
        headers.put(Caller.BOOTSTRAP, "Bearer boot-key");
        headers.put(Caller.DEPLOYER, bearer(key(Role.DEPLOYER)));
        headers.put(Caller.READER, bearer(key(Role.READER)));
        headers.put(Caller.WORKER, bearer(key(Role.WORKER, "pool-a")));
        headers.put(Caller.OTHER_POOL_WORKER, bearer(key(Role.WORKER, "pool-b")));
        headers.put(Caller.RUN_TOKEN, bearer(api.auth.runTokens().mint(runA, null, null)));
        headers.put(Caller.OTHER_RUN_TOKEN, bearer(api.auth.runTokens().mint(runB, null, null)));
        ApiKeyService.Created revoked = api.auth.create(new ApiKeyService.NewKey("gone", Role.ADMIN, null));
        api.auth.revoke(revoked.record().id());
        revokedKey = revoked.key();
    }

    @AfterAll
    void stop() {
        api.close();
    }

    // ------------------------------------------------------------------ the matrix

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("routesByCaller")
    void eachCaller_getsWhatTheTableSays(String route, Caller caller) {
        boolean allowed = expected().get(route).indexOf(caller.letter) >= 0;

        Response r = call(route, Map.of("authorization", headers.get(caller)));

        if (allowed) {
            assertThat(r.status()).as("%s as %s: %s", route, caller, r.body()).isNotIn(401, 403);
        } else {
            assertThat(r.status()).as("%s as %s: %s", route, caller, r.body()).isEqualTo(403);
            assertProblem(r, 403);
        }
    }

    @ParameterizedTest(name = "{0} with a {1} credential")
    @MethodSource("routesByBadCredential")
    void badCredentials_get401_onEveryRouteButHealth(String route, String kind) {
        Map<String, String> header = new LinkedHashMap<>();
        switch (kind) {
            case "missing" -> { }
            case "malformed" -> header.put("authorization", "Basic Ym9vdC1rZXk6");
            case "unknown" -> header.put("authorization", bearer(ApiKeyService.newKey()));
            case "revoked" -> header.put("authorization", bearer(revokedKey));
            case "tampered run token" -> {
                String token = api.auth.runTokens().mint(runA, null, null);
                header.put("authorization", bearer(token.substring(0, token.length() - 4) + "0000"));
            }
            default -> throw new AssertionError(kind);
        }

        Response r = call(route, header);

        if (route.equals("GET /api/health")) {
            assertThat(r.status()).isEqualTo(200);
        } else if (route.startsWith("POST /hooks/")) {
            assertThat(r.status()).as("a webhook's address takes no credential: this one has no webhook").isEqualTo(404);
        } else {
            assertThat(r.status()).as("%s with a %s credential: %s", route, kind, r.body()).isEqualTo(401);
            assertProblem(r, 401);
        }
    }

    @Test
    void theTable_coversEveryRoute() {
        TreeSet<String> routes = new TreeSet<>();
        for (Route route : api.router.routes()) routes.add(route.method() + " " + route.path());

        assertThat(new TreeSet<>(expected().keySet())).isEqualTo(routes);
        assertThat(new TreeSet<>(Access.routes())).as("Access names no route that is gone").isEqualTo(routes);
    }

    @Test
    void refusals_sayWhy() {
        Response reader = api.call("POST", "/api/work_pools", "{}", Map.of("authorization", headers.get(Caller.READER)));
        assertThat(reader.body().path("detail").asText()).contains("role READER", "POST /api/work_pools", "roles that may: ADMIN");

        Response worker = api.call("POST", "/api/work_pools/pool-b/workers/heartbeat", "{}",
                Map.of("authorization", headers.get(Caller.WORKER)));
        assertThat(worker.body().path("detail").asText()).contains("WORKER key for work pools [pool-a]", "'pool-b'");

        Response otherRun = api.call("POST", "/api/flow_runs/" + runA + "/set_state", "{}",
                Map.of("authorization", headers.get(Caller.OTHER_RUN_TOKEN)));
        assertThat(otherRun.body().path("detail").asText()).contains("not to flow run '" + runA + "'");

        Response nonRunRoute = api.call("GET", "/api/flow_runs", null, Map.of("authorization", headers.get(Caller.RUN_TOKEN)));
        assertThat(nonRunRoute.body().path("detail").asText()).contains("a run token only works for its own run");

        Response revoked = api.call("GET", "/api/flow_runs", null, Map.of("authorization", bearer(revokedKey)));
        assertThat(revoked.body().path("detail").asText()).contains("API key 'gone'", "was revoked at");
        assertThat(revoked.body().toString()).doesNotContain(revokedKey);
    }

    // ------------------------------------------------------------------ helpers

    Stream<Arguments> routesByCaller() {
        List<Arguments> cases = new ArrayList<>();
        for (String route : expected().keySet()) {
            for (Caller caller : Caller.values()) cases.add(Arguments.of(route, caller));
        }
        return cases.stream();
    }

    Stream<Arguments> routesByBadCredential() {
        List<Arguments> cases = new ArrayList<>();
        for (String route : expected().keySet()) {
            for (String kind : List.of("missing", "malformed", "unknown", "revoked", "tampered run token")) {
                cases.add(Arguments.of(route, kind));
            }
        }
        return cases.stream();
    }

    private static Map<String, String> expected() {
        Map<String, String> table = new LinkedHashMap<>();
        for (String line : EXPECTED.strip().split("\n")) {
            String[] words = line.strip().split("\\s+", 3);
            table.put(words[0] + " " + words[1], words[2].replace(" ", ""));
        }
        return table;
    }

    /** The route's template made concrete: pool-a, its default queue, run-a, the deployment. */
    private Response call(String route, Map<String, String> header) {
        String method = route.substring(0, route.indexOf(' '));
        String template = route.substring(route.indexOf(' ') + 1);
        String id = template.startsWith("/api/flow_runs/") ? runA
                : template.startsWith("/api/deployments/") ? deploymentId
                : "no-such-key";
        String path = template.replace("{type}", "process").replace("{pool}", "pool-a").replace("{queue}", "default")
                .replace("{flow_name}", "my-flow").replace("{name}", "my-deployment").replace("{slug}", "nightly").replace("{id}", id);
        return api.call(method, path, null, header);
    }

    private static void assertProblem(Response r, int status) {
        assertThat(r.headers()).containsEntry("Content-Type", ApiResponse.PROBLEM);
        assertThat(r.headers().get("WWW-Authenticate")).startsWith("Bearer");
        JsonNode body = r.body();
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("title").asText()).isEqualTo(status == 401 ? "Unauthorized" : "Forbidden");
        assertThat(body.path("detail").asText()).isNotBlank();
    }

    private String deploy(String pool, String name, Map<String, String> header) {
        return TestApi.ok(api.call("POST", "/api/deployments", "{\"name\": \"" + name + "\", \"flow_name\": \"my-flow\", "
                + "\"entrypoint\": \"flows/my_flow.py:my_flow\", \"work_pool_name\": \"" + pool + "\"}", header)).get("id").asText();
    }

    private String key(Role role, String... pools) {
        return api.auth.create(new ApiKeyService.NewKey(role.name().toLowerCase() + "-" + String.join("-", pools), role,
                List.of(pools))).key();
    }

    private static String bearer(String key) {
        return "Bearer " + key;
    }
}
