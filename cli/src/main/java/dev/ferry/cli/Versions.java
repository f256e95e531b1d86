package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.client.ApiClient;
import dev.ferry.cli.client.Retry;
import dev.ferry.core.common.Json;
import java.net.URI;
import java.time.Duration;

/**
 * This client's version and, when a server answers, the server's. Both come from core's one
 * version constant, which the server's {@code GET /api/health} reports, so a matching pair reads
 * the same ("ferry 0.1.0", "server 0.1.0"). The manifest's Implementation-Version is not used: the
 * shaded jar has none, and a version the server never reports would only confuse.
 */
final class Versions {
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

    private Versions() {}

    static String client() {
        return dev.ferry.core.Ferry.VERSION;
    }

    /** The server's version, or null when nothing answers (or what answers is not a Ferry server). */
    static String server(URI apiUrl) {
        try {
            JsonNode health = new ApiClient(apiUrl, null, Retry.never()).send("GET", "/api/health", null, HEALTH_TIMEOUT).body();
            JsonNode version = health.path("version");
            return version.isTextual() ? version.asText() : null;
        } catch (RuntimeException unreachable) {
            return null;
        }
    }

    static String[] lines(URI apiUrl) {
        String server = server(apiUrl);
        return new String[] {"ferry " + client(), server == null ? "server: none answered at " + apiUrl
                : "server " + server + " at " + apiUrl + (server.equals(client()) ? "" : " (differs from this client's " + client() + ")")};
    }

    static ObjectNode json(URI apiUrl) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("client", client()).put("api_url", apiUrl.toString());
        String server = server(apiUrl);
        if (server == null) node.putNull("server");
        else node.put("server", server);
        return node;
    }
}
