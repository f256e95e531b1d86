package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refusal is a 4xx problem+json naming the field, and writes nothing. */
public abstract class BadInputContract {
    /** A fresh, empty API over the adapter set under test; {@code adminKey} null for an open server. */
    protected abstract TestApi newApi(String adminKey);

    TestApi api;
    String deploymentId;
    String runId;

    @BeforeEach
    void start() {
        api = newApi(null);
        api.pool("p");
        deploymentId = api.deployment("p", "\"parameter_openapi_schema\": {\"type\": \"object\", "
                + "\"properties\": {\"name\": {\"type\": \"string\"}, \"n\": {\"type\": \"integer\"}}, \"required\": [\"name\"]}, "
                + "\"parameters\": {\"name\": \"world\"}").get("id").asText();
        runId = api.run(deploymentId, null).get("id").asText();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static Stream<Arguments> refusals() {
        String big = "{\"name\": \"" + "x".repeat(1024 * 1024 + 10) + "\", \"type\": \"process\"}";
        return Stream.of(
                Arguments.of("POST", "/api/work_pools", "{", 400, null),
                Arguments.of("POST", "/api/work_pools", "", 400, null),
                Arguments.of("POST", "/api/work_pools", "[]", 400, null),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"q\", \"type\": \"process\"} trailing", 400, null),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"q\", \"type\": \"process\", \"colour\": \"red\"}", 400, "colour"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": 5, \"type\": \"process\"}", 400, "name"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"\", \"type\": \"process\"}", 422, "name"),
                Arguments.of("POST", "/api/work_pools", "{\"type\": \"process\"}", 422, "name"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"" + "n".repeat(101) + "\", \"type\": \"process\"}", 422, "name"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"a/b\", \"type\": \"process\"}", 422, "name"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"a\\u0001b\", \"type\": \"process\"}", 422, "name"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"q\", \"type\": \"docker\"}", 422, "type"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"q\"}", 422, "type"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"q\", \"type\": \"process\", \"concurrency_limit\": -1}", 422, "concurrency_limit"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"q\", \"type\": \"process\", \"concurrency_limit\": \"x\"}", 400, "concurrency_limit"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"q\", \"type\": \"process\", \"concurrency_limit\": 1.5}", 400, "concurrency_limit"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"q\", \"type\": \"process\", \"base_job_template\": {\"job_configuration\": {}, \"variables\": null}}", 422, "base_job_template.variables"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"q\", \"name\": \"r\", \"type\": \"process\"}", 400, null),
                Arguments.of("POST", "/api/api_keys", "{\"name\": \"k\", \"role\": 0}", 400, "role"),
                Arguments.of("POST", "/api/work_pools", "{\"name\": \"p\", \"type\": \"process\"}", 409, "name"),
                Arguments.of("POST", "/api/work_pools", big, 413, null),
                Arguments.of("GET", "/api/work_pools/nope", null, 404, null),
                Arguments.of("PATCH", "/api/work_pools/p", "{\"paused\": true}", 400, "paused"),
                Arguments.of("PATCH", "/api/work_pools/p", "{\"concurrency_limit\": -2}", 422, "concurrency_limit"),
                Arguments.of("PATCH", "/api/work_pools/p", "{\"is_paused\": \"yes\"}", 400, "is_paused"),
                Arguments.of("DELETE", "/api/work_pools/p/queues/default", null, 422, "name"),
                Arguments.of("POST", "/api/work_pools/p/queues", "{\"name\": \"q\", \"priority\": 0}", 422, "priority"),
                Arguments.of("POST", "/api/work_pools/p/queues", "{\"name\": \"default\"}", 409, "name"),
                Arguments.of("POST", "/api/work_pools/nope/queues", "{\"name\": \"q\"}", 404, null),
                Arguments.of("POST", "/api/work_pools/p/get_scheduled_flow_runs", "{\"worker_name\": \"w\", \"wait_seconds\": 21}", 422, "wait_seconds"),
                Arguments.of("POST", "/api/work_pools/p/get_scheduled_flow_runs", "{\"worker_name\": \"w\", \"limit\": 0}", 422, "limit"),
                Arguments.of("POST", "/api/work_pools/p/get_scheduled_flow_runs", "{\"worker_name\": \"w\", \"work_queue_names\": [\"nope\"]}", 422, "work_queue_names[0]"),
                Arguments.of("POST", "/api/work_pools/p/get_scheduled_flow_runs", "{}", 422, "worker_name"),
                Arguments.of("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", \"entrypoint\": \"a.py:f\", \"work_pool_name\": \"nope\"}", 422, "work_pool_name"),
                Arguments.of("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", \"entrypoint\": \"a.py:f\", \"work_pool_name\": \"p\", \"work_queue_name\": \"nope\"}", 422, "work_queue_name"),
                Arguments.of("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", \"entrypoint\": \"a.py:f\", \"work_pool_name\": \"p\", \"job_variables\": {\"env\": {\"A\": \"" + "v".repeat(70_000) + "\"}}}", 422, "job_variables"),
                Arguments.of("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", \"work_pool_name\": \"p\"}", 422, "entrypoint"),
                Arguments.of("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", \"entrypoint\": \"a.py:f\", \"work_pool_name\": \"p\", \"pull_steps\": [{\"git_clone\": {\"branch\": \"main\"}}]}", 422, "pull_steps[0].git_clone.repository"),
                Arguments.of("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", \"entrypoint\": \"a.py:f\", \"work_pool_name\": \"p\", \"pull_steps\": [{\"rsync\": {}}]}", 422, "pull_steps[0].rsync"),
                Arguments.of("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", \"entrypoint\": \"a.py:f\", \"work_pool_name\": \"p\", \"collision_strategy\": \"DROP\"}", 422, "collision_strategy"),
                Arguments.of("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", \"entrypoint\": \"a.py:f\", \"work_pool_name\": \"p\", \"job_variables\": {\"timeout_seconds\": 0}}", 422, "job_variables.timeout_seconds"),
                Arguments.of("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", \"entrypoint\": \"a.py:f\", \"work_pool_name\": \"p\", \"parameter_openapi_schema\": {\"type\": 7}}", 422, "parameter_openapi_schema"),
                Arguments.of("POST", "/api/deployments/nope/create_flow_run", "{}", 404, null),
                Arguments.of("POST", "/api/deployments/{dep}/create_flow_run", "{\"parameters\": {\"name\": 3}}", 422, "parameters.name"),
                Arguments.of("POST", "/api/deployments/{dep}/create_flow_run", "{\"parameters\": {\"n\": \"three\"}}", 422, "parameters.n"),
                Arguments.of("POST", "/api/deployments/{dep}/create_flow_run", "{\"parameters\": {\"name\": null}}", 422, "parameters.name"),
                Arguments.of("POST", "/api/deployments/{dep}/create_flow_run", "{\"job_variables\": {\"nope\": 1}}", 422, "job_variables.nope"),
                Arguments.of("POST", "/api/deployments/{dep}/create_flow_run", "{\"scheduled_start_time\": \"tomorrow\"}", 422, "scheduled_start_time"),
                Arguments.of("POST", "/api/deployments/{dep}/create_flow_run", "{\"scheduled_start_time\": \"1600-01-01T00:00:00Z\"}", 422, "scheduled_start_time"),
                Arguments.of("POST", "/api/deployments/{dep}/create_flow_run", "{\"parameters\": {\"name\": \"" + "p".repeat(70_000) + "\"}}", 422, "parameters"),
                Arguments.of("POST", "/api/deployments/{dep}/create_flow_run", "{\"scheduled_start_time\": \"+10000-01-01T00:00:00Z\"}", 422, "scheduled_start_time"),
                Arguments.of("POST", "/api/deployments/{dep}/pause", "{\"resume_at\": \"2300-01-01T00:00:00Z\"}", 422, "resume_at"),
                Arguments.of("POST", "/api/deployments/{dep}/backfill", "{\"start\": \"1900-01-01T00:00:00Z\", \"end\": \"1900-01-02T00:00:00Z\"}", 422, "start"),
                Arguments.of("POST", "/api/deployments/{dep}/schedules", "{\"cron\": \"0 * * * *\", \"start_at\": \"2999-01-01T00:00:00Z\"}", 422, "schedules[0].start_at"),
                Arguments.of("GET", "/api/deployments/{dep}/upcoming_runs?until=2300-01-01T00:00:00Z", null, 422, "until"),
                Arguments.of("POST", "/api/flow_runs/{run}/logs", "{\"logs\": [{\"message\": \"m\", \"timestamp\": \"1500-01-01T00:00:00Z\"}]}", 422, "logs[0].timestamp"),
                Arguments.of("POST", "/api/deployments/{dep}/create_flow_run", "{\"idempotency_key\": \"\"}", 422, "idempotency_key"),
                Arguments.of("POST", "/api/flow_runs/{run}/set_state", "{\"state\": {\"type\": \"COMPLETED\"}}", 409, "state"),
                Arguments.of("POST", "/api/flow_runs/{run}/set_state", "{\"state\": {\"type\": \"PENDING\"}}", 409, "state"),
                Arguments.of("POST", "/api/flow_runs/{run}/set_state", "{\"state\": {\"type\": \"DONE\"}}", 422, "state.type"),
                Arguments.of("POST", "/api/flow_runs/{run}/set_state", "{}", 422, "state"),
                Arguments.of("GET", "/api/work_pools/%zz", null, 400, "path"),
                Arguments.of("GET", "/api/flow_runs/a%2/logs", null, 400, "path"),
                Arguments.of("POST", "/api/flow_runs/{run}/set_state", "{\"state\": {\"type\": \"CANCELLED\"}, "
                        + "\"transition_id\": \"" + "t".repeat(257) + "\"}", 422, "transition_id"),
                Arguments.of("POST", "/api/flow_runs/{run}/set_state", "{\"state\": {\"type\": \"CANCELLED\"}, "
                        + "\"transition_id\": \"\"}", 422, "transition_id"),
                Arguments.of("POST", "/api/flow_runs/{run}/set_state", "{\"state\": {\"type\": \"CANCELLED\"}, "
                        + "\"infrastructure_id\": \"" + "i".repeat(2049) + "\"}", 422, "infrastructure_id"),
                Arguments.of("POST", "/api/flow_runs/nope/set_state", "{\"state\": {\"type\": \"RUNNING\"}}", 404, null),
                Arguments.of("POST", "/api/flow_runs/{run}/retry", null, 409, "state"),
                Arguments.of("POST", "/api/flow_runs/{run}/logs", "{\"logs\": [{\"stream\": \"stdin\", \"message\": \"x\"}]}", 422, "logs[0].stream"),
                Arguments.of("POST", "/api/flow_runs/{run}/logs", "{\"logs\": [{\"stream\": \"stdout\"}]}", 422, "logs[0].message"),
                Arguments.of("GET", "/api/flow_runs?limit=0", null, 422, "limit"),
                Arguments.of("GET", "/api/flow_runs?limit=abc", null, 422, "limit"),
                Arguments.of("GET", "/api/flow_runs?state_type=DONE", null, 422, "state_type"),
                Arguments.of("GET", "/api/work_pool_types/docker/base_job_template", null, 422, "type"),
                Arguments.of("DELETE", "/api/flow_runs/{run}", null, 405, null),
                Arguments.of("GET", "/api/nothing", null, 404, null));
    }

    @ParameterizedTest(name = "{0} {1} -> {3} {4}")
    @MethodSource("refusals")
    void refusedRequests_answerProblemJson_namingTheField_andWriteNothing(String method, String path, String body,
                                                                         int status, String field) {
        String before = snapshot();
        Response r = api.call(method, path.replace("{dep}", deploymentId).replace("{run}", runId), body, Map.of());
        assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
        assertThat(r.headers().get("Content-Type")).isEqualTo("application/problem+json");
        assertThat(r.body().get("status").asInt()).isEqualTo(status);
        assertThat(r.body().get("detail").asText()).isNotBlank();
        assertThat(r.field()).isEqualTo(field);
        if (status == 409 && "state".equals(field)) {
            assertThat(r.body().at("/state/type").asText()).isEqualTo("SCHEDULED");
        }
        assertThat(snapshot()).as("nothing written").isEqualTo(before);
    }

    private String snapshot() {
        JsonNode pools = api.get("/api/work_pools").body();
        JsonNode queues = api.get("/api/work_pools/p/queues").body();
        JsonNode deployments = api.get("/api/deployments").body();
        JsonNode runs = api.get("/api/flow_runs?limit=200").body();
        JsonNode logs = api.get("/api/flow_runs/" + runId + "/logs").body();
        return pools + "\n" + queues + "\n" + deployments + "\n" + runs + "\n" + logs;
    }
}
