package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API keys and run tokens through the router, on each adapter set. */
public abstract class ApiKeyRoutesContract {
    /** A fresh, empty API over the adapter set under test; {@code adminKey} null for an open server. */
    protected abstract TestApi newApi(String adminKey);


    private static Map<String, String> as(String key) {
        return Map.of("authorization", "Bearer " + key);
    }

    @Test
    void createListRevoke_showTheKeyOnce_andNeverItsHash() {
        try (TestApi api = newApi("boot")) {
            Response created = api.call("POST", "/api/api_keys", "{\"name\": \"w\", \"role\": \"WORKER\", \"pools\": [\"p\"]}",
                    as("boot"));

            assertThat(created.status()).isEqualTo(201);
            String key = created.body().path("key").asText();
            assertThat(key).matches("ferry_[A-Za-z0-9_-]{43}");
            assertThat(created.body().path("prefix").asText()).isEqualTo(key.substring(0, 12));
            assertThat(created.body().has("hash")).isFalse();
            assertThat(created.body().path("pools").toString()).isEqualTo("[\"p\"]");

            JsonNode listed = TestApi.ok(api.call("GET", "/api/api_keys", null, as("boot"))).path("items");
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).has("key")).isFalse();
            assertThat(listed.get(0).has("hash")).isFalse();
            assertThat(listed.get(0).path("revoked_at").isNull()).isTrue();

            String id = created.body().path("id").asText();
            Response revoked = api.call("DELETE", "/api/api_keys/" + id, null, as("boot"));
            assertThat(revoked.status()).isEqualTo(200);
            assertThat(revoked.body().path("revoked_at").isTextual()).isTrue();
            assertThat(api.call("GET", "/api/work_pools/p", null, as(key)).status()).isEqualTo(401);
            assertThat(api.call("DELETE", "/api/api_keys/no-such-id", null, as("boot")).status()).isEqualTo(404);
        }
    }

    @Test
    void createBody_isReadStrictly() {
        try (TestApi api = newApi("boot")) {
            Response unknownField = api.call("POST", "/api/api_keys", "{\"name\": \"k\", \"role\": \"ADMIN\", \"scope\": 1}", as("boot"));
            Response badRole = api.call("POST", "/api/api_keys", "{\"name\": \"k\", \"role\": \"ROOT\"}", as("boot"));
            Response poolsOnReader = api.call("POST", "/api/api_keys", "{\"name\": \"k\", \"role\": \"READER\", \"pools\": [\"p\"]}",
                    as("boot"));

            assertThat(unknownField.status()).isEqualTo(400);
            assertThat(unknownField.field()).isEqualTo("scope");
            assertThat(badRole.status()).isEqualTo(422);
            assertThat(badRole.field()).isEqualTo("role");
            assertThat(poolsOnReader.status()).isEqualTo(422);
            assertThat(poolsOnReader.field()).isEqualTo("pools");
            assertThat(api.auth.list()).isEmpty();
        }
    }

    @Test
    void aServerWithoutKeys_isOpen_untilItsFirstKey_whichMustBeAnAdminKey() {
        try (TestApi api = newApi(null)) {
            assertThat(api.get("/api/work_pools").status()).isEqualTo(200);
            Response deployer = api.post("/api/api_keys", "{\"name\": \"ci\", \"role\": \"DEPLOYER\"}");
            assertThat(deployer.status()).isEqualTo(422);
            assertThat(deployer.body().path("detail").asText()).contains("must have role ADMIN");

            String admin = TestApi.ok(api.post("/api/api_keys", "{\"name\": \"me\", \"role\": \"ADMIN\"}")).path("key").asText();

            assertThat(api.get("/api/work_pools").status()).isEqualTo(401);
            assertThat(api.call("GET", "/api/work_pools", null, as(admin)).status()).isEqualTo(200);
        }
    }

    @Test
    void aClaim_handsTheRunItsToken_whichReportsOnThatRunOnly() {
        try (TestApi api = newApi("boot")) {
            String dep = poolAndDeployment(api);
            String runId = run(api, dep);
            String other = run(api, dep);
            String worker = TestApi.ok(api.call("POST", "/api/api_keys",
                    "{\"name\": \"w\", \"role\": \"WORKER\", \"pools\": [\"p\"]}", as("boot"))).path("key").asText();

            JsonNode claimed = TestApi.ok(api.call("POST", "/api/work_pools/p/get_scheduled_flow_runs",
                    "{\"worker_name\": \"w1\"}", as(worker))).path("items").get(0);
            String token = claimed.path("run_token").asText();
            assertThat(claimed.at("/flow_run/id").asText()).isEqualTo(runId);
            assertThat(token).startsWith("ferry_run_" + runId + "_");

            assertThat(api.call("POST", "/api/flow_runs/" + runId + "/set_state", "{\"state\": {\"type\": \"RUNNING\"}}",
                    as(token)).status()).isEqualTo(200);
            assertThat(api.call("POST", "/api/flow_runs/" + runId + "/logs",
                    "{\"logs\": [{\"stream\": \"stdout\", \"message\": \"hi\"}]}", as(token)).status()).isEqualTo(204);
            assertThat(api.call("POST", "/api/flow_runs/" + runId + "/heartbeat", null, as(token)).status()).isEqualTo(200);
            assertThat(api.call("POST", "/api/flow_runs/" + runId + "/set_state", "{\"state\": {\"type\": \"COMPLETED\"}}",
                    as(token)).status()).isEqualTo(200);
            assertThat(TestApi.ok(api.call("GET", "/api/flow_runs/" + runId, null, as(token))).path("state_type").asText())
                    .isEqualTo("COMPLETED");

            assertThat(api.call("POST", "/api/flow_runs/" + other + "/cancel", null, as(token)).status()).isEqualTo(403);
            assertThat(api.call("GET", "/api/flow_runs/" + other, null, as(token)).status()).isEqualTo(403);
            assertThat(api.call("POST", "/api/work_pools/p/get_scheduled_flow_runs", "{\"worker_name\": \"x\"}", as(token))
                    .status()).isEqualTo(403);
            assertThat(api.call("POST", "/api/deployments/" + dep + "/create_flow_run", "{}", as(token)).status()).isEqualTo(403);
        }
    }

    @Test
    void aRunToken_lastsForItsAttempt_endsAfterTheRunWithAGrace_andWithTheKeyThatClaimedIt() {
        try (TestApi api = newApi("boot")) {
            String dep = poolAndDeployment(api);
            String runId = run(api, dep);
            JsonNode workerKey = TestApi.ok(api.call("POST", "/api/api_keys",
                    "{\"name\": \"w\", \"role\": \"WORKER\", \"pools\": [\"p\"]}", as("boot")));
            String worker = workerKey.path("key").asText();
            String first = claim(api, worker);
            String heartbeat = "/api/flow_runs/" + runId + "/heartbeat";
            TestApi.ok(api.call("POST", "/api/flow_runs/" + runId + "/set_state", "{\"state\": {\"type\": \"RUNNING\"}}", as(first)));
            TestApi.ok(api.call("POST", "/api/flow_runs/" + runId + "/set_state", "{\"state\": {\"type\": \"FAILED\"}}", as(first)));

            api.clock.advance(Duration.ofMinutes(4));
            assertThat(api.call("GET", "/api/flow_runs/" + runId, null, as(first)).status()).as("within the grace").isEqualTo(200);
            api.clock.advance(Duration.ofMinutes(2));
            Response expired = api.call("GET", "/api/flow_runs/" + runId, null, as(first));
            assertThat(expired.status()).isEqualTo(401);
            assertThat(expired.body().path("detail").asText()).contains("ended at");

            TestApi.ok(api.call("POST", "/api/flow_runs/" + runId + "/retry", null, as("boot")));
            assertThat(api.call("POST", heartbeat, null, as(first)).status()).as("the retry is not the old attempt's").isEqualTo(401);
            String second = claim(api, worker);
            assertThat(second).isNotEqualTo(first);
            Response old = api.call("POST", "/api/flow_runs/" + runId + "/set_state", "{\"state\": {\"type\": \"CANCELLED\"}}",
                    as(first));
            assertThat(old.status()).isEqualTo(401);
            assertThat(old.body().path("detail").asText()).contains("earlier attempt");
            assertThat(api.call("POST", heartbeat, null, as(second)).status()).isEqualTo(200);

            TestApi.ok(api.call("DELETE", "/api/api_keys/" + workerKey.path("id").asText(), null, as("boot")));
            Response revoked = api.call("POST", heartbeat, null, as(second));
            assertThat(revoked.status()).isEqualTo(401);
            assertThat(revoked.body().path("detail").asText()).contains("was revoked");
            assertThat(TestApi.ok(api.call("GET", "/api/flow_runs/" + runId, null, as("boot"))).path("state_type").asText())
                    .isEqualTo("PENDING");
        }
    }

    @Test
    void aRunToken_mayNotWriteTheWorkerStream_whichWorkerKeysStillWrite() {
        try (TestApi api = newApi("boot")) {
            String runId = run(api, poolAndDeployment(api));
            String worker = TestApi.ok(api.call("POST", "/api/api_keys",
                    "{\"name\": \"w\", \"role\": \"WORKER\", \"pools\": [\"p\"]}", as("boot"))).path("key").asText();
            String token = claim(api, worker);
            String logs = "/api/flow_runs/" + runId + "/logs";

            Response spoofed = api.call("POST", logs, "{\"logs\": [{\"stream\": \"stdout\", \"message\": \"fine\"}, "
                    + "{\"stream\": \"worker\", \"message\": \"[ferry] all clear\"}]}", as(token));
            Response byWorker = api.call("POST", logs, "{\"logs\": [{\"stream\": \"worker\", \"message\": \"pulled\"}]}",
                    as(worker));

            assertThat(spoofed.status()).isEqualTo(422);
            assertThat(spoofed.field()).isEqualTo("logs[1].stream");
            assertThat(byWorker.status()).isEqualTo(204);
            JsonNode stored = TestApi.ok(api.call("GET", logs, null, as("boot"))).path("items");
            assertThat(stored).hasSize(1);
            assertThat(stored.get(0).path("stream").asText()).isEqualTo("worker");
            assertThat(stored.get(0).path("message").asText()).isEqualTo("pulled");
        }
    }

    @Test
    void aKey_registersABoundedNumberOfNewWorkersInAPool_anHour() {
        try (TestApi api = newApi("boot")) {
            poolAndDeployment(api);
            String one = TestApi.ok(api.call("POST", "/api/api_keys", "{\"name\": \"w1\", \"role\": \"WORKER\", \"pools\": [\"p\"]}", as("boot")))
                    .path("key").asText();
            String other = TestApi.ok(api.call("POST", "/api/api_keys", "{\"name\": \"w2\", \"role\": \"WORKER\", \"pools\": [\"p\"]}", as("boot")))
                    .path("key").asText();
            String beat = "/api/work_pools/p/workers/heartbeat";
            int max = dev.ferry.core.pools.PoolService.MAX_NEW_WORKERS_PER_KEY;
            for (int i = 0; i < max; i++) {
                assertThat(api.call("POST", beat, "{\"name\": \"n" + i + "\"}", as(one)).status()).isEqualTo(200);
            }

            Response past = api.call("POST", beat, "{\"name\": \"one-more\"}", as(one));
            Response known = api.call("POST", beat, "{\"name\": \"n7\"}", as(one));
            Response byOther = api.call("POST", beat, "{\"name\": \"theirs\"}", as(other));

            assertThat(past.status()).isEqualTo(422);
            assertThat(past.field()).isEqualTo("name");
            assertThat(known.status()).as("a worker it has is heard from still").isEqualTo(200);
            assertThat(known.body().has("registered_by")).isFalse();
            assertThat(byOther.status()).isEqualTo(200);
            api.clock.advance(Duration.ofMinutes(61));
            TestApi.ok(api.call("POST", beat, "{\"name\": \"n7\"}", as(one)));
            assertThat(api.call("POST", beat, "{\"name\": \"next-hour\"}", as(one)).status())
                    .as("99 of its workers were last heard from over an hour ago").isEqualTo(200);
        }
    }

    /** Pool p and its deployment f/d, made with the bootstrap key; the deployment's id. */
    private static String poolAndDeployment(TestApi api) {
        TestApi.ok(api.call("POST", "/api/work_pools", "{\"name\": \"p\", \"type\": \"process\"}", as("boot")));
        return TestApi.ok(api.call("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", "
                + "\"entrypoint\": \"flows/f.py:f\", \"work_pool_name\": \"p\"}", as("boot"))).path("id").asText();
    }

    private static String run(TestApi api, String deploymentId) {
        return TestApi.ok(api.call("POST", "/api/deployments/" + deploymentId + "/create_flow_run", "{}", as("boot")))
                .path("id").asText();
    }

    private static String claim(TestApi api, String worker) {
        JsonNode claimed = TestApi.ok(api.call("POST", "/api/work_pools/p/get_scheduled_flow_runs",
                "{\"worker_name\": \"w1\"}", as(worker))).path("items");
        assertThat(claimed).hasSize(1);
        return claimed.get(0).path("run_token").asText();
    }
}
