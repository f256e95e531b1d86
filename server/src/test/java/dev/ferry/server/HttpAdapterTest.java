package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server's HTTP edge: requests reach the router as they were sent. */
class HttpAdapterTest {

    @Test
    void queryParameters_reachTheRouter_repeatedOnesIncluded(@TempDir Path dir) throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, dir, null))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.url() + "/api/flow_runs?state_type=RUNNING&state_type=NOPE")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(422);
            assertThat(r.body()).contains("NOPE");
        }
    }

    @Test
    void theWebUi_isServedAtTheRoot_withoutAKey_andKeepsItsOwnCacheHeaders(@TempDir Path dir) throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, dir, "ferry_ui-test-admin-key"))) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> api = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/work_pools")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
            assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString().startsWith("default-src 'self'");
            assertThat(page.body()).contains("<script type=\"module\" src=\"/app.js?v=");
            assertThat(api.statusCode()).as("the API still needs the key").isEqualTo(401);
            assertThat(api.headers().firstValue("Cache-Control")).hasValue("no-store");
        }
    }

    @Test
    void head_answersTheHeadersWithoutABody(@TempDir Path dir) throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, dir, null))) {
            HttpResponse<String> head = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "/app.css"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        }
    }
}
