package dev.ferry.core.automations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.Settings;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.auth.InMemoryApiKeys;
import dev.ferry.core.common.Documents;
import dev.ferry.core.common.Ids;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestClock;
import dev.ferry.core.triggers.TriggerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The circuit breaker, on the test clock: up to the limit an automation fires, the next firing pauses it, once, until it is resumed. */
class CircuitBreakerTest {
    private static final int LIMIT = 3;

    private final TestClock clock = TestClock.fixed(Instant.now());
    private final InMemoryAdapters adapters = InMemoryAdapters.on(clock);
    private int sent;

    private TestApi api() {
        ApiKeyService auth = new ApiKeyService(new InMemoryApiKeys(), BootstrapKey.ofKey(null), clock, Ids.RANDOM);
        Settings settings = new Settings(Duration.ofDays(7), LIMIT, false);
        Ferry ferry = Ferry.wire(adapters.ports(new ManualTimer()), clock, Ids.RANDOM, auth.runTokens(), null, settings,
                (url, method, headers, body, timeout) -> 200);
        TestApi api = new TestApi(ferry, new Router(ferry, clock, auth), clock, new ManualTimer(), auth, () -> {});
        api.pool("p");
        return api;
    }

    private static String automation(TestApi api) {
        return TestApi.ok(api.post("/api/automations", """
                {"name": "on-ping", "trigger": {"expect": "acme.ping"},
                 "actions": [{"type": "resume-work-pool", "work_pool_name": "p"}]}""")).path("id").asText();
    }

    private void ping(TestApi api, int times) throws InterruptedException {
        for (int i = 0; i < times; i++) {
            assertThat(api.post("/api/events", "[{\"id\": \"ping-" + (sent++) + "\", \"event\": \"acme.ping\", "
                    + "\"resource\": {\"ferry.resource.id\": \"acme.host.a\"}}]").status()).isEqualTo(202);
            api.ferry.automations().follower().drain();
        }
    }

    @Test
    void firesUpToTheLimit_andTheNextFiringPausesIt_sayingWhy() throws Exception {
        try (TestApi api = api()) {
            String id = automation(api);

            ping(api, LIMIT);
            assertThat(events(api, "ferry.automation.triggered")).hasSize(LIMIT);
            assertThat(TestApi.ok(api.get("/api/automations/" + id)).path("enabled").asBoolean()).isTrue();

            ping(api, 1);

            assertThat(events(api, "ferry.automation.triggered")).hasSize(LIMIT);
            List<JsonNode> broken = events(api, "ferry.automation.circuit-broken");
            assertThat(broken).hasSize(1);
            assertThat(broken.get(0).at("/payload/limit").asInt()).isEqualTo(LIMIT);
            assertThat(broken.get(0).at("/payload/triggering_event_id").asText()).isEqualTo("ping-" + LIMIT);
            JsonNode paused = TestApi.ok(api.get("/api/automations/" + id));
            assertThat(paused.path("enabled").asBoolean()).isFalse();
            assertThat(paused.path("paused_reason").asText()).contains("more than the " + LIMIT + " a minute allowed");
            JsonNode history = TestApi.ok(api.get("/api/automations/" + id + "/history"));
            assertThat(outcomes(history)).containsOnlyOnce("circuit_broken").doesNotContain("held");
            assertThat(history.path("firings")).hasSize(LIMIT);
        }
    }

    @Test
    void theEventIsEmittedOnce_evenAsMoreEventsCome() throws Exception {
        try (TestApi api = api()) {
            automation(api);

            ping(api, LIMIT + 5);

            assertThat(events(api, "ferry.automation.triggered")).hasSize(LIMIT);
            assertThat(events(api, "ferry.automation.circuit-broken")).hasSize(1);
        }
    }

    @Test
    void firingsOlderThanAMinute_noLongerCount() throws Exception {
        try (TestApi api = api()) {
            String id = automation(api);
            ping(api, LIMIT);

            clock.advance(Duration.ofSeconds(61));
            ping(api, LIMIT);

            assertThat(events(api, "ferry.automation.triggered")).hasSize(2 * LIMIT);
            assertThat(events(api, "ferry.automation.circuit-broken")).isEmpty();
            assertThat(TestApi.ok(api.get("/api/automations/" + id)).path("enabled").asBoolean()).isTrue();
        }
    }

    @Test
    void resuming_closesTheBreaker_andItsCountStartsAgain() throws Exception {
        try (TestApi api = api()) {
            String id = automation(api);
            ping(api, LIMIT + 1);

            JsonNode resumed = TestApi.ok(api.patch("/api/automations/" + id, "{\"enabled\": true}"));
            assertThat(resumed.path("paused_reason").isNull()).isTrue();
            assertThat(adapters.automations().get(CircuitBreaker.key(id))).isEmpty();
            clock.advance(Duration.ofSeconds(1)); // within the same minute as the firings before
            ping(api, LIMIT);

            assertThat(events(api, "ferry.automation.triggered")).hasSize(2 * LIMIT);
            assertThat(TestApi.ok(api.get("/api/automations/" + id)).path("enabled").asBoolean()).isTrue();
            ping(api, 1);
            assertThat(events(api, "ferry.automation.circuit-broken")).as("a second trip is a second event").hasSize(2);
        }
    }

    @Test
    void anOpenBreakerFoundOnAnEnabledAutomation_pausesIt_atTheNextFiring() throws Exception {
        // given: an engine opened the breaker and died before it paused the automation
        try (TestApi api = api()) {
            String id = automation(api);
            CircuitBreaker.State open = new CircuitBreaker.State(List.of(), clock.now(), "fired too often");
            assertThat(adapters.automations().commit(List.of(TriggerStore.Change.create(CircuitBreaker.key(id),
                    Documents.write(open), null, null)))).isTrue();

            ping(api, 2);

            assertThat(events(api, "ferry.automation.triggered")).isEmpty();
            assertThat(events(api, "ferry.automation.circuit-broken")).hasSize(1);
            JsonNode paused = TestApi.ok(api.get("/api/automations/" + id));
            assertThat(paused.path("enabled").asBoolean()).isFalse();
            assertThat(paused.path("paused_reason").asText()).isEqualTo("fired too often");
        }
    }

    @Test
    void aBreakerDeletedByAResume_doesNotPauseTheAutomationAgain() {
        // an engine that read the breaker open just before the resume must not pause it again
        try (TestApi api = api()) {
            String id = automation(api);

            assertThat(api.ferry.automations().service().breakCircuit(id)).isFalse();

            assertThat(TestApi.ok(api.get("/api/automations/" + id)).path("enabled").asBoolean()).isTrue();
        }
    }

    @Test
    void anAutomationStoredBeforeThePausedReasonExisted_readsBackWithNone() {
        String stored = "{\"v\":1,\"id\":\"a-1\",\"name\":\"old\",\"description\":null,\"enabled\":true,"
                + "\"trigger\":{\"expect\":\"acme.ping\"},\"actions\":[],\"deployment_id\":null,"
                + "\"created\":\"2026-01-01T00:00:00Z\",\"updated\":\"2026-01-01T00:00:00Z\",\"revision\":3}";

        Automation automation = Documents.readStored(stored, Automation.class);

        assertThat(automation.pausedReason()).isNull();
        assertThat(automation.enabled()).isTrue();
    }

    private static List<JsonNode> events(TestApi api, String name) {
        List<JsonNode> out = new ArrayList<>();
        TestApi.ok(api.get("/api/events?event=" + name + "&limit=200")).path("items").forEach(out::add);
        return out;
    }

    private static List<String> outcomes(JsonNode history) {
        return StreamSupport.stream(history.path("evaluations").spliterator(), false).map(e -> e.path("outcome").asText()).toList();
    }
}
