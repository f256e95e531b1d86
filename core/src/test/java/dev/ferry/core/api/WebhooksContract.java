package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Webhooks through the router, on each adapter set: what a signed request becomes, and what is refused. */
public abstract class WebhooksContract {
    /** A fresh, empty API over the adapter set under test; {@code adminKey} null for an open server. */
    protected abstract TestApi newApi(String adminKey);

    /** Hands the events stored so far to the engine, as the server's follower (or the table's stream) would. */
    protected void deliver(TestApi api) throws InterruptedException {
        api.ferry.automations().follower().drain();
    }

    private static final String SECRET = "it's-a-secret-to-everybody";
    private static final String PUSH = "{\"ref\": \"refs/heads/main\", \"repository\": {\"name\": \"ferry\"}}";
    private static final String GITHUB_TEMPLATE = """
            {"event": "github.{{ headers['x-github-event'] }}",
             "resource": {"ferry.resource.id": "github.repo.{{ body.repository.name }}"},
             "payload": {"ref": "{{ body.ref }}", "branch": "{{ body.ref | replace('refs/heads/', '') }}"}}""";

    @Test
    void aSignedGitHubPush_startsTheDeployment_withTheBranchAsAParameter_once() throws Exception {
        try (TestApi api = newApi(null)) {
            api.pool("p");
            String d = TestApi.ok(api.post("/api/deployments", "{\"name\": \"build\", \"flow_name\": \"ci\", "
                    + "\"entrypoint\": \"flows/ci.py:build\", \"work_pool_name\": \"p\"}")).path("id").asText();
            String path = github(api);
            TestApi.ok(api.post("/api/automations", """
                    {"name": "build-on-push", "trigger": {"expect": "github.push", "match": {"ferry.resource.id": "github.repo.ferry"}},
                     "actions": [{"type": "run-deployment", "deployment_name": "ci/build",
                                  "parameters": {"branch": "{{ event.payload.branch }}"}}]}"""));

            Response first = hook(api, path, PUSH, githubHeaders(SECRET, PUSH, "delivery-1"));
            Response again = hook(api, path, PUSH, githubHeaders(SECRET, PUSH, "delivery-1"));
            deliver(api);

            assertThat(first.status()).as("%s", first.body()).isEqualTo(202);
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.body().path("duplicate").asBoolean()).isTrue();
            assertThat(again.body().path("event_id").asText()).isEqualTo(first.body().path("event_id").asText());
            JsonNode runs = TestApi.ok(api.get("/api/flow_runs?deployment_id=" + d)).path("items");
            assertThat(runs).hasSize(1);
            assertThat(runs.get(0).at("/parameters/branch").asText()).isEqualTo("main");
            JsonNode event = TestApi.ok(api.get("/api/events?event=github.*")).path("items").get(0);
            assertThat(event.at("/resource/ferry.resource.id").asText()).isEqualTo("github.repo.ferry");
            assertThat(StreamSupport.stream(event.path("related").spliterator(), false).map(r -> r.path("ferry.resource.role").asText()))
                    .contains("webhook");
        }
    }

    @Test
    void aBadSignature_aMissingOne_andAnOversizedBody_areRefused_andNothingIsEmitted() {
        try (TestApi api = newApi(null)) {
            String path = github(api);

            Response forged = hook(api, path, PUSH, githubHeaders("not-the-secret-at-all", PUSH, "d-1"));
            Response unsigned = hook(api, path, PUSH, Map.of("x-github-event", "push"));
            String big = "{\"pad\": \"" + "x".repeat(256 * 1024) + "\"}";
            Response oversized = hook(api, path, big, githubHeaders(SECRET, big, "d-2"));

            assertThat(forged.status()).isEqualTo(401);
            assertThat(forged.body().path("detail").asText()).contains("X-Hub-Signature-256").doesNotContain(SECRET);
            assertThat(unsigned.status()).isEqualTo(401);
            assertThat(oversized.status()).isEqualTo(413);
            assertThat(TestApi.ok(api.get("/api/events?event=github.*")).path("items")).isEmpty();
            JsonNode refusals = TestApi.ok(api.get("/api/events?event=ferry.webhook.refused")).path("items");
            assertThat(refusals).hasSize(2);
            assertThat(refusals.get(0).path("payload").toString()).doesNotContain("refs/heads");
            String id = TestApi.ok(api.get("/api/webhooks")).at("/items/0/id").asText();
            List<String> outcomes = outcomes(TestApi.ok(api.get("/api/webhooks/" + id + "/deliveries")));
            assertThat(outcomes).containsExactlyInAnyOrder("refused", "refused", "too_large");
        }
    }

    @Test
    void stripe_refusesAReplayOutsideItsTolerance() throws Exception {
        try (TestApi api = newApi(null)) {
            String path = create(api, "stripe", "{\"kind\": \"stripe\", \"secret\": \"whsec_stripe-test-secret-1234\"}",
                    "{\"event\": \"stripe.{{ body.type }}\", \"resource\": {\"ferry.resource.id\": \"stripe.{{ body.id }}\"}}");
            String body = "{\"id\": \"evt_1\", \"type\": \"invoice.paid\"}";
            long now = api.clock.now().getEpochSecond();

            Response fresh = hook(api, path, body, Map.of("stripe-signature", stripe("whsec_stripe-test-secret-1234", now, body)));
            Response replay = hook(api, path, body, Map.of("stripe-signature", stripe("whsec_stripe-test-secret-1234", now - 301, body)));

            assertThat(fresh.status()).isEqualTo(202);
            assertThat(replay.status()).isEqualTo(401);
            assertThat(replay.body().path("detail").asText()).contains("timestamp");
        }
    }

    @Test
    void standardWebhooks_acceptAnyOfSeveralSignatures_andDedupeByWebhookId() {
        try (TestApi api = newApi(null)) {
            String secret = "whsec_" + Base64.getEncoder().encodeToString("standard-webhooks-key-0123456789".getBytes(StandardCharsets.UTF_8));
            String path = create(api, "std", "{\"kind\": \"standard\", \"secret\": \"" + secret + "\"}",
                    "{\"event\": \"acme.{{ body.type }}\", \"resource\": {\"ferry.resource.id\": \"acme.sender\"}}");
            String body = "{\"type\": \"order.created\"}";
            String ts = Long.toString(api.clock.now().getEpochSecond());
            String good = Base64.getEncoder().encodeToString(mac("HmacSHA256",
                    Base64.getDecoder().decode(secret.substring(6)), ("msg_1." + ts + "." + body).getBytes(StandardCharsets.UTF_8)));
            Map<String, String> headers = Map.of("webhook-id", "msg_1", "webhook-timestamp", ts,
                    "webhook-signature", "v1,AAAA v1," + good);

            assertThat(hook(api, path, body, headers).status()).isEqualTo(202);
            assertThat(hook(api, path, body, headers).body().path("duplicate").asBoolean()).isTrue();
            assertThat(TestApi.ok(api.get("/api/events?event=acme.*")).path("items")).hasSize(1);
        }
    }

    @Test
    void aGenericHmac_withPrefixBase64AndATimestampWindow() {
        try (TestApi api = newApi(null)) {
            String path = create(api, "generic", "{\"kind\": \"hmac\", \"secret\": \"" + SECRET + "\", \"header\": \"X-Signature\", "
                    + "\"algorithm\": \"sha512\", \"prefix\": \"sig=\", \"encoding\": \"base64\", \"signed\": \"timestamp.body\", "
                    + "\"timestamp_header\": \"X-Timestamp\", \"window_seconds\": 60, \"delivery_id_header\": \"X-Id\"}",
                    "{\"event\": \"acme.ping\", \"resource\": {\"ferry.resource.id\": \"acme.sender\"}}");
            String body = "ping";
            long now = api.clock.now().getEpochSecond();

            Response ok = hook(api, path, body, hmacHeaders(now, body, "1"));
            Response stale = hook(api, path, body, hmacHeaders(now - 120, body, "2"));

            assertThat(ok.status()).as("%s", ok.body()).isEqualTo(202);
            assertThat(stale.status()).isEqualTo(401);
        }
    }

    @Test
    void aRotation_keepsTheOldAddressAndSecretWorkingForItsGrace_thenStops() {
        try (TestApi api = newApi(null)) {
            String oldPath = github(api);
            String id = TestApi.ok(api.get("/api/webhooks")).at("/items/0/id").asText();

            JsonNode rotated = TestApi.ok(api.post("/api/webhooks/" + id + "/rotate", "{\"grace_seconds\": 3600}"));
            String newPath = rotated.path("path").asText();
            String newSecret = rotated.path("secret").asText();

            assertThat(newPath).isNotEqualTo(oldPath);
            assertThat(newSecret).isNotBlank().isNotEqualTo(SECRET);
            assertThat(hook(api, oldPath, PUSH, githubHeaders(SECRET, PUSH, "r-1")).status()).isEqualTo(202);
            assertThat(hook(api, newPath, PUSH, githubHeaders(newSecret, PUSH, "r-2")).status()).isEqualTo(202);
            assertThat(hook(api, newPath, PUSH, githubHeaders(SECRET, PUSH, "r-3")).status()).as("the old secret, in its grace").isEqualTo(202);
            api.clock.advance(Duration.ofSeconds(3601));
            assertThat(hook(api, oldPath, PUSH, githubHeaders(SECRET, PUSH, "r-4")).status()).isEqualTo(404);
            assertThat(hook(api, newPath, PUSH, githubHeaders(SECRET, PUSH, "r-5")).status()).isEqualTo(401);
            assertThat(hook(api, newPath, PUSH, githubHeaders(newSecret, PUSH, "r-6")).status()).isEqualTo(202);
        }
    }

    @Test
    void secrets_areShownOnceAtCreation_andNeverAfter() {
        try (TestApi api = newApi(null)) {
            JsonNode created = TestApi.ok(api.post("/api/webhooks", "{\"name\": \"gen\", \"verify\": {\"kind\": \"github\"}, "
                    + "\"template\": " + GITHUB_TEMPLATE + "}"));

            assertThat(created.path("secret").asText()).hasSizeGreaterThanOrEqualTo(32);
            assertThat(created.path("path").asText()).matches("/hooks/[A-Za-z0-9_-]{32}");
            String id = created.path("id").asText();
            for (String read : List.of("/api/webhooks", "/api/webhooks/" + id, "/api/webhooks/name/gen")) {
                assertThat(TestApi.ok(api.get(read)).toString()).as(read).doesNotContain(created.path("secret").asText())
                        .doesNotContain("\"secret\"");
            }
        }
    }

    @Test
    void templateErrors_andFerrysOwnNames_areAnswered400WithTheReason() {
        try (TestApi api = newApi(null)) {
            String path = create(api, "t", null, "{\"event\": \"acme.{{ body.kind }}\", \"resource\": {\"ferry.resource.id\": \"x\"}}");
            String ferry = create(api, "f", null, "{\"event\": \"ferry.flow-run.Completed\", \"resource\": {\"ferry.resource.id\": \"x\"}}");

            Response missing = hook(api, path, "{}", Map.of());
            Response posing = hook(api, ferry, "{}", Map.of());

            assertThat(missing.status()).isEqualTo(400);
            assertThat(missing.body().path("detail").asText()).contains("kind");
            assertThat(posing.status()).isEqualTo(400);
            assertThat(posing.body().path("detail").asText()).contains("Ferry's own");
            assertThat(api.post("/api/webhooks", "{\"name\": \"bad\", \"template\": {\"event\": \"{{ x\", \"resource\": {}}}").field())
                    .isEqualTo("template.event");
        }
    }

    @Test
    void withoutATemplate_cloudEventsAreTakenAsTheyAre_structuredOrBinary() {
        try (TestApi api = newApi(null)) {
            String path = TestApi.ok(api.post("/api/webhooks", "{\"name\": \"ce\"}")).path("path").asText();

            Response structured = hook(api, path, "{\"specversion\": \"1.0\", \"id\": \"ce-1\", \"source\": \"acme.billing\", "
                    + "\"type\": \"acme.invoice.paid\", \"data\": {\"amount\": 12}}", Map.of("content-type", "application/cloudevents+json"));
            Response binary = hook(api, path, "{\"amount\": 7}", Map.of("ce-id", "ce-2", "ce-type", "acme.invoice.sent",
                    "ce-source", "acme.billing", "ce-specversion", "1.0", "content-type", "application/json"));
            Response neither = hook(api, path, "{\"amount\": 7}", Map.of());

            assertThat(structured.status()).isEqualTo(202);
            assertThat(binary.status()).isEqualTo(202);
            assertThat(neither.status()).isEqualTo(400);
            JsonNode events = TestApi.ok(api.get("/api/events?event=acme.invoice.*")).path("items");
            assertThat(events).hasSize(2);
            assertThat(StreamSupport.stream(events.spliterator(), false).map(e -> e.at("/payload/amount").asInt())).containsExactlyInAnyOrder(12, 7);
        }
    }

    @Test
    void anApiKeyWebhook_takesKeysThatMayEmit_only() {
        try (TestApi api = newApi("boot")) {
            Map<String, String> admin = Map.of("authorization", "Bearer boot");
            String deployer = api.call("POST", "/api/api_keys", "{\"name\": \"ci\", \"role\": \"DEPLOYER\"}", admin).body().path("key").asText();
            String reader = api.call("POST", "/api/api_keys", "{\"name\": \"r\", \"role\": \"READER\"}", admin).body().path("key").asText();
            String path = api.call("POST", "/api/webhooks", "{\"name\": \"k\", \"verify\": {\"kind\": \"api-key\"}, \"template\": "
                    + "{\"event\": \"acme.ping\", \"resource\": {\"ferry.resource.id\": \"x\"}}}", admin).body().path("path").asText();

            assertThat(hook(api, path, "{}", Map.of("authorization", "Bearer " + deployer)).status()).isEqualTo(202);
            assertThat(hook(api, path, "{}", Map.of("authorization", "Bearer " + reader)).status()).isEqualTo(401);
            assertThat(hook(api, path, "{}", Map.of()).status()).isEqualTo(401);
        }
    }

    @Test
    void aDisabledOrUnknownWebhook_answers404() {
        try (TestApi api = newApi(null)) {
            String path = create(api, "d", null, "{\"event\": \"acme.ping\", \"resource\": {\"ferry.resource.id\": \"x\"}}");
            String id = TestApi.ok(api.get("/api/webhooks/name/d")).path("id").asText();

            assertThat(hook(api, path, "{}", Map.of()).status()).isEqualTo(202);
            assertThat(api.patch("/api/webhooks/" + id, "{\"enabled\": null}").field()).isEqualTo("enabled");
            TestApi.ok(api.patch("/api/webhooks/" + id, "{\"enabled\": false}"));
            assertThat(hook(api, path, "{}", Map.of()).status()).isEqualTo(404);
            assertThat(hook(api, "/hooks/no-such-slug", "{}", Map.of()).status()).isEqualTo(404);
        }
    }

    @Test
    void test_rendersASampleWithoutEmitting() {
        try (TestApi api = newApi(null)) {
            github(api);
            String id = TestApi.ok(api.get("/api/webhooks")).at("/items/0/id").asText();

            JsonNode rendered = TestApi.ok(api.post("/api/webhooks/" + id + "/test", "{\"headers\": {\"X-GitHub-Event\": \"push\"}, "
                    + "\"body\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(PUSH) + "}"));

            assertThat(rendered.at("/event/event").asText()).isEqualTo("github.push");
            assertThat(rendered.at("/event/payload/branch").asText()).isEqualTo("main");
            assertThat(TestApi.ok(api.get("/api/events?event=github.*")).path("items")).isEmpty();
        }
    }

    // --- helpers ---

    private static String github(TestApi api) {
        return create(api, "github", "{\"kind\": \"github\", \"secret\": \"" + SECRET + "\"}", GITHUB_TEMPLATE);
    }

    private static String create(TestApi api, String name, String verify, String template) {
        String body = "{\"name\": \"" + name + "\"" + (verify == null ? "" : ", \"verify\": " + verify)
                + (template == null ? "" : ", \"template\": " + template) + "}";
        return TestApi.ok(api.post("/api/webhooks", body)).path("path").asText();
    }

    private static Response hook(TestApi api, String path, String body, Map<String, String> headers) {
        Map<String, String> sent = new LinkedHashMap<>(headers);
        sent.putIfAbsent("content-type", "application/json");
        return api.call("POST", path, body, sent);
    }

    private static Map<String, String> githubHeaders(String secret, String body, String delivery) {
        return Map.of("x-github-event", "push", "x-github-delivery", delivery, "x-hub-signature-256",
                "sha256=" + HexFormat.of().formatHex(mac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8),
                        body.getBytes(StandardCharsets.UTF_8))));
    }

    private static String stripe(String secret, long t, String body) {
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8),
                (t + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, String> hmacHeaders(long t, String body, String id) {
        String sig = Base64.getEncoder().encodeToString(mac("HmacSHA512", SECRET.getBytes(StandardCharsets.UTF_8),
                (t + "." + body).getBytes(StandardCharsets.UTF_8)));
        return Map.of("x-signature", "sig=" + sig, "x-timestamp", Long.toString(t), "x-id", id, "content-type", "text/plain");
    }

    private static byte[] mac(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> outcomes(JsonNode deliveries) {
        return StreamSupport.stream(deliveries.path("items").spliterator(), false).map(d -> d.path("outcome").asText()).toList();
    }
}
