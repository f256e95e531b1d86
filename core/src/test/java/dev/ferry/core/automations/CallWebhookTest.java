package dev.ferry.core.automations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.auth.InMemoryApiKeys;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import dev.ferry.core.scheduler.ManualTimer;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** call-webhook actions: the body rendered from the event, an idempotency key that stays the same when the call is made again, the answer recorded. */
class CallWebhookTest {
    record Sent(URI url, String method, Map<String, String> headers, String body) {}

    private final List<Sent> sent = new ArrayList<>();
    private int answer = 200;

    private TestApi api() {
        TestClock clock = TestClock.ticking();
        InMemoryAdapters adapters = InMemoryAdapters.on(clock);
        ApiKeyService auth = new ApiKeyService(new InMemoryApiKeys(), BootstrapKey.ofKey(null), clock, Ids.RANDOM);
        WebhookCalls calls = (url, method, headers, body, timeout) -> {
            sent.add(new Sent(url, method, headers, body == null ? null : new String(body, StandardCharsets.UTF_8)));
            return answer;
        };
        Ferry ferry = Ferry.wire(adapters.ports(new ManualTimer()), clock, Ids.RANDOM, auth.runTokens(), null, calls);
        return new TestApi(ferry, new Router(ferry, clock, auth), clock, new ManualTimer(), auth, () -> {});
    }

    @Test
    void theBodyIsRenderedFromTheEvent_andTheAnswerIsRecorded() throws Exception {
        try (TestApi api = api()) {
            String id = TestApi.ok(api.post("/api/automations", """
                    {"name": "alert", "trigger": {"expect": "acme.down"},
                     "actions": [{"type": "call-webhook", "url": "https://hooks.example.com/alerts", "headers": {"X-Team": "data"},
                                  "body": {"text": "{{ event.resource['ferry.resource.id'] }} is down", "count": "{{ firing.count }}"}}]}"""))
                    .path("id").asText();
            api.post("/api/events", "[{\"event\": \"acme.down\", \"resource\": {\"ferry.resource.id\": \"acme.db\"}}]");
            api.ferry.automations().follower().drain();

            assertThat(sent).hasSize(1);
            Sent call = sent.get(0);
            assertThat(call.url()).isEqualTo(URI.create("https://hooks.example.com/alerts"));
            assertThat(call.method()).isEqualTo("POST");
            assertThat(call.headers()).containsEntry("X-Team", "data").containsEntry("Content-Type", "application/json")
                    .containsKey("Idempotency-Key");
            JsonNode body = Json.tree(call.body());
            assertThat(body.path("text").asText()).isEqualTo("acme.db is down");
            assertThat(body.path("count").isInt()).isTrue();
            JsonNode firing = TestApi.ok(api.get("/api/automations/" + id + "/history")).path("firings").get(0);
            assertThat(firing.at("/actions/0/status").asText()).isEqualTo("ok");
            assertThat(firing.at("/actions/0/detail").asText()).contains("answered 200");
        }
    }

    @Test
    void anAnswerThatIsNot2xx_failsTheAction() throws Exception {
        answer = 503;
        try (TestApi api = api()) {
            String id = TestApi.ok(api.post("/api/automations", """
                    {"name": "alert", "trigger": {"expect": "acme.down"},
                     "actions": [{"type": "call-webhook", "url": "https://hooks.example.com/alerts"}]}""")).path("id").asText();
            api.post("/api/events", "[{\"event\": \"acme.down\", \"resource\": {\"ferry.resource.id\": \"acme.db\"}}]");
            api.ferry.automations().follower().drain();

            JsonNode firing = TestApi.ok(api.get("/api/automations/" + id + "/history")).path("firings").get(0);
            assertThat(firing.at("/actions/0/status").asText()).isEqualTo("failed");
            assertThat(firing.at("/actions/0/detail").asText()).contains("503");
        }
    }

    @Test
    void theRealClient_refusesPrivateAddressesAndPlainHttp() {
        HttpWebhookCalls calls = new HttpWebhookCalls(false);

        for (String url : List.of("https://127.0.0.1/x", "https://10.0.0.1/x", "https://169.254.169.254/latest/meta-data",
                "https://[::1]/x", "http://example.com/x")) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> calls.call(URI.create(url), "POST", Map.of(), null,
                    java.time.Duration.ofSeconds(1)))).as(url).isInstanceOf(java.io.IOException.class).hasMessageContaining("refused");
        }
    }
}
