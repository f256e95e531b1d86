package dev.ferry.cli.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The real API (core's router over in-memory adapters) on a free loopback port, for command tests
 * that should exercise what the server really checks and answers rather than a stand-in's replies.
 */
public final class RouterServer implements AutoCloseable {
    public final TestApi api = InMemoryAdapters.api(null);
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "router-server");
        t.setDaemon(true);
        return t;
    });

    public RouterServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        api.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
            ApiResponse response = api.router.handle(new ApiRequest(exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(), query(exchange.getRequestURI().getRawQuery()), headers,
                    exchange.getRequestBody().readAllBytes()));
            response.headers().forEach(exchange.getResponseHeaders()::set);
            byte[] body = response.body();
            exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return query;
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            query.computeIfAbsent(decode(kv[0]), k -> new ArrayList<>()).add(kv.length > 1 ? decode(kv[1]) : "");
        }
        return query;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
