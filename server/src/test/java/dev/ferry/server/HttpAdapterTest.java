package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void aLoopbackServer_refusesAHostNameItDoesNotHave_asARebindingPageWouldSendIt(@TempDir Path dir) throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, dir, null))) {
            int port = server.url().getPort();

            String rebound = rawGet(port, "attacker.example:" + port, "/api/work_pools");
            String own = rawGet(port, "localhost:" + port, "/api/work_pools");
            String page = rawGet(port, "attacker.example:" + port, "/");

            assertThat(rebound).startsWith("HTTP/1.1 403").contains("application/problem+json", "attacker.example",
                    "--allowed-host");
            assertThat(page).as("the web UI too").startsWith("HTTP/1.1 403");
            assertThat(own).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aNameGivenWithAllowedHost_isServed(@TempDir Path dir) throws Exception {
        try (EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, dir, null,
                List.of("ferry.internal")))) {
            int port = server.url().getPort();

            assertThat(rawGet(port, "ferry.internal:" + port, "/api/health")).startsWith("HTTP/1.1 200");
            assertThat(rawGet(port, "other.internal:" + port, "/api/health")).startsWith("HTTP/1.1 403");
        }
    }

    /** A request with the Host header a browser would send for a rebound name (the JDK client won't set Host). */
    private static String rawGet(int port, String host, String path) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
