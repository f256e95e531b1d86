package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The custom-run form reads a parameter's text by the same table of cases as the CLI and the
 * server (core's parameter-text-cases.json, which ParameterTypesTest runs against core): the
 * table is run through the page's own app.js module, in a real browser.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParameterFormE2ETest {
    private static final String RUN_TABLE = """
            const [table, done] = [JSON.parse(arguments[0]), arguments[arguments.length - 1]];
            const src = document.querySelector('script[type=module]').src;
            import(src).then(({ kindOf, readParam }) => {
              const wrong = [];
              for (const c of table.cases) {
                const kind = kindOf(table.root.properties[c.parameter], table.root);
                let raw = c.text;
                // A select's option is picked by its label, as a person picks it.
                if (kind.type === 'enum') {
                  const i = kind.values.findIndex((v) => (typeof v === 'string' ? v : JSON.stringify(v)) === c.text);
                  raw = i < 0 ? 'no such option' : String(i);
                }
                const read = readParam({ kind, control: { value: raw }, required: true, label: c.parameter });
                const ok = c.error ? Boolean(read.error)
                  : !read.error && JSON.stringify(read.value) === JSON.stringify(JSON.parse(c.value));
                if (!ok) wrong.push(`${c.parameter} = '${c.text}': expected ${c.error ? 'an error' : c.value}, got ${JSON.stringify(read)}`);
              }
              done(JSON.stringify({ count: table.cases.length, wrong }));
            }).catch((e) => done(JSON.stringify({ count: 0, wrong: [String(e)] })));
            """;

    @TempDir
    static Path project;

    private FerryJar ferry;
    private Browser ui;
    private WebDriver browser; // ui.driver()
    private String base;

    @BeforeAll
    void startServerAndBrowser() throws Exception {
        int port = FerryJar.freePort();
        base = "http://127.0.0.1:" + port;
        ui = Browser.start(base, List.of());
        browser = ui.driver();
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_API_URL", base);
        env.put("FERRY_HOME", project.resolve("ferry-home").toString());
        ferry = new FerryJar(project, env);
        FerryJar.Background server = ferry.start("server", "start", "--port", String.valueOf(port), "--data",
                project.resolve("data").toString());
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> server.output().contains("Ferry server listening on " + base));
    }

    @AfterAll
    void stopAll() throws Exception {
        if (ui != null) ui.close();
        if (ferry != null) ferry.close();
    }

    @Test
    void theFormReadsEveryCaseOfTheParameterTable_asTheCliAndTheServerDo() throws Exception {
        String table;
        try (InputStream in = getClass().getResourceAsStream("/dev/ferry/core/deployments/parameter-text-cases.json")) {
            assertThat(in).as("core's test jar carries the table").isNotNull();
            table = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        browser.get(base + "/#/");
        await().atMost(20, TimeUnit.SECONDS).until(() -> "complete".equals(
                ((JavascriptExecutor) browser).executeScript("return document.readyState")));
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));

        JsonNode result = Json.tree((String) ((JavascriptExecutor) browser).executeAsyncScript(RUN_TABLE, table));

        assertThat(result.path("wrong")).as(result.toString()).isEmpty();
        assertThat(result.path("count").asInt()).isEqualTo(Json.tree(table).path("cases").size()).isGreaterThan(40);
    }
}
