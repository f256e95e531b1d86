package dev.ferry.server;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.core.api.Router;
import dev.ferry.functions.LocalContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Plays API Gateway's part for a Lambda handler on this machine: an HTTP request becomes an HTTP
 * API event (payload format 2.0), the handler answers it within the function's timeout, and its
 * response event becomes the HTTP response. So {@code ferry server start --aws} runs exactly the
 * code the deployed stack runs.
 */
final class LambdaHttpBridge implements HttpHandler {
    private static final Logger LOG = Logger.getLogger(LambdaHttpBridge.class.getName());
    /** template.yaml's Globals.Function.Timeout: what the handler is told is left of its time. */
    static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(29);
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private static final AtomicLong REQUESTS = new AtomicLong();

    private final String functionName;
    private final RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> function;

    LambdaHttpBridge(String functionName, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> function) {
        this.functionName = functionName;
        this.function = function;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            // Cut at the router's limit + 1 byte: the router still sees it is too large, and nothing huge is held.
            byte[] body = exchange.getRequestBody().readNBytes(Router.MAX_BODY_BYTES + 1);
            APIGatewayV2HTTPResponse response;
            try {
                response = function.handleRequest(event(exchange, body), new LocalContext(functionName, FUNCTION_TIMEOUT));
            } catch (RuntimeException e) {
                // What API Gateway answers when the function fails instead of answering.
                LOG.log(Level.SEVERE, functionName + " failed on " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getRawPath(), e);
                response = APIGatewayV2HTTPResponse.builder().withStatusCode(500)
                        .withHeaders(Map.of("Content-Type", "application/json"))
                        .withBody("{\"message\":\"Internal Server Error\"}").build();
            }
            write(exchange, response);
        }
    }

    static APIGatewayV2HTTPEvent event(HttpExchange exchange, byte[] body) {
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        Map<String, String> headers = new LinkedHashMap<>();
        // API Gateway lower-cases header names and joins repeated headers with commas.
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        Map<String, String> queryParameters = new LinkedHashMap<>();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                queryParameters.merge(key, value, (a, b) -> a + "," + b);
            }
        }
        InetSocketAddress remote = exchange.getRemoteAddress();
        long now = System.currentTimeMillis();
        String requestId = "local-" + REQUESTS.incrementAndGet();
        String routeKey = path.startsWith("/api/") ? "ANY /api/{proxy+}" : "ANY /{proxy+}";
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(routeKey)
                .withRawPath(path)
                .withRawQueryString(query == null ? "" : query)
                .withHeaders(headers)
                .withQueryStringParameters(queryParameters.isEmpty() ? null : queryParameters)
                // Always base64, as API Gateway sends binary bodies: the handler must decode it either way.
                .withBody(body.length == 0 ? null : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRouteKey(routeKey)
                        .withStage("$default")
                        .withRequestId(requestId)
                        .withTimeEpoch(now)
                        .withTime(REQUEST_TIME.format(ZonedDateTime.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC)))
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(exchange.getRequestMethod())
                                .withPath(path)
                                .withProtocol(exchange.getProtocol())
                                .withSourceIp(remote == null ? null : remote.getAddress().getHostAddress())
                                .withUserAgent(headers.get("user-agent"))
                                .build())
                        .build())
                .build();
    }

    private static void write(HttpExchange exchange, APIGatewayV2HTTPResponse response) throws IOException {
        if (response.getHeaders() != null) response.getHeaders().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, v) -> exchange.getResponseHeaders().put(k, List.copyOf(v)));
        }
        String text = response.getBody();
        byte[] body = text == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        boolean empty = body.length == 0;
        exchange.sendResponseHeaders(response.getStatusCode(), empty ? -1 : body.length);
        if (!empty) exchange.getResponseBody().write(body);
    }
}
