package dev.ferry.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class WebUiTest {
    /** The budget for everything the first view loads. */
    private static final int FIRST_VIEW_BUDGET_BYTES = 100 * 1024;
    /** What the landing page (the dashboard) loads before its first API call. */
    private static final List<String> FIRST_VIEW = List.of("/", "/app.js", "/dashboard.js", "/app.css", "/favicon.svg");

    private final WebUi ui = new WebUi();

    @Test
    void index_isRevalidatedEveryTime_andLocksThePageToItsOwnOrigin() {
        ApiResponse index = ui.handle(get("/"));

        assertThat(index.status()).isEqualTo(200);
        assertThat(index.headers()).containsEntry("Content-Type", "text/html; charset=utf-8")
                .containsEntry("Cache-Control", "no-cache")
                .containsEntry("X-Content-Type-Options", "nosniff")
                .containsKey("ETag");
        assertThat(index.headers().get("Content-Security-Policy")).startsWith("default-src 'self';")
                .contains("script-src 'self';").contains("frame-ancestors 'none'").doesNotContain("unsafe");
        assertThat(ui.handle(get("/index.html")).body()).isEqualTo(index.body());
    }

    @Test
    void index_namesItsFilesByContentHash_whichAreCachedForAYear() {
        String html = new String(ui.handle(get("/")).body(), StandardCharsets.UTF_8);
        Matcher script = Pattern.compile("src=\"/app\\.js\\?v=([0-9a-f]{16})\"").matcher(html);
        assertThat(script.find()).as(html).isTrue();
        assertThat(html).containsPattern("href=\"/app\\.css\\?v=[0-9a-f]{16}\"");

        ApiResponse js = ui.handle(get("/app.js"));

        assertThat(js.status()).isEqualTo(200);
        assertThat(js.headers()).containsEntry("Content-Type", "text/javascript; charset=utf-8")
                .containsEntry("Cache-Control", "public, max-age=31536000, immutable")
                .containsEntry("ETag", "\"" + script.group(1) + "\"");
    }

    @Test
    void aCurrentCopy_getsA304WithoutBody() {
        String etag = ui.handle(get("/app.css")).headers().get("ETag");

        ApiResponse again = ui.handle(new ApiRequest("GET", "/app.css", Map.of(), Map.of("if-none-match", etag), null));

        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers()).containsEntry("ETag", etag).doesNotContainKey("Content-Type");
    }

    @Test
    void head_answersTheHeadersOnly() {
        ApiResponse head = ui.handle(new ApiRequest("HEAD", "/", Map.of(), Map.of(), null));

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers()).containsEntry("Cache-Control", "no-cache");
    }

    @Test
    void anUnknownPage_is404_notTheIndex() {
        ApiResponse missing = ui.handle(get("/no/such/page"));

        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.headers()).containsEntry("Content-Type", "text/html; charset=utf-8");
    }

    @Test
    void theUiTakesGetAndHeadOffApi_only() {
        assertThat(WebUi.serves(get("/"))).isTrue();
        assertThat(WebUi.serves(get("/app.js"))).isTrue();
        assertThat(WebUi.serves(new ApiRequest("HEAD", "/", Map.of(), Map.of(), null))).isTrue();
        assertThat(WebUi.serves(new ApiRequest("POST", "/", Map.of(), Map.of(), null))).isFalse();
        assertThat(WebUi.serves(get("/api"))).isFalse();
        assertThat(WebUi.serves(get("/api/nope"))).isFalse();
        assertThat(WebUi.serves(get("/apix"))).isTrue();
    }

    @Test
    void theFirstView_staysUnder100KB_asABrowserGetsIt() {
        int total = 0;
        for (String path : FIRST_VIEW) {
            ApiResponse r = ui.handle(gzipped(path));
            assertThat(r.status()).as(path).isEqualTo(200);
            total += r.body().length;
        }

        assertThat(total).isLessThan(FIRST_VIEW_BUDGET_BYTES);
    }

    @Test
    void textFiles_areServedGzipped_toClientsThatAcceptIt_underTheirOwnTag() throws Exception {
        for (String path : List.of("/", "/app.js", "/dashboard.js", "/app.css")) {
            ApiResponse plain = ui.handle(get(path));
            ApiResponse zipped = ui.handle(gzipped(path));

            assertThat(plain.headers()).as(path).doesNotContainKey("Content-Encoding").containsEntry("Vary", "Accept-Encoding");
            assertThat(zipped.headers()).as(path).containsEntry("Content-Encoding", "gzip").containsEntry("Vary", "Accept-Encoding");
            assertThat(zipped.body().length).as(path).isLessThan(plain.body().length / 2);
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
                assertThat(in.readAllBytes()).as(path).isEqualTo(plain.body());
            }
            String tag = zipped.headers().get("ETag");
            assertThat(tag).isNotEqualTo(plain.headers().get("ETag"));
            ApiResponse again = ui.handle(new ApiRequest("GET", path, Map.of(), Map.of("accept-encoding", "gzip", "if-none-match", tag), null));
            assertThat(again.status()).as(path).isEqualTo(304);
        }
        assertThat(ui.handle(new ApiRequest("GET", "/app.js", Map.of(), Map.of("accept-encoding", "gzip;q=0, br"), null))
                .headers()).doesNotContainKey("Content-Encoding");
        assertThat(ui.handle(gzipped("/favicon.svg")).headers()).doesNotContainKey("Content-Encoding");
    }

    @Test
    void pageModules_areImportedByTheirVersionedName_asIndexPreloadsThem() {
        String html = new String(ui.handle(get("/")).body(), StandardCharsets.UTF_8);
        Matcher preload = Pattern.compile("href=\"/dashboard\\.js\\?v=([0-9a-f]{16})\"").matcher(html);
        assertThat(preload.find()).as(html).isTrue();
        String js = new String(ui.handle(get("/app.js")).body(), StandardCharsets.UTF_8);

        assertThat(js).contains("from './dashboard.js?v=" + preload.group(1) + "'");
        assertThat(ui.handle(get("/dashboard.js")).headers()).containsEntry("ETag", "\"" + preload.group(1) + "\"")
                .containsEntry("Content-Type", "text/javascript; charset=utf-8");
    }

    @Test
    void theScriptFetchesNothingFromOtherOrigins() {
        for (String path : List.of("/", "/app.js", "/dashboard.js", "/app.css")) {
            // the SVG namespace is a name, not an address: nothing is fetched from it
            String text = new String(ui.handle(get(path)).body(), StandardCharsets.UTF_8).replace("'http://www.w3.org/2000/svg'", "");
            assertThat(text).as(path).doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/");
        }
    }

    private static ApiRequest gzipped(String path) {
        return new ApiRequest("GET", path, Map.of(), Map.of("accept-encoding", "gzip, deflate, br"), null);
    }

    private static ApiRequest get(String path) {
        return new ApiRequest("GET", path, Map.of(), Map.of(), null);
    }
}
