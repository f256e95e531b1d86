package dev.ferry.cli.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.testing.Cli;
import dev.ferry.cli.testing.Cli.Result;
import dev.ferry.cli.testing.RouterServer;
import dev.ferry.core.common.Json;
import dev.ferry.core.testing.TestApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook commands against the real API (core's router over in-memory adapters), with GitHub-signed requests to the printed URL. */
class WebhookCommandApiTest {
    private static final String SECRET = "it's-a-secret-to-everybody";
    private static final String PUSH = "{\"ref\": \"refs/heads/main\", \"repository\": {\"name\": \"ferry\"}}";
    private static final String TEMPLATE = """
            {"event": "github.{{ headers['x-github-event'] }}",
             "resource": {"ferry.resource.id": "github.repo.{{ body.repository.name }}"},
             "payload": {"ref": "{{ body.ref }}", "branch": "{{ body.ref | replace('refs/heads/', '') }}"}}""";

    private final RouterServer server = new RouterServer();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        server.close();
    }

    private Result ferry(String... args) {
        Result result = Cli.against(server.url(), args);
        assertThat(result.exitCode()).as("%s%s", result.out(), result.err()).isZero();
        return result;
    }

    /** The URL a command printed on a line of its own, indented. */
    private static String printedUrl(Result result) {
        return result.out().lines().filter(line -> line.startsWith("    http")).findFirst().orElseThrow().strip();
    }

    /** What GitHub sends: the event's name, its delivery id, and an HMAC-SHA256 of the body's bytes. */
    private HttpResponse<String> push(String url, String secret, String delivery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(hmac(secret, PUSH)))
                .POST(HttpRequest.BodyPublishers.ofString(PUSH, StandardCharsets.UTF_8))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
    }

    private List<JsonNode> events(String pattern) {
        List<JsonNode> events = new java.util.ArrayList<>();
        TestApi.ok(server.api.get("/api/events?event=" + pattern)).path("items").forEach(events::add);
        return events;
    }

    @Test
    void create_push_inspect_test_rotate_disable_enable_delete() throws Exception {
        // create, signed by GitHub with the secret in a file
        Path template = Files.writeString(dir.resolve("github-push.json"), TEMPLATE);
        Path secret = Files.writeString(dir.resolve("github.secret"), SECRET + "\n");
        Result created = ferry("webhook", "create", "github-push", "--verify", "github", "--template-file", template.toString(),
                "--secret-file", secret.toString());
        String url = printedUrl(created);
        assertThat(url).startsWith(server.url() + "/hooks/");
        assertThat(created.out()).doesNotContain(SECRET);

        // a signed push is accepted; a forged one is refused, and nothing of it emitted
        HttpResponse<String> accepted = push(url, SECRET, "delivery-1");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String eventId = Json.tree(accepted.body()).path("event_id").asText();
        HttpResponse<String> forged = push(url, "not-the-secret-at-all", "delivery-2");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(events("github.*")).singleElement().satisfies(e -> {
            assertThat(e.path("id").asText()).isEqualTo(eventId);
            assertThat(e.at("/payload/branch").asText()).isEqualTo("main");
        });

        // ls shows the URL; inspect shows both deliveries, the refused one standing out
        assertThat(ferry("webhook", "ls").out().lines().skip(2).toList()).singleElement().asString()
                .startsWith("github-push").contains("github", "true", url);
        Result inspected = ferry("webhook", "inspect", "github-push");
        assertThat(inspected.out()).contains("URL:         " + url + "\n", "Verify:      github\n", "Retired:     none\n")
                .contains("\"event\": \"github.{{ headers['x-github-event'] }}\"")
                .contains("1 refused: ");
        List<String> lines = inspected.out().lines().toList();
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("202", "accepted").endsWith(eventId));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("401", "REFUSED", "X-Hub-Signature-256"));
        JsonNode doc = Json.tree(ferry("webhook", "inspect", "github-push", "-o", "json").out());
        assertThat(doc.at("/webhook/url").asText()).isEqualTo(url);
        assertThat(doc.path("deliveries")).hasSize(2);
        assertThat(doc.toString()).doesNotContain(SECRET);

        // test renders a sample, emitting nothing
        Result tested = ferry("webhook", "test", "github-push", "--header", "X-GitHub-Event:push", "--body", PUSH);
        JsonNode event = Json.tree(tested.out());
        assertThat(event.path("event").asText()).isEqualTo("github.push");
        assertThat(event.at("/resource/ferry.resource.id").asText()).isEqualTo("github.repo.ferry");
        assertThat(events("github.*")).hasSize(1);
        Result unrenderable = Cli.against(server.url(), "webhook", "test", "github-push", "--body", "{}");
        assertThat(unrenderable.exitCode()).isEqualTo(2);
        assertThat(unrenderable.err()).startsWith("error: ").contains("template").hasLineCount(1);

        // rotate with a grace: a new URL and secret, and the old ones keep answering meanwhile
        Result rotated = ferry("webhook", "rotate", "github-push", "--grace", "1h");
        String newUrl = printedUrl(rotated);
        String newSecret = rotated.out().lines().dropWhile(line -> !line.startsWith("Secret (made by the server)"))
                .filter(line -> line.startsWith("    ")).findFirst().orElseThrow().strip();
        assertThat(newUrl).isNotEqualTo(url).startsWith(server.url() + "/hooks/");
        assertThat(rotated.out()).contains("The old URL (" + url + ") and secret keep working until ", "(1h 00m)");
        assertThat(push(url, SECRET, "delivery-3").statusCode()).isEqualTo(202);
        assertThat(push(newUrl, newSecret, "delivery-4").statusCode()).isEqualTo(202);
        assertThat(ferry("webhook", "inspect", "github-push").out()).contains("Retired:     " + url + " (and its secret) until ")
                .contains("to a retired URL");

        // disable, enable
        assertThat(ferry("webhook", "disable", "github-push").out()).contains("answer 404");
        assertThat(push(newUrl, newSecret, "delivery-5").statusCode()).isEqualTo(404);
        assertThat(ferry("webhook", "enable", "github-push").out()).isEqualTo("Enabled webhook 'github-push' at " + newUrl + "\n");
        assertThat(push(newUrl, newSecret, "delivery-6").statusCode()).isEqualTo(202);

        // delete: no URL answers any more
        assertThat(ferry("webhook", "delete", "github-push").out()).isEqualTo("Deleted webhook 'github-push'\n");
        assertThat(push(newUrl, newSecret, "delivery-7").statusCode()).isEqualTo(404);
        assertThat(push(url, SECRET, "delivery-8").statusCode()).isEqualTo(404);
        assertThat(ferry("webhook", "ls").out()).startsWith("No webhooks yet");
    }

    @Test
    void create_refusedByTheServer_namesTheField_exit2() {
        Result result = Cli.against(server.url(), "webhook", "create", "bad", "--template", "{\"event\": \"x\"}");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: ").contains("resource").hasLineCount(1);
    }
}
