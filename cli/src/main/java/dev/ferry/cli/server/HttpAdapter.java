package dev.ferry.cli.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.Router;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Translates between the JDK HTTP server and the core router. Holds no API logic. */
final class HttpAdapter implements HttpHandler {
    private final Router router;

    HttpAdapter(Router router) {
        this.router = router;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            ApiResponse response;
            byte[] body = readBody(exchange.getRequestBody());
            if (body == null) {
                response = ApiResponse.problem(413, "request body is larger than " + Router.MAX_BODY_BYTES + " bytes", null, null);
            } else {
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
                response = router.handle(new ApiRequest(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        query(exchange.getRequestURI().getRawQuery()), headers, body));
            }
            response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean empty = response.body().length == 0;
            exchange.sendResponseHeaders(response.status(), empty ? -1 : response.body().length);
            if (!empty) exchange.getResponseBody().write(response.body());
        }
    }

    /** Reads at most one byte more than the limit, so a huge body is refused without being held. */
    private static byte[] readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(Router.MAX_BODY_BYTES + 1);
        return bytes.length > Router.MAX_BODY_BYTES ? null : bytes;
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return query;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return query;
    }
}
