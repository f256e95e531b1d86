package dev.ferry.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.Ferry;
import dev.ferry.core.Ports;
import dev.ferry.core.api.ApiRequest;
import dev.ferry.core.auth.ApiKeyService;
import dev.ferry.core.auth.BootstrapKey;
import dev.ferry.core.common.Clock;
import dev.ferry.core.common.Ids;
import dev.ferry.core.common.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event <-> request translation and the key check; no AWS service is touched. */
class ApiFunctionTest {
    private static final String KEY = "ferry_test-admin-key";
    // routes that reach no adapter: the ports can be absent
    private final ApiFunction function = new ApiFunction(
            Ferry.wire(new Ports(null, null, null, null, null, null, null, null, null, null, null), Clock.SYSTEM, Ids.RANDOM), Clock.SYSTEM,
            ApiKeyService.bootstrapOnly(BootstrapKey.ofKey(KEY)));

    private static APIGatewayV2HTTPEvent.APIGatewayV2HTTPEventBuilder event(String method, String path) {
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path).withRawQueryString("")
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build());
    }

    private static LocalContext remaining(Duration left) {
        return new LocalContext("ApiFunction", left, () -> 0L);
    }

    private static JsonNode json(APIGatewayV2HTTPResponse response) {
        return Json.tree(response.getBody());
    }

    @Test
    void aProtectedRoute_withoutTheKey_is401_asProblemJson() {
        APIGatewayV2HTTPResponse response = function.handleRequest(event("GET", "/api/openapi.json").build(),
                remaining(Duration.ofSeconds(29)));

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json")
                .containsEntry("Cache-Control", "no-store");
        assertThat(json(response).path("detail").asText()).contains("Authorization: Bearer KEY");
    }

    @Test
    void theAdminKey_isAdmitted_andAnotherIsNot() {
        APIGatewayV2HTTPResponse admitted = function.handleRequest(event("GET", "/api/openapi.json")
                .withHeaders(Map.of("Authorization", "Bearer " + KEY)).build(), remaining(Duration.ofSeconds(29)));
        APIGatewayV2HTTPResponse refused = function.handleRequest(event("GET", "/api/openapi.json")
                .withHeaders(Map.of("authorization", "Bearer ferry_another-key")).build(), remaining(Duration.ofSeconds(29)));

        assertThat(admitted.getStatusCode()).isEqualTo(200);
        assertThat(admitted.getIsBase64Encoded()).isFalse();
        assertThat(json(admitted).path("paths").has("/api/work_pools")).isTrue();
        assertThat(refused.getStatusCode()).isEqualTo(401);
    }

    @Test
    void theWebUi_needsNoKey_andComesWithItsCacheAndSecurityHeaders() {
        APIGatewayV2HTTPResponse page = function.handleRequest(event("GET", "/").build(), remaining(Duration.ofSeconds(29)));
        APIGatewayV2HTTPResponse script = function.handleRequest(event("GET", "/app.js").build(), remaining(Duration.ofSeconds(29)));

        assertThat(page.getStatusCode()).isEqualTo(200);
        assertThat(page.getIsBase64Encoded()).isFalse();
        assertThat(page.getBody()).startsWith("<!doctype html>");
        assertThat(page.getHeaders()).containsEntry("Cache-Control", "no-cache").containsKey("Content-Security-Policy");
        assertThat(script.getHeaders()).containsEntry("Cache-Control", "public, max-age=31536000, immutable")
                .containsEntry("Content-Type", "text/javascript; charset=utf-8");
        assertThat(script.getBody()).contains("/api");
    }

    @Test
    void aGzippedFile_goesBackBase64Encoded_asBytes() throws Exception {
        APIGatewayV2HTTPResponse script = function.handleRequest(event("GET", "/app.js")
                .withHeaders(Map.of("accept-encoding", "gzip, deflate, br")).build(), remaining(Duration.ofSeconds(29)));

        assertThat(script.getHeaders()).containsEntry("Content-Encoding", "gzip");
        assertThat(script.getIsBase64Encoded()).isTrue();
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
                new java.io.ByteArrayInputStream(Base64.getDecoder().decode(script.getBody())))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("/api");
        }
    }

    @Test
    void health_needsNoKey() {
        APIGatewayV2HTTPResponse response = function.handleRequest(event("GET", "/api/health").build(), null);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(json(response).path("status").asText()).isEqualTo("ok");
    }

    @Test
    void request_keepsRepeatedQueryParameters_fromTheRawQueryString() {
        ApiRequest request = ApiFunction.request(event("GET", "/api/flow_runs")
                .withRawQueryString("state_type=SCHEDULED&state_type=PENDING&limit=10&work_pool_name=my%20pool")
                .withQueryStringParameters(Map.of("state_type", "SCHEDULED,PENDING", "limit", "10")).build());

        assertThat(request.queryParams("state_type")).containsExactly("SCHEDULED", "PENDING");
        assertThat(request.queryParam("limit")).isEqualTo("10");
        assertThat(request.queryParam("work_pool_name")).isEqualTo("my pool");
    }

    @Test
    void request_fallsBackToQueryStringParameters_whenAnEventHasNoRawString() {
        ApiRequest request = ApiFunction.request(event("GET", "/api/flow_runs").withRawQueryString(null)
                .withQueryStringParameters(Map.of("limit", "10")).build());

        assertThat(request.query()).isEqualTo(Map.of("limit", List.of("10")));
    }

    @Test
    void request_decodesABase64Body_andLowerCasesHeaders() {
        ApiRequest request = ApiFunction.request(event("post", "/api/work_pools")
                .withHeaders(Map.of("Content-Type", "application/json"))
                .withBody(Base64.getEncoder().encodeToString("{\"name\": \"p\"}".getBytes(StandardCharsets.UTF_8)))
                .withIsBase64Encoded(true).build());

        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.header("content-type")).isEqualTo("application/json");
        assertThat(request.headers()).containsOnlyKeys("content-type");
        assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("{\"name\": \"p\"}");
    }

    @Test
    void request_dropsANamedStage_fromThePath() {
        APIGatewayV2HTTPEvent event = event("GET", "/prod/api/health").build();
        event.getRequestContext().setStage("prod");

        assertThat(ApiFunction.request(event).path()).isEqualTo("/api/health");
    }

    @Test
    void aBodyThatIsNotBase64_is400_notALambdaError() {
        APIGatewayV2HTTPResponse response = function.handleRequest(event("POST", "/api/work_pools")
                .withBody("{not base64}").withIsBase64Encoded(true).build(), remaining(Duration.ofSeconds(29)));

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(json(response).path("detail").asText()).contains("not valid base64");
    }

    @Test
    void aMalformedEscapeInThePath_is400_asProblemJson_evenWithoutAKey() {
        APIGatewayV2HTTPResponse response = function.handleRequest(event("GET", "/api/work_pools/%zz").build(),
                remaining(Duration.ofSeconds(29)));

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        assertThat(json(response).path("field").asText()).isEqualTo("path");
    }

    @Test
    void aFormPostFromAnotherSite_isRefused_beforeTheKeyIsChecked() {
        APIGatewayV2HTTPResponse response = function.handleRequest(event("POST", "/api/work_pools")
                .withHeaders(Map.of("Host", "abc.execute-api.us-east-1.amazonaws.com", "Origin", "https://evil.example",
                        "Content-Type", "text/plain"))
                .withBody("{\"name\": \"p\", \"type\": \"process\"}").build(), remaining(Duration.ofSeconds(29)));

        assertThat(response.getStatusCode()).isEqualTo(403);
        assertThat(json(response).path("detail").asText()).contains("https://evil.example");
    }

    @Test
    void anEventWithoutAMethod_is400() {
        APIGatewayV2HTTPResponse response = function.handleRequest(new APIGatewayV2HTTPEvent(), remaining(Duration.ofSeconds(29)));

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(json(response).path("detail").asText()).contains("payload format 2.0");
    }
}
