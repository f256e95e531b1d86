package dev.ferry.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.QueryString;
import dev.ferry.core.api.Router;
import dev.ferry.core.common.BadInput;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
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
                response = handle(exchange, headers, body);
            }
            send(exchange, response);
        }
    }

    /** Writes {@code response} as the answer to {@code exchange} (which the caller closes). */
    static void send(HttpExchange exchange, ApiResponse response) throws IOException {
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        // API answers are never cached; the web UI's files say how they may be.
        if (!exchange.getResponseHeaders().containsKey("Cache-Control")) exchange.getResponseHeaders().set("Cache-Control", "no-store");
        // A HEAD answer has no body, and the JDK server wants -1 for it, not the GET's length.
        boolean empty = response.body().length == 0 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), empty ? -1 : response.body().length);
        if (!empty) exchange.getResponseBody().write(response.body());
    }

    private ApiResponse handle(HttpExchange exchange, Map<String, String> headers, byte[] body) {
        try {
            return router.handle(new ApiRequest(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    QueryString.parse(exchange.getRequestURI().getRawQuery()), headers, body));
        } catch (BadInput e) {
            return ApiResponse.problem(e.status(), e.getMessage(), e.field(), null);
        }
    }

    /** Reads at most one byte more than the limit, so a huge body is refused without being held. */
    private static byte[] readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(Router.MAX_BODY_BYTES + 1);
        return bytes.length > Router.MAX_BODY_BYTES ? null : bytes;
    }
}
