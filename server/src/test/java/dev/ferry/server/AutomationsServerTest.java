package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server's engine follows the stored events by itself: an event posted makes its run, and a restart keeps its place. */
class AutomationsServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anEventPosted_makesTheRunItsAutomationAsksFor_once_acrossARestart(@TempDir Path dir) throws Exception {
        ServerOptions options = new ServerOptions("127.0.0.1", 0, dir, null);
        try (EmbeddedServer server = EmbeddedServer.start(options)) {
            URI api = server.url();
            call(api, "POST", "/api/work_pools", "{\"name\": \"p\", \"type\": \"process\"}");
            call(api, "POST", "/api/deployments", "{\"name\": \"greet\", \"flow_name\": \"hello\", "
                    + "\"entrypoint\": \"flows/hello.py:hello\", \"work_pool_name\": \"p\"}");
            call(api, "POST", "/api/automations", "{\"name\": \"greet-arrivals\", \"trigger\": {\"expect\": \"acme.guest.arrived\"}, "
                    + "\"actions\": [{\"type\": \"run-deployment\", \"deployment_name\": \"hello/greet\", "
                    + "\"parameters\": {\"name\": \"{{ event.payload.guest }}\"}}]}");

            call(api, "POST", "/api/events", "[{\"id\": \"arrival-1\", \"event\": \"acme.guest.arrived\", "
                    + "\"resource\": {\"ferry.resource.id\": \"acme.door.front\"}, \"payload\": {\"guest\": \"Ford\"}}]");

            JsonNode run = awaitRuns(api, 1).get(0);
            assertThat(run.at("/parameters/name").asText()).isEqualTo("Ford");
        }
        try (EmbeddedServer again = EmbeddedServer.start(options)) {
            URI api = again.url();
            // the same event once more, and a new one: the first counts once, the second makes the second run
            call(api, "POST", "/api/events", "[{\"id\": \"arrival-1\", \"event\": \"acme.guest.arrived\", "
                    + "\"resource\": {\"ferry.resource.id\": \"acme.door.front\"}, \"payload\": {\"guest\": \"Ford\"}}, "
                    + "{\"id\": \"arrival-2\", \"event\": \"acme.guest.arrived\", "
                    + "\"resource\": {\"ferry.resource.id\": \"acme.door.front\"}, \"payload\": {\"guest\": \"Arthur\"}}]");

            assertThat(awaitRuns(api, 2)).extracting(r -> r.at("/parameters/name").asText()).containsExactlyInAnyOrder("Ford", "Arthur");
            Thread.sleep(500);
            assertThat(runs(api)).hasSize(2);
        }
    }

    private JsonNode awaitRuns(URI api, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            JsonNode runs = runs(api);
            if (runs.size() >= count || System.nanoTime() > deadline) {
                assertThat(runs).as("runs made by the automation").hasSize(count);
                return runs;
            }
            Thread.sleep(50);
        }
    }

    private JsonNode runs(URI api) throws Exception {
        return call(api, "GET", "/api/flow_runs", null).path("items");
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
}
