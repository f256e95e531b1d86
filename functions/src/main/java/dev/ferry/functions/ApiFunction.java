package dev.ferry.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.ferry.aws.Aws;
import dev.ferry.aws.Throttling;
import dev.ferry.core.Ferry;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.api.ApiResponse;
import dev.ferry.core.api.QueryString;
import dev.ferry.core.api.Router;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.common.BadInput;
import dev.ferry.core.common.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP API on Lambda: an API Gateway HTTP API event (payload format 2.0) becomes an
 * {@link ApiRequest}, core's {@link Router} answers it, and the answer goes back as the
 * response event. Holds no API logic.
 */
public final class ApiFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final Router router;

    /** Lambda's: wired from the environment once per container, and primed before SnapStart's snapshot. */
    public ApiFunction() {
        this(Primed.ROUTER);
    }

    /** Over given adapters (tests, {@code ferry server start --aws}). */
    public ApiFunction(Ferry ferry, Clock clock, ApiKeyService auth) {
        this(new Router(ferry, clock, auth, Throttling::isThrottling));
    }

    private ApiFunction(Router router) {
        this.router = router;
    }

    /** What the no-arg constructor does with the container's wiring, for a test to do with its own. */
    static ApiFunction primed(Aws.Wiring wiring) {
        return new ApiFunction(prime(new Router(wiring.ferry(), Clock.SYSTEM, wiring.auth(), Throttling::isThrottling)));
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        ApiResponse response;
        try {
            // A long poll must answer before Lambda stops the function (and API Gateway gives up at 30 s).
            ApiRequest request = request(event);
            response = router.handle(context == null ? request
                    : request.withTimeLeft(Duration.ofMillis(context.getRemainingTimeInMillis())));
        } catch (BadEvent e) {
            response = ApiResponse.problem(400, e.getMessage(), null, null);
        }
        return response(response);
    }

    static ApiRequest request(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event == null ? null : event.getRequestContext();
        if (context == null || context.getHttp() == null || context.getHttp().getMethod() == null) {
            throw new BadEvent("not an API Gateway HTTP API event (payload format 2.0): requestContext.http.method is missing");
        }
        String path = event.getRawPath() != null ? event.getRawPath() : context.getHttp().getPath();
        if (path == null) throw new BadEvent("the event has no rawPath");
        // A named stage (not $default) prefixes rawPath with its name; routes never include it.
        String stage = context.getStage();
        if (stage != null && !"$default".equals(stage) && path.startsWith("/" + stage + "/")) {
            path = path.substring(stage.length() + 1);
        }
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) event.getHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        return new ApiRequest(context.getHttp().getMethod().toUpperCase(Locale.ROOT), path, query(event), headers, body(event));
    }

    /**
     * From rawQueryString, which keeps repeated parameters ({@code state_type=A&state_type=B});
     * queryStringParameters has them comma-joined, and is used only when a hand-written event has no raw string.
     */
    private static Map<String, List<String>> query(APIGatewayV2HTTPEvent event) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        String raw = event.getRawQueryString();
        if (raw == null || raw.isEmpty()) {
            if (event.getQueryStringParameters() != null) {
                event.getQueryStringParameters().forEach((k, v) -> query.put(k, new ArrayList<>(List.of(v))));
            }
            return query;
        }
        try {
            return QueryString.parse(raw);
        } catch (BadInput e) {
            throw new BadEvent(e.getMessage());
        }
    }

    private static byte[] body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null) return new byte[0];
        if (!event.getIsBase64Encoded()) return body.getBytes(StandardCharsets.UTF_8);
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new BadEvent("the event says its body is base64-encoded, but it is not valid base64");
        }
    }

    private static APIGatewayV2HTTPResponse response(ApiResponse response) {
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.putIfAbsent("Cache-Control", "no-store"); // API answers; the web UI's files say how they may be cached
        byte[] body = response.body();
        // a compressed body is bytes, whatever its type
        boolean text = body.length == 0 || isText(headers.get("Content-Type")) && !headers.containsKey("Content-Encoding");
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.status())
                .withHeaders(headers)
                .withBody(text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(!text)
                .build();
    }

    private static boolean isText(String contentType) {
        if (contentType == null) return false;
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.contains("json") || type.contains("xml") || type.contains("javascript");
    }

    /** An event this function can't turn into a request: answered 400, never a Lambda error. */
    static final class BadEvent extends RuntimeException {
        BadEvent(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * SnapStart runs a published version's init once and snapshots it, so init must open no
     * connection and seed no random generator: building SDK clients does neither, and this
     * request ({@code GET /api/health}) touches no AWS service. It loads and warms the event ->
     * router -> JSON path, most of a cold request's class loading. Priming the SDK's own request
     * path would take a real call (and credentials captured in the snapshot); if measurements ever
     * ask for it, an {@code org.crac.Resource} whose {@code afterRestore} makes a cheap
     * DescribeTable is the place.
     */
    private static Router prime(Router router) {
        APIGatewayV2HTTPEvent health = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRawPath("/api/health").withRawQueryString("")
                .withHeaders(Map.of("accept", "application/json"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET")
                                .withPath("/api/health").build()).build())
                .build();
        ApiResponse answer = router.handle(request(health).withTimeLeft(Duration.ofSeconds(10)));
        if (answer.status() != 200) throw new IllegalStateException("priming GET /api/health answered " + answer.status());
        response(answer);
        return router;
    }

    /** The container's router: built and primed at init (the JVM's class-init lock makes it once). */
    private static final class Primed {
        static final Router ROUTER = prime(new Router(Container.current().wiring().ferry(), Clock.SYSTEM,
                Container.current().wiring().auth(), Throttling::isThrottling));
    }
}
