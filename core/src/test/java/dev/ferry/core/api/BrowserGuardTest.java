package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.testing.InMemoryAdapters;
import dev.ferry.core.testing.TestApi;
import dev.ferry.core.testing.TestApi.Response;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a web page on the user's machine can and cannot make an open server do. */
class BrowserGuardTest {
    private static final String POOL = "{\"name\": \"from-a-page\", \"type\": \"process\"}";
    private static final String HOST = "127.0.0.1:4200";
    private final TestApi api = InMemoryAdapters.api(null);

    @AfterEach
    void stop() {
        api.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"})
    void aBodyThatIsNotJson_isRefused415_andNothingIsWritten(String type) {
        Response r = api.call("POST", "/api/work_pools", POOL, Map.of("content-type", type, "host", HOST));

        assertThat(r.status()).isEqualTo(415);
        assertThat(r.field()).isEqualTo("Content-Type");
        assertThat(r.body().path("detail").asText()).contains("application/json", type);
        assertThat(api.get("/api/work_pools/from-a-page").status()).isEqualTo(404);
    }

    @Test
    void aJsonBody_withCharset_isAccepted() {
        Response r = api.call("POST", "/api/work_pools", POOL, Map.of("content-type", "application/json; charset=utf-8"));

        assertThat(r.status()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cross-site", "same-site"})
    void aChange_aBrowserSaysComesFromAnotherSite_isRefused403(String site) {
        Response r = api.call("POST", "/api/work_pools", POOL, Map.of("sec-fetch-site", site, "host", HOST));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body().path("detail").asText()).contains(site, "another site");
        assertThat(api.get("/api/work_pools/from-a-page").status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://evil.example", "http://127.0.0.1:8000", "null", "http://127.0.0.1:4200.evil.example"})
    void aChange_fromAnotherOrigin_isRefused403_evenWithAJsonBody(String origin) {
        Response r = api.call("POST", "/api/work_pools", POOL, Map.of("origin", origin, "host", HOST));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body().path("detail").asText()).contains(origin);
        assertThat(api.get("/api/work_pools/from-a-page").status()).isEqualTo(404);
    }

    @Test
    void aDeleteWithoutBody_fromAnotherOrigin_isRefused_too() {
        api.pool("mine");

        Response r = api.call("DELETE", "/api/work_pools/mine", null, Map.of("origin", "http://evil.example", "host", HOST));

        assertThat(r.status()).isEqualTo(403);
        assertThat(api.get("/api/work_pools/mine").status()).isEqualTo(200);
    }

    @Test
    void theServersOwnPages_mayChangeThings() {
        Response r = api.call("POST", "/api/work_pools", POOL,
                Map.of("origin", "http://" + HOST, "host", HOST, "sec-fetch-site", "same-origin"));

        assertThat(r.status()).isEqualTo(201);
    }

    @Test
    void anOriginWithoutItsDefaultPort_matchesAHostThatNamesIt() {
        Response r = api.call("POST", "/api/work_pools", POOL,
                Map.of("origin", "https://ferry.example.com", "host", "ferry.example.com:443"));

        assertThat(r.status()).isEqualTo(201);
    }

    @Test
    void clientsThatAreNotBrowsers_sendNeitherHeader_andAreServed() {
        api.pool("p");
        String deployment = api.deployment("p", null).get("id").asText();
        String run = api.run(deployment, null).get("id").asText();

        Response cancel = api.call("POST", "/api/flow_runs/" + run + "/cancel", null, Map.of());

        assertThat(cancel.status()).isEqualTo(200);
    }

    @Test
    void reads_fromAnotherSite_areServed_forTheBrowserKeepsTheAnswerFromThePage() {
        Response r = api.call("GET", "/api/work_pools", null, Map.of("sec-fetch-site", "cross-site", "origin", "http://evil.example"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).doesNotContainKey("Access-Control-Allow-Origin");
    }
}
