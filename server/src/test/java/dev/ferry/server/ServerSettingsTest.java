package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.Settings;
import dev.ferry.core.common.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server's environment sets: a bad value stops the start in one line; loopback webhooks only when allowed. */
class ServerSettingsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aBadEventRetention_stopsTheStart_withOneLine_andExitCode2(@TempDir Path dir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ServerCommand command = new ServerCommand(Map.of(Settings.EVENT_RETENTION_DAYS, "400"));

        int exit = dev.ferry.cli.Ferry.commandLine(new PrintWriter(out), new PrintWriter(err), command,
                new String[] {"server"}).execute("server", "start", "--port", "0", "--data", dir.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines().toList()).containsExactly("error: the server's environment is not valid: "
                + "FERRY_EVENT_RETENTION_DAYS='400' must be a whole number of days from 1 to 365, or empty for 7");
        assertThat(out.toString()).doesNotContain("listening");
    }

    @Test
    void loopbackWebhooks_onTheAwsPath_areRefusedAtStart() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ServerCommand.settings(
                Map.of(Settings.WEBHOOK_ALLOW_LOOPBACK, "true"), true)))
                .isInstanceOf(dev.ferry.cli.commands.UsageError.class).hasMessageContaining("embedded server only");
        assertThat(ServerCommand.settings(Map.of(Settings.WEBHOOK_ALLOW_LOOPBACK, "true"), false).webhookAllowLoopback()).isTrue();
    }

    @Test
    void aCallWebhookToLoopback_isRefusedByDefault(@TempDir Path dir) throws Exception {
        try (Receiver receiver = new Receiver();
             EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, dir, null, List.of()))) {
            JsonNode action = fire(server.url(), receiver.url());

            assertThat(action.path("status").asText()).isEqualTo("failed");
            assertThat(action.path("detail").asText()).contains("refused");
            assertThat(receiver.calls.get()).isZero();
        }
    }

    @Test
    void aCallWebhookToLoopback_isMade_whenTheServerAllowsIt(@TempDir Path dir) throws Exception {
        Settings allowed = ServerCommand.settings(Map.of(Settings.WEBHOOK_ALLOW_LOOPBACK, "true"), false);
        try (Receiver receiver = new Receiver();
             EmbeddedServer server = EmbeddedServer.start(new ServerOptions("127.0.0.1", 0, dir, null, List.of(), allowed))) {
            JsonNode action = fire(server.url(), receiver.url());

            assertThat(action.path("status").asText()).as("%s", action).isEqualTo("ok");
            assertThat(receiver.calls.get()).isEqualTo(1);
        }
    }

    /** Makes an automation that calls {@code hook}, fires it, and waits for its action's outcome. */
    private JsonNode fire(URI api, URI hook) throws Exception {
        String id = call(api, "POST", "/api/automations", "{\"name\": \"notify\", \"trigger\": {\"expect\": \"acme.done\"}, "
                + "\"actions\": [{\"type\": \"call-webhook\", \"url\": \"" + hook + "\"}]}").path("id").asText();
        call(api, "POST", "/api/events", "[{\"event\": \"acme.done\", \"resource\": {\"ferry.resource.id\": \"acme.job\"}}]");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            JsonNode firings = call(api, "GET", "/api/automations/" + id + "/history", null).path("firings");
            JsonNode action = firings.path(0).at("/actions/0");
            if (!action.isMissingNode() && !"pending".equals(action.path("status").asText())) return action;
            assertThat(System.nanoTime()).as("the call-webhook action was carried out").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private JsonNode call(URI api, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isLessThan(300);
        return r.body().isEmpty() ? Json.MAPPER.nullNode() : Json.tree(r.body());
    }

    /** A webhook receiver on this machine's loopback, answering 204. */
    private static final class Receiver implements AutoCloseable {
        final AtomicInteger calls = new AtomicInteger();
        private final HttpServer server;

        Receiver() throws java.io.IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", exchange -> {
                calls.incrementAndGet();
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
