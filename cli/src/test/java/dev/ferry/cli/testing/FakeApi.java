package dev.ferry.cli.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.common.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A stand-in for the Ferry API in client, command and worker tests: a JDK HTTP server on a free
 * loopback port that answers each route with what the test told it and records every call.
 */
public final class FakeApi implements AutoCloseable {
    public record Call(String method, String path, String query, JsonNode body, String authorization) {}

    public record Reply(int status, String contentType, byte[] body) {
        public static Reply json(int status, Object value) {
            return new Reply(status, "application/json", Json.bytes(value));
        }

        public static Reply ok(Object value) {
            return json(200, value);
        }

        public static Reply noContent() {
            return new Reply(204, null, new byte[0]);
        }

        public static Reply problem(int status, String detail, String field) {
            ObjectNode problem = Json.MAPPER.createObjectNode()
                    .put("type", "about:blank").put("title", "Problem").put("status", status).put("detail", detail);
            if (field != null) problem.put("field", field);
            return new Reply(status, "application/problem+json", Json.bytes(problem));
        }

        public static Reply text(int status, String text) {
            return new Reply(status, "text/plain", text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private record Route(String method, Pattern path, Function<Call, Reply> handler) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-api");
        t.setDaemon(true);
        return t;
    });
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    public FakeApi() {
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

    /** Answers {@code method} + a path matching {@code pathRegex}; later registrations win. */
    public FakeApi on(String method, String pathRegex, Function<Call, Reply> handler) {
        routes.add(0, new Route(method, Pattern.compile(pathRegex), handler));
        return this;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        List<Call> matching = new ArrayList<>();
        for (Call c : calls) {
            if (c.method().equals(method) && p.matcher(c.path()).matches()) matching.add(c);
        }
        return matching;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            JsonNode body = MissingNode.getInstance();
            if (raw.length > 0) {
                try {
                    body = Json.MAPPER.readTree(raw);
                } catch (IOException e) {
                    body = MissingNode.getInstance();
                }
            }
            String path = exchange.getRequestURI().getRawPath();
            Call call = new Call(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(), body,
                    exchange.getRequestHeaders().getFirst("Authorization"));
            calls.add(call);
            Reply reply = null;
            for (Route route : routes) {
                if (route.method().equals(call.method()) && route.path().matcher(path).matches()) {
                    reply = route.handler().apply(call);
                    break;
                }
            }
            if (reply == null) reply = Reply.problem(404, "no fake route for " + call.method() + " " + path, null);
            if (reply.contentType() != null) exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            boolean empty = reply.body().length == 0;
            exchange.sendResponseHeaders(reply.status(), empty ? -1 : reply.body().length);
            if (!empty) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply.body());
                }
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }
}
