package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in a real browser against the packaged jar's embedded server: runs put in known
 * states through the API (claimed as a worker would, reported RUNNING, COMPLETED, FAILED and
 * CRASHED; one late, one set to start in 20 minutes), then the page's numbers held against what
 * the API answers for the same window, and each link followed to the list behind it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiDashboardE2ETest {
    private static final String POOL = "dash-pool";
    private static final String IDLE_POOL = "idle-pool";

    @TempDir
    static Path project;

    private FerryJar ferry;
    private Browser ui;
    private WebDriver browser;
    private Api api;
    private final Map<String, String> runs = new LinkedHashMap<>(); // what each run was made to be -> its id

    @BeforeAll
    void startServerAndBrowser_andMakeRunsInKnownStates() throws Exception {
        int port = FerryJar.freePort();
        String base = "http://127.0.0.1:" + port;
        ui = Browser.start(base, List.of("--window-size=1400,900", "--force-device-scale-factor=1", "--lang=en-US"));
        browser = ui.driver();
        api = new Api(base);
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_API_URL", base);
        env.put("FERRY_HOME", project.resolve("ferry-home").toString());
        ferry = new FerryJar(project, env);
        FerryJar.Background server = ferry.start("server", "start", "--port", String.valueOf(port), "--data",
                project.resolve("data").toString());
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> server.output().contains("Ferry server listening on " + base));

        api.call("POST", "/api/work_pools", "{\"name\": \"" + POOL + "\", \"type\": \"process\", \"concurrency_limit\": 5}");
        api.call("POST", "/api/work_pools", "{\"name\": \"" + IDLE_POOL + "\", \"type\": \"process\"}");
        String report = deploy("report", POOL);
        String nightly = deploy("nightly", IDLE_POOL);
        for (int i = 0; i < 4; i++) api.call("POST", "/api/deployments/" + report + "/create_flow_run", "{}");
        heartbeat();
        JsonNode claimed = api.call("POST", "/api/work_pools/" + POOL + "/get_scheduled_flow_runs",
                "{\"worker_name\": \"dash-worker\", \"limit\": 4, \"wait_seconds\": 0}").path("items");
        assertThat(claimed).hasSize(4);
        List<String> ends = List.of("COMPLETED", "FAILED", "CRASHED", "RUNNING");
        for (int i = 0; i < 4; i++) {
            String id = claimed.get(i).path("flow_run").path("id").asText();
            setState(id, "RUNNING", null);
            if (!ends.get(i).equals("RUNNING")) setState(id, ends.get(i), ends.get(i).equals("FAILED") ? "boom" : null);
            runs.put(ends.get(i), id);
        }
        Instant now = Instant.now();
        runs.put("LATE", api.call("POST", "/api/deployments/" + nightly + "/create_flow_run",
                "{\"scheduled_start_time\": \"" + now.minus(Duration.ofMinutes(10)) + "\"}").path("id").asText());
        runs.put("SOON", api.call("POST", "/api/deployments/" + nightly + "/create_flow_run",
                "{\"scheduled_start_time\": \"" + now.plus(Duration.ofMinutes(20)) + "\"}").path("id").asText());
        // the janitor calls a run Late 15 s after its start passed with nobody taking it
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500)).until(() ->
                "Late".equals(api.call("GET", "/api/flow_runs/" + runs.get("LATE"), null).path("state").path("name").asText()));
    }

    @AfterAll
    void stopAll() throws Exception {
        if (ui != null) ui.close();
        if (ferry != null) ferry.close();
    }

    @Test
    @Order(1)
    void theLandingPage_isTheDashboard_andItsCountsAreTheApis() throws Exception {
        ui.open("");
        assertThat(ui.text("main h1")).isEqualTo("Dashboard");
        // five runs are expected within the day; the one due in 20 minutes too when the window's last hour holds it
        ui.waitFor(d -> statValue("total").matches("[56]"));

        JsonNode activity = activityOfThePage(3600);
        JsonNode counts = activity.path("counts");

        assertThat(counts.path("COMPLETED").asInt()).isEqualTo(1);
        assertThat(counts.path("FAILED").asInt()).isEqualTo(1);
        assertThat(counts.path("CRASHED").asInt()).isEqualTo(1);
        assertThat(counts.path("RUNNING").asInt()).isEqualTo(1);
        assertThat(statValue("total")).isEqualTo(activity.path("total").asText());
        assertThat(statValue("completed")).isEqualTo(counts.path("COMPLETED").asText());
        assertThat(statValue("failed")).isEqualTo(String.valueOf(counts.path("FAILED").asInt() + counts.path("CRASHED").asInt()));
        assertThat(statValue("running")).isEqualTo(String.valueOf(counts.path("RUNNING").asInt()
                + counts.path("PENDING").asInt() + counts.path("CANCELLING").asInt()));
        assertThat(statValue("scheduled")).isEqualTo(counts.path("SCHEDULED").asText());
        assertThat(statValue("failure-rate")).isEqualTo(Math.round(activity.path("failure_rate").asDouble() * 100) + " %")
                .isEqualTo("67 %");
        // every bar segment is the API's count of its bucket and state, and every count has its segment
        List<WebElement> segments = browser.findElements(By.cssSelector("svg.chart a[data-bucket]"));
        int nonZero = 0;
        for (JsonNode bucket : activity.path("buckets")) {
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) bucket.path("counts")::fields) if (e.getValue().asInt() > 0) nonZero++;
        }
        assertThat(segments).hasSize(nonZero);
        for (WebElement segment : segments) {
            int bucket = Integer.parseInt(segment.getAttribute("data-bucket"));
            String state = segment.getAttribute("data-state");
            assertThat(segment.getAttribute("data-count")).as("bucket %d, %s", bucket, state)
                    .isEqualTo(activity.path("buckets").get(bucket).path("counts").path(state).asText());
        }
    }

    @Test
    @Order(2)
    void lateAndFailingRuns_poolHealth_andTheNextHour_areShown() throws Exception {
        heartbeat();
        ui.open("#/dashboard");
        ui.waitFor(d -> "1".equals(ui.attribute("[data-card='late'] [data-count]", "data-count")));
        assertThat(ui.text("[data-card='late']")).contains("nightly");
        assertThat(browser.findElements(By.cssSelector("[data-card='late'] tr[data-run='" + runs.get("LATE") + "']"))).hasSize(1);
        assertThat(ui.attribute("[data-card='failing'] [data-count]", "data-count")).isEqualTo("2");
        assertThat(rowIds("[data-card='failing'] tr[data-run]")).containsExactlyInAnyOrder(runs.get("FAILED"), runs.get("CRASHED"));
        assertThat(ui.text("[data-card='failing'] tr[data-run='" + runs.get("FAILED") + "']")).contains("boom");

        ui.waitFor(d -> "1".equals(ui.attribute("[data-card='pools'] tr[data-pool='" + POOL + "'] [data-online]", "data-online")));
        assertThat(ui.attribute("tr[data-pool='" + POOL + "'] [data-status]", "data-status")).isEqualTo("READY");
        assertThat(ui.text("tr[data-pool='" + POOL + "'] [data-used]")).isEqualTo("1 of 5");
        assertThat(ui.attribute("tr[data-pool='" + IDLE_POOL + "'] [data-status]", "data-status")).isEqualTo("NOT_READY");
        assertThat(ui.text("tr[data-pool='" + IDLE_POOL + "'] [data-online]")).isEqualTo("0 of 0");
        assertThat(ui.text("tr[data-pool='" + IDLE_POOL + "'] [data-used]")).isEqualTo("0 of no limit");

        ui.waitFor(d -> !d.findElements(By.cssSelector("[data-card='upcoming'] a[href='#/runs/" + runs.get("SOON") + "']")).isEmpty());
        assertThat(ui.text("[data-card='upcoming'] tr[data-upcoming]")).containsPattern("in (1\\d|20) minutes").contains(IDLE_POOL);
        ui.screenshot("dashboard");
    }

    @Test
    @Order(3)
    void eachNumber_leadsToTheListBehindIt() throws Exception {
        heartbeat();
        ui.open("#/dashboard");
        ui.waitFor(d -> statValue("failed").equals("2"));
        ui.click(By.cssSelector("[data-stat='failed']"));
        ui.waitFor(d -> d.getCurrentUrl().contains("#/runs?state=FAILED%2CCRASHED"));
        ui.waitFor(d -> rowIds("tr[data-run]").size() == 2);
        assertThat(rowIds("tr[data-run]")).containsExactlyInAnyOrder(runs.get("FAILED"), runs.get("CRASHED"));
        assertThat(ui.text("[data-scope]")).contains("Expected to start");

        ui.open("#/dashboard");
        ui.click(By.cssSelector("svg.chart a[data-state='COMPLETED'] rect"));
        ui.waitFor(d -> d.getCurrentUrl().contains("#/runs?state=COMPLETED&since="));
        ui.waitFor(d -> rowIds("tr[data-run]").equals(Set.of(runs.get("COMPLETED"))));

        ui.open("#/dashboard");
        ui.click(By.linkText("All late runs"));
        ui.waitFor(d -> d.getCurrentUrl().contains("late=1"));
        ui.waitFor(d -> rowIds("tr[data-run]").equals(Set.of(runs.get("LATE"))));
        assertThat(ui.text("[data-scope]")).contains("Late only");

        ui.open("#/dashboard");
        ui.click(By.cssSelector("tr[data-pool='" + POOL + "'] [data-used] a"));
        ui.waitFor(d -> d.getCurrentUrl().contains("pool=" + POOL));
        ui.waitFor(d -> rowIds("tr[data-run]").equals(Set.of(runs.get("RUNNING"))));

        ui.open("#/dashboard");
        ui.click(By.cssSelector("tr[data-pool='" + POOL + "'] [data-online] a"));
        ui.waitFor(d -> d.getCurrentUrl().endsWith("#/pools/" + POOL + "/workers"));
        ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-worker='dash-worker']")).isEmpty());
    }

    @Test
    @Order(4)
    void anotherWindow_countsItsOwnSpan_asTheApiDoes() throws Exception {
        ui.open("#/dashboard");
        ui.click(By.cssSelector("[data-window='1h']"));
        ui.waitFor(d -> d.getCurrentUrl().contains("window=1h"));
        ui.waitFor(d -> ui.text("#activity-title").contains("1 hour"));
        Map<String, String> window = windowOf(ui.attribute("[data-stat='total']", "href"));
        assertThat(Duration.between(Instant.parse(window.get("since")), Instant.parse(window.get("until")))).isEqualTo(Duration.ofHours(1));
        JsonNode activity = activityOfThePage(300);

        assertThat(statValue("total")).isEqualTo(activity.path("total").asText());
        assertThat(browser.findElements(By.cssSelector("svg.chart a[data-bucket]")).stream()
                .mapToInt(e -> Integer.parseInt(e.getAttribute("data-count"))).sum()).isEqualTo(activity.path("total").asInt());
    }

    @Test
    @Order(5)
    void onAPhone_theDashboardDoesNotScrollSideways() throws Exception {
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            ui.open("#/dashboard");
            ui.waitFor(d -> statValue("total").matches("[56]") && !d.findElements(By.cssSelector("[data-card='pools'] tr[data-pool]")).isEmpty());
            assertThat(ui.sidewaysOverflow()).isLessThanOrEqualTo(0);
            ui.screenshot("dashboard-phone");
        } finally {
            browser.manage().window().setSize(new Dimension(1400, 900));
        }
    }

    @Test
    @Order(6)
    void nothingWentWrongInThePage_noScriptErrors_noContentSecurityPolicyViolations() {
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();

        assertThat(errors).isEmpty();
    }

    // ---------- helpers ----------

    private String deploy(String name, String pool) throws Exception {
        return api.call("POST", "/api/deployments", "{\"name\": \"" + name + "\", \"flow_name\": \"etl\", "
                + "\"entrypoint\": \"flows/etl.py:etl\", \"work_pool_name\": \"" + pool + "\"}").path("id").asText();
    }

    /** The worker's heartbeat, and the running run's, so neither times out while the test looks. */
    private void heartbeat() throws Exception {
        api.call("POST", "/api/work_pools/" + POOL + "/workers/heartbeat", "{\"name\": \"dash-worker\"}");
        if (runs.containsKey("RUNNING")) api.call("POST", "/api/flow_runs/" + runs.get("RUNNING") + "/heartbeat", null);
    }

    private void setState(String id, String type, String message) throws Exception {
        api.call("POST", "/api/flow_runs/" + id + "/set_state", "{\"state\": {\"type\": \"" + type + "\""
                + (message == null ? "" : ", \"message\": \"" + message + "\"") + "}}");
    }

    private String statValue(String key) {
        List<WebElement> found = browser.findElements(By.cssSelector("[data-stat='" + key + "'] .stat-value"));
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    private Set<String> rowIds(String css) {
        return browser.findElements(By.cssSelector(css)).stream().map(e -> e.getAttribute("data-run")).collect(Collectors.toSet());
    }

    /** The query a runs-list link carries. */
    private static Map<String, String> windowOf(String href) {
        Map<String, String> window = new HashMap<>();
        for (String pair : href.substring(href.indexOf('?') + 1).split("&")) {
            String[] kv = pair.split("=", 2);
            window.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return window;
    }

    /** What the API counts for the window the dashboard's total links to. */
    private JsonNode activityOfThePage(int bucketSeconds) throws Exception {
        Map<String, String> window = windowOf(ui.attribute("[data-stat='total']", "href"));
        return api.call("GET", "/api/flow_runs/activity?since=" + URLEncoder.encode(window.get("since"), StandardCharsets.UTF_8)
                + "&until=" + URLEncoder.encode(window.get("until"), StandardCharsets.UTF_8) + "&bucket_seconds=" + bucketSeconds, null);
    }
}
