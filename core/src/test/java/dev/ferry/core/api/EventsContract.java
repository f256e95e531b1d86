package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Events through the router, on each adapter set: the ones Ferry emits and the ones clients post. */
public abstract class EventsContract {
    /** A fresh, empty API over the adapter set under test; {@code adminKey} null for an open server. */
    protected abstract TestApi newApi(String adminKey);

    @Test
    void aRunsLife_isOneEventPerStateItEntered_relatedToItsDeploymentPoolQueueFlowAndTags() {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String deploymentId = api.deployment("p", "\"tags\": [\"nightly\"]").path("id").asText();
            String runId = api.run(deploymentId, null).path("id").asText();
            api.claim("p", "w1", 1);
            TestApi.ok(api.setState(runId, "RUNNING"));
            TestApi.ok(api.setState(runId, "COMPLETED"));

            JsonNode events = TestApi.ok(api.get("/api/events?resource=ferry.flow-run." + runId)).path("items");

            assertThat(names(events)).containsExactly("ferry.flow-run.Completed", "ferry.flow-run.Running",
                    "ferry.flow-run.Pending", "ferry.flow-run.Scheduled");
            JsonNode completed = events.get(0);
            assertThat(completed.at("/resource/ferry.resource.id").asText()).isEqualTo("ferry.flow-run." + runId);
            assertThat(completed.at("/resource/ferry.state-type").asText()).isEqualTo("COMPLETED");
            assertThat(completed.at("/payload/intended/from").asText()).isEqualTo("RUNNING");
            assertThat(completed.at("/payload/validated_state/type").asText()).isEqualTo("COMPLETED");
            assertThat(roles(completed)).containsExactlyInAnyOrder("flow", "deployment", "work-pool", "work-queue", "tag");
            JsonNode deployment = related(completed, "deployment");
            assertThat(deployment.path("ferry.resource.id").asText()).isEqualTo("ferry.deployment." + deploymentId);
            assertThat(deployment.path("ferry.resource.name").asText()).isEqualTo("my-flow/my-deployment");
            assertThat(related(completed, "tag").path("ferry.resource.id").asText()).isEqualTo("ferry.tag.nightly");

            JsonNode ofTheDeployment = TestApi.ok(api.get("/api/events?event=ferry.flow-run.Completed&related=ferry.deployment."
                    + deploymentId)).path("items");
            assertThat(ids(ofTheDeployment)).containsExactly(completed.path("id").asText());
        }
    }

    @Test
    void aReportSentAgain_emitsNoSecondEvent() {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String runId = api.run(api.deployment("p", null).path("id").asText(), null).path("id").asText();
            api.claim("p", "w1", 1);
            String running = "{\"state\": {\"type\": \"RUNNING\"}, \"transition_id\": \"t-1\"}";
            TestApi.ok(api.post("/api/flow_runs/" + runId + "/set_state", running));
            TestApi.ok(api.post("/api/flow_runs/" + runId + "/set_state", running));

            JsonNode events = TestApi.ok(api.get("/api/events?resource=ferry.flow-run." + runId)).path("items");

            assertThat(names(events)).containsExactly("ferry.flow-run.Running", "ferry.flow-run.Pending",
                    "ferry.flow-run.Scheduled");
        }
    }

    @Test
    void aDeploymentsChanges_areEvents_createdUpdatedPausedResumedDeleted() {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String id = api.deployment("p", "\"tags\": [\"etl\"]").path("id").asText();
            api.deployment("p", "\"description\": \"nightly load\"");
            TestApi.ok(api.post("/api/deployments/" + id + "/pause", "{\"note\": \"maintenance\"}"));
            TestApi.ok(api.post("/api/deployments/" + id + "/resume", null));
            assertThat(api.delete("/api/deployments/" + id).status()).isEqualTo(204);

            JsonNode events = TestApi.ok(api.get("/api/events?resource=ferry.deployment." + id)).path("items");

            assertThat(names(events)).containsExactly("ferry.deployment.deleted", "ferry.deployment.resumed",
                    "ferry.deployment.paused", "ferry.deployment.updated", "ferry.deployment.created");
            assertThat(events.get(4).at("/resource/ferry.resource.name").asText()).isEqualTo("my-flow/my-deployment");
            assertThat(events.get(2).at("/payload/pause_note").asText()).isEqualTo("maintenance");
            assertThat(roles(events.get(4))).containsExactlyInAnyOrder("flow", "tag");
        }
    }

    @Test
    void postedEvents_areStoredOnce_andReadBackAsSent() {
        try (TestApi api = newApi(null)) {
            String batch = """
                    [{"id": "e-1", "event": "acme.table.refreshed",
                      "resource": {"ferry.resource.id": "acme.table.orders", "ferry.resource.name": "orders"},
                      "related": [{"ferry.resource.id": "acme.db.main", "ferry.resource.role": "database"}],
                      "payload": {"rows": 12, "ok": true}}]""";

            Response first = api.post("/api/events", batch);
            Response again = api.post("/api/events", batch);

            assertThat(first.status()).isEqualTo(202);
            assertThat(first.body().path("accepted").toString()).isEqualTo("[\"e-1\"]");
            assertThat(again.body().path("accepted").size()).isZero();
            assertThat(again.body().path("duplicates").toString()).isEqualTo("[\"e-1\"]");
            JsonNode listed = TestApi.ok(api.get("/api/events?event=acme.*")).path("items");
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).at("/payload/rows").isInt()).isTrue();
            assertThat(listed.get(0).at("/resource/ferry.resource.name").asText()).isEqualTo("orders");
            assertThat(listed.get(0).at("/related/0/ferry.resource.role").asText()).isEqualTo("database");
            assertThat(listed.get(0).path("received").isTextual()).isTrue();
            assertThat(TestApi.ok(api.get("/api/events?label=ferry.resource.name=ord*")).path("items")).hasSize(1);
            assertThat(TestApi.ok(api.get("/api/events?label=ferry.resource.name=!ord*")).path("items")).isEmpty();
        }
    }

    @Test
    void aBatchWithOneBadEvent_storesNone_andNamesTheField() {
        try (TestApi api = newApi(null)) {
            String good = "{\"event\": \"acme.ok\", \"resource\": {\"ferry.resource.id\": \"acme.x\"}}";
            assertRefused(api.post("/api/events", "[" + good + ", {\"event\": \"ferry.flow-run.Completed\", "
                    + "\"resource\": {\"ferry.resource.id\": \"ferry.flow-run.r\"}}]"), 422, "[1].event");
            assertRefused(api.post("/api/events", "[" + good + ", {\"event\": \"acme.x\", \"resource\": {}}]"), 422,
                    "[1].resource");
            assertRefused(api.post("/api/events", "[{\"event\": \"acme.x\", \"resource\": {\"ferry.resource.id\": 7}}]"), 422,
                    "[0].resource.ferry.resource.id");
            assertRefused(api.post("/api/events", "[{\"event\": \"acme.x\", \"resource\": {\"ferry.resource.id\": \"a\"}, "
                    + "\"related\": [{\"ferry.resource.id\": \"b\"}]}]"), 422, "[0].related[0]");
            assertRefused(api.post("/api/events", "[{\"event\": \"acme.x\", \"resource\": {\"ferry.resource.id\": \"a\"}, "
                    + "\"occurred\": \"2001-01-01T00:00:00Z\"}]"), 422, "[0].occurred");
            assertRefused(api.post("/api/events", "[{\"event\": \"acme.x\", \"resource\": {\"ferry.resource.id\": \"a\"}, "
                    + "\"colour\": \"red\"}]"), 400, "[0].colour");
            assertRefused(api.post("/api/events", "[{\"event\": \"acme.x\", \"resource\": {\"ferry.resource.id\": \"a\"}, "
                    + "\"payload\": {\"blob\": \"" + "x".repeat(300 * 1024) + "\"}}]"), 422, "[0]");
            assertRefused(api.post("/api/events", "[" + String.join(", ", java.util.Collections.nCopies(101, good)) + "]"), 422, null);
            assertThat(api.post("/api/events", "[]").status()).isEqualTo(422);

            assertThat(TestApi.ok(api.get("/api/events?event=acme.*")).path("items")).isEmpty();
        }
    }

    @Test
    void lists_pageWithoutLossOrRepeat() {
        try (TestApi api = newApi(null)) {
            for (int i = 0; i < 5; i++) emit(api, "e-" + i);

            List<String> seen = new ArrayList<>();
            String next = null;
            for (int page = 0; page < 10; page++) {
                JsonNode body = TestApi.ok(api.get("/api/events?event=acme.*&limit=2" + (next == null ? "" : "&next=" + next)));
                seen.addAll(ids(body.path("items")));
                if (body.path("next").isNull()) break;
                next = body.path("next").asText();
            }

            assertThat(seen).containsExactly("e-4", "e-3", "e-2", "e-1", "e-0");
        }
    }

    @Test
    void anOldestFirstListWithoutEnd_alwaysGivesANext_thatTailsWhatComesAfter() throws Exception {
        try (TestApi api = newApi(null)) {
            emit(api, "e-0");
            JsonNode first = TestApi.ok(api.get("/api/events?order=asc&event=acme.*"));
            String next = first.path("next").asText();
            JsonNode nothingYet = TestApi.ok(api.get("/api/events?order=asc&event=acme.*&next=" + next));
            emit(api, "e-1");
            JsonNode after = TestApi.ok(api.get("/api/events?order=asc&event=acme.*&wait=1&next=" + nothingYet.path("next").asText()));

            assertThat(ids(first.path("items"))).containsExactly("e-0");
            assertThat(nothingYet.path("items")).isEmpty();
            assertThat(nothingYet.path("next").isTextual()).isTrue();
            assertThat(ids(after.path("items"))).containsExactly("e-1");
            JsonNode bounded = TestApi.ok(api.get("/api/events?order=asc&event=acme.*&until=" + api.clock.now().plus(Duration.ofHours(1))));
            assertThat(bounded.path("next").isNull()).isTrue();
        }
    }

    @Test
    void badListParameters_areRefusedNamingThem() {
        try (TestApi api = newApi(null)) {
            assertRefused(api.get("/api/events?wait=21"), 422, "wait");
            assertRefused(api.get("/api/events?order=sideways"), 422, "order");
            assertRefused(api.get("/api/events?since=yesterday"), 422, "since");
            assertRefused(api.get("/api/events?label=novalue"), 422, "label");
            assertRefused(api.get("/api/events?next=bm90LWEtY3Vyc29y"), 422, "next");
            assertRefused(api.get("/api/events?next="), 422, "next");
        }
    }

    @Test
    void aFlowPostsEventsWithItsRunToken_aboutItsRun_relatedAsItsRun_andSpeaksForNoOtherFerryResource() {
        try (TestApi api = newApi("boot")) {
            Map<String, String> boot = Map.of("authorization", "Bearer boot");
            TestApi.ok(api.call("POST", "/api/work_pools", "{\"name\": \"p\", \"type\": \"process\"}", boot));
            String deploymentId = TestApi.ok(api.call("POST", "/api/deployments", "{\"name\": \"d\", \"flow_name\": \"f\", "
                    + "\"entrypoint\": \"flows/f.py:f\", \"work_pool_name\": \"p\", \"tags\": [\"etl\"]}", boot)).path("id").asText();
            String runId = TestApi.ok(api.call("POST", "/api/deployments/" + deploymentId + "/create_flow_run", "{}", boot))
                    .path("id").asText();
            String other = TestApi.ok(api.call("POST", "/api/deployments/" + deploymentId + "/create_flow_run", "{}", boot))
                    .path("id").asText();
            Map<String, String> token = Map.of("authorization", "Bearer " + api.auth.runTokens().mint(runId, null, null));
            String path = "/api/flow_runs/" + runId + "/events";

            Response posted = api.call("POST", path, "[{\"id\": \"e-1\", \"event\": \"acme.rows.loaded\", "
                    + "\"payload\": {\"rows\": 42}}, {\"event\": \"acme.table.refreshed\", "
                    + "\"resource\": {\"ferry.resource.id\": \"acme.table.orders\"}}]", token);
            assertThat(posted.status()).as("%s", posted.body()).isEqualTo(202);
            assertThat(posted.body().path("accepted")).hasSize(2);
            // sent again, the flow's own id is a duplicate; and it is the run's, not the id as sent
            Response again = api.call("POST", path, "[{\"id\": \"e-1\", \"event\": \"acme.rows.loaded\"}]", token);
            assertThat(again.body().path("duplicates").get(0).asText()).isEqualTo(posted.body().path("accepted").get(0).asText())
                    .isNotEqualTo("e-1");

            JsonNode loaded = TestApi.ok(api.call("GET", "/api/events?event=acme.rows.loaded", null, boot)).path("items").get(0);
            assertThat(loaded.at("/resource/ferry.resource.id").asText()).isEqualTo("ferry.flow-run." + runId);
            assertThat(loaded.at("/payload/rows").asInt()).isEqualTo(42);
            assertThat(roles(loaded)).containsExactlyInAnyOrder("flow", "deployment", "work-pool", "work-queue", "tag");
            JsonNode refreshed = TestApi.ok(api.call("GET", "/api/events?event=acme.table.refreshed", null, boot)).path("items").get(0);
            assertThat(refreshed.at("/resource/ferry.resource.id").asText()).isEqualTo("acme.table.orders");
            assertThat(related(refreshed, "flow-run").path("ferry.resource.id").asText()).isEqualTo("ferry.flow-run." + runId);
            assertThat(related(refreshed, "deployment").path("ferry.resource.id").asText())
                    .isEqualTo("ferry.deployment." + deploymentId);

            assertRefused(api.call("POST", path, "[{\"event\": \"acme.x\", \"resource\": {\"ferry.resource.id\": "
                    + "\"ferry.deployment." + deploymentId + "\"}}]", token), 422, "[0].resource.ferry.resource.id");
            assertRefused(api.call("POST", path, "[{\"event\": \"acme.x\", \"related\": [{\"ferry.resource.id\": "
                    + "\"ferry.flow-run." + other + "\", \"ferry.resource.role\": \"flow-run\"}]}]", token), 422,
                    "[0].related[0].ferry.resource.id");
            assertRefused(api.call("POST", path, "[{\"event\": \"ferry.flow-run.Completed\"}]", token), 422, "[0].event");
            assertThat(api.call("POST", "/api/flow_runs/" + other + "/events", "[{\"event\": \"acme.x\"}]", token).status())
                    .isEqualTo(403);
            assertThat(api.call("POST", "/api/events", "[{\"event\": \"acme.x\", \"resource\": "
                    + "{\"ferry.resource.id\": \"acme.y\"}}]", token).status()).isEqualTo(403);
            assertThat(TestApi.ok(api.call("GET", "/api/events?event=acme.x", null, boot)).path("items")).isEmpty();
        }
    }

    private static void emit(TestApi api, String id) {
        assertThat(api.post("/api/events", "[{\"id\": \"" + id + "\", \"event\": \"acme.tick\", "
                + "\"resource\": {\"ferry.resource.id\": \"acme.clock\"}}]").status()).isEqualTo(202);
    }

    private static void assertRefused(Response r, int status, String field) {
        assertThat(r.status()).as("%s", r.body()).isEqualTo(status);
        assertThat(r.field()).isEqualTo(field);
    }

    private static List<String> names(JsonNode events) {
        return StreamSupport.stream(events.spliterator(), false).map(e -> e.path("event").asText()).toList();
    }

    private static List<String> ids(JsonNode events) {
        return StreamSupport.stream(events.spliterator(), false).map(e -> e.path("id").asText()).toList();
    }

    private static List<String> roles(JsonNode event) {
        return StreamSupport.stream(event.path("related").spliterator(), false)
                .map(r -> r.path("ferry.resource.role").asText()).toList();
    }

    private static JsonNode related(JsonNode event, String role) {
        return StreamSupport.stream(event.path("related").spliterator(), false)
                .filter(r -> role.equals(r.path("ferry.resource.role").asText())).findFirst().orElseThrow();
    }
}
