package dev.ferry.cli.server;

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
}
