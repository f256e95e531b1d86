package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The events and automations pages in a real browser against the packaged jar's embedded server,
 * its automations engine included: a run of one deployment is cancelled, an automation runs
 * another deployment because of it, and the pages show the events, the firing with the run it
 * made, and the near miss of an event that was expected but did not count. No worker is needed:
 * runs that are scheduled and cancelled emit the events.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiTriggersE2ETest {
    private static final String POOL = "trigger-pool";
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("ferry.chromedriver", "/usr/bin/chromedriver"));
    private static final Path CHROMIUM = Path.of(System.getProperty("ferry.chromium", "/usr/bin/chromium"));

    @TempDir
    static Path project;

    private FerryJar ferry;
    private WebDriver browser;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private String load; // etl/load: its cancelled runs trigger report-after-load
    private String report; // report/nightly: what report-after-load runs
    private String firstRun;

    @BeforeAll
    void startServerAndBrowser_withTwoDeploymentsAndTheirAutomations() throws Exception {
        boolean installed = Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
        if (!installed && System.getenv("CI") != null) {
            throw new AssertionError(CHROMIUM + " and " + CHROMEDRIVER + " are needed; .ci/run installs them (apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(installed, "no " + CHROMIUM + " / " + CHROMEDRIVER + ": apt-get install chromium chromium-driver");

        int port = FerryJar.freePort();
        base = "http://127.0.0.1:" + port;
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_API_URL", base);
        env.put("FERRY_HOME", project.resolve("ferry-home").toString());
        ferry = new FerryJar(project, env);
        FerryJar.Background server = ferry.start("server", "start", "--port", String.valueOf(port), "--data",
                project.resolve("data").toString());
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> server.output().contains("Ferry server listening on " + base));

        call("POST", "/api/work_pools", "{\"name\": \"" + POOL + "\", \"type\": \"process\"}");
        load = call("POST", "/api/deployments", deployment("etl", "load")).path("id").asText();
        report = call("POST", "/api/deployments", deployment("report", "nightly")).path("id").asText();
        call("POST", "/api/automations", """
                {"name": "report-after-load", "description": "Run the report each time a load is cancelled",
                 "trigger": {"type": "event", "expect": ["ferry.flow-run.Cancelled"],
                             "match_related": {"ferry.resource.role": "deployment", "ferry.resource.name": "etl/load"}},
                 "actions": [{"type": "run-deployment", "deployment_name": "report/nightly"}]}""");
        call("POST", "/api/automations", """
                {"name": "load-is-late",
                 "trigger": {"type": "event", "posture": "Proactive", "expect": ["ferry.flow-run.Completed"],
                             "match_related": {"ferry.resource.role": "deployment", "ferry.resource.id": "ferry.deployment.%s"},
                             "within": 3600},
                 "actions": [{"type": "pause-deployment", "deployment_name": "etl/load"}]}""".formatted(load));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--force-device-scale-factor=1", "--lang=en-US");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stopAll() throws Exception {
        if (browser != null) browser.quit();
        if (ferry != null) ferry.close();
    }

    @Test
    @Order(1)
    void theEventsPage_listsARunsEvents_andLiveTailsANewOne_keepingFiltersAndOpenedRows() throws Exception {
        firstRun = call("POST", "/api/deployments/" + load + "/create_flow_run", "{}").path("id").asText();
        open("#/events");
        WebElement name = shown(By.name("event"));
        name.sendKeys("ferry.flow-run.*", Keys.ENTER);

        String scheduled = "li[data-name='ferry.flow-run.Scheduled']:has(a[href='#/runs/" + firstRun + "'])";
        waitFor(d -> !d.findElements(By.cssSelector(scheduled)).isEmpty());
        assertThat(browser.getCurrentUrl()).endsWith("#/events?event=ferry.flow-run.*");
        assertThat(browser.findElements(By.cssSelector("li[data-name^='ferry.deployment.']"))).as("filtered out").isEmpty();
        assertThat(attribute(scheduled + " .event-head > time", "title")).containsPattern("\\(\\d{4}-\\d\\d-\\d\\dT");
        WebElement chip = browser.findElement(By.cssSelector(scheduled + " .chip a[href='#/deployments/" + load + "']"));
        assertThat(chip.getText()).isEqualTo("deployment etl/load");
        click(By.cssSelector(scheduled + " summary"));
        waitFor(d -> text(scheduled + " details").contains("\"ferry.resource.role\": \"work-pool\""));
        assertThat(text(scheduled + " details")).contains("Payload").contains("\"ferry.resource.id\": \"ferry.flow-run." + firstRun + "\"");

        click(By.id("live"));
        ((JavascriptExecutor) browser).executeScript("window.ferryNoReload = true;");
        call("POST", "/api/flow_runs/" + firstRun + "/cancel", null);

        String cancelled = "li[data-name='ferry.flow-run.Cancelled'] a[href='#/runs/" + firstRun + "']";
        waitFor(Duration.ofSeconds(20), d -> !d.findElements(By.cssSelector(cancelled)).isEmpty());
        assertThat((Boolean) ((JavascriptExecutor) browser).executeScript("return window.ferryNoReload === true;")).isTrue();
        assertThat(browser.findElement(By.cssSelector("ol.events > li")).getAttribute("data-name"))
                .as("the newest on top").startsWith("ferry.flow-run.");
        assertThat(browser.findElement(By.cssSelector(scheduled + " details")).getAttribute("open")).as("still open").isNotNull();
        assertThat(browser.findElement(By.name("event")).getAttribute("value")).isEqualTo("ferry.flow-run.*");
        assertThat(browser.getCurrentUrl()).endsWith("#/events?event=ferry.flow-run.*&live=1");
        // The automation's own events (ferry.automation.triggered) arrive too, but the filter still holds.
        waitFor(d -> !d.findElements(By.cssSelector("li[data-name='ferry.flow-run.Scheduled'] a[href='#/deployments/" + report + "']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("li[data-name^='ferry.automation.']"))).isEmpty();
        assertThat(text("main")).doesNotEndWith("null");
        screenshot("events");
    }

    @Test
    @Order(2)
    void theAutomationsPage_summarisesEachTrigger_andPausesAndResumes() throws Exception {
        open("#/automations");
        String row = "tr[data-automation='report-after-load']";
        waitFor(d -> text(row).matches("(?s).*\\d+ seconds? ago.*"));
        assertThat(text(row)).contains("Enabled").contains("ferry.flow-run.Cancelled ×1").contains("run-deployment");
        assertThat(text("tr[data-automation='load-is-late']"))
                .contains("Proactive: fewer than 1 ferry.flow-run.Completed within 1 hour").contains("pause-deployment")
                .contains("not recently");
        screenshot("automations");

        click(By.cssSelector(row + " button[aria-label='Pause report-after-load']"));
        waitFor(d -> text(row).contains("Paused"));
        assertThat(call("GET", "/api/automations/name/report-after-load", null).path("enabled").asBoolean()).isFalse();
        click(By.cssSelector(row + " button[aria-label='Resume report-after-load']"));
        waitFor(d -> text(row).contains("Enabled"));
        assertThat(call("GET", "/api/automations/name/report-after-load", null).path("enabled").asBoolean()).isTrue();
    }

    @Test
    @Order(3)
    void theAutomationPage_showsTheFiringWithTheRunItMade_andANearMissWithTheLabelThatDiffered() throws Exception {
        open("#/automations");
        click(By.linkText("report-after-load"));
        String action = "tr[data-firing] li[data-status='ok']";
        waitFor(d -> !d.findElements(By.cssSelector(action + " a[href^='#/runs/']")).isEmpty());
        String made = attribute(action + " a", "href").replaceAll(".*#/runs/", "");
        JsonNode run = call("GET", "/api/flow_runs/" + made, null);
        assertThat(run.path("deployment_id").asText()).isEqualTo(report);
        assertThat(text("tr[data-firing]")).contains("run-deployment").contains("1/1");
        assertThat(text("main")).contains("Run the report each time a load is cancelled").contains("\"deployment_name\": \"report/nightly\"");
        assertThat(browser.findElements(By.cssSelector("tr[data-outcome='fired']"))).isNotEmpty();

        // A cancelled run of the other deployment was expected (ferry.flow-run.Cancelled) but did not count.
        call("POST", "/api/flow_runs/" + made + "/cancel", null);
        String miss = "tr.near-miss[data-outcome='near_miss']";
        waitFor(Duration.ofSeconds(20), d -> !d.findElements(By.cssSelector(miss)).isEmpty());
        assertThat(text(miss)).contains("ferry.flow-run.Cancelled").contains("near miss").contains("report/nightly");
        assertThat(browser.findElement(By.cssSelector(miss + " td")).getCssValue("box-shadow")).as("it stands out").contains("inset");
        String detail = text(miss + " td.detail");
        assertThat(detail).as(detail).contains("ferry.resource.name");
        screenshot("automation");

        click(By.linkText("the run it made"));
        waitFor(d -> d.getCurrentUrl().endsWith("#/runs/" + made));
    }

    @Test
    @Order(4)
    void aProactiveAutomation_showsItsOpenWindow_andDeletingAsksFirst() throws Exception {
        String id = call("GET", "/api/automations/name/load-is-late", null).path("id").asText();
        open("#/automations/" + id);
        // A proactive trigger without `after` keeps a window open from its creation: it fires if the hour passes.
        String window = "tr[data-window='t']";
        waitFor(d -> text(window).matches("(?s)trigger\\s+—\\s+0/1\\s+\\d+ seconds? ago\\s+in (59|60) minutes"));
        assertThat(attribute(window + " td:last-child time", "title")).containsPattern("\\(\\d{4}-");

        String doomed = call("POST", "/api/automations", """
                {"name": "short-lived", "trigger": {"expect": "acme.nothing"}, "actions": [{"type": "cancel-flow-run"}]}""")
                .path("id").asText();
        open("#/automations/" + doomed);
        click(By.xpath("//button[normalize-space()='Delete…']"));
        waitFor(d -> text(".toolbar").contains("Delete short-lived and its history?"));
        click(By.xpath("//button[normalize-space()='Keep it']"));
        waitFor(d -> !d.findElements(By.xpath("//button[normalize-space()='Delete…']")).isEmpty());
        click(By.xpath("//button[normalize-space()='Delete…']"));
        click(By.xpath("//button[normalize-space()='Delete']"));
        waitFor(d -> d.getCurrentUrl().endsWith("#/automations"));
        waitFor(d -> !d.findElements(By.cssSelector("tr[data-automation='load-is-late']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("tr[data-automation='short-lived']"))).isEmpty();
        assertThat(send("GET", "/api/automations/" + doomed, null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void theDeploymentPage_listsTheAutomationsThatActOnOrWatchIt() throws Exception {
        open("#/deployments/" + load);
        String watcher = "section[aria-labelledby='triggers-title'] tr[data-automation='report-after-load']";
        waitFor(d -> !d.findElements(By.cssSelector(watcher)).isEmpty());
        assertThat(text(watcher)).contains("watches it").contains("ferry.flow-run.Cancelled ×1");
        String late = "section[aria-labelledby='triggers-title'] tr[data-automation='load-is-late']";
        assertThat(text(late)).contains("watches it; pause-deployment on it");
        screenshot("deployment-triggers");

        open("#/deployments/" + report);
        String runner = "section[aria-labelledby='triggers-title'] tr[data-automation='report-after-load']";
        waitFor(d -> !d.findElements(By.cssSelector(runner)).isEmpty());
        assertThat(text(runner)).contains("run-deployment on it").doesNotContain("watches");
        assertThat(browser.findElements(By.cssSelector("section[aria-labelledby='triggers-title'] tr[data-automation='load-is-late']"))).isEmpty();
        click(By.cssSelector(runner + " a"));
        waitFor(d -> text("main h1").equals("report-after-load"));
    }

    @Test
    @Order(6)
    void onANarrowScreen_theEventsAndAutomationPagesDoNotScrollSideways() throws Exception {
        browser.manage().window().setSize(new Dimension(375, 812));
        try {
            open("#/events");
            waitFor(d -> !d.findElements(By.cssSelector("ol.events > li")).isEmpty());
            assertThat(sidewaysOverflow()).isLessThanOrEqualTo(0);
            open("#/automations/" + call("GET", "/api/automations/name/report-after-load", null).path("id").asText());
            waitFor(d -> !d.findElements(By.cssSelector("tr[data-firing]")).isEmpty());
            assertThat(sidewaysOverflow()).isLessThanOrEqualTo(0);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    @Test
    @Order(7)
    void nothingWentWrongInThePage_noScriptErrors_noContentSecurityPolicyViolations() {
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();

        assertThat(errors).isEmpty();
    }

    // ---------- helpers ----------

    private static String deployment(String flow, String name) {
        return "{\"flow_name\": \"" + flow + "\", \"name\": \"" + name + "\", \"entrypoint\": \"flows/" + flow + ".py:" + flow
                + "\", \"work_pool_name\": \"" + POOL + "\"}";
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode call(String method, String path, String body) throws Exception {
        HttpResponse<String> answer = send(method, path, body);
        assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isBetween(200, 299);
        return answer.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.tree(answer.body());
    }

    private long sidewaysOverflow() {
        return (Long) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    }

    private void open(String hash) {
        browser.get(base + "/" + hash);
        waitFor(d -> !d.findElements(By.cssSelector("main h1")).isEmpty());
    }

    private WebElement shown(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(NoSuchElementException.class)
                .until(d -> {
                    WebElement e = d.findElement(by);
                    return e.isDisplayed() ? e : null;
                });
    }

    /** Clicks what may be re-drawn by a refresh between finding it and clicking it. */
    private void click(By by) {
        new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class).until(d -> {
                    d.findElement(by).click();
                    return true;
                });
    }

    private void waitFor(Function<WebDriver, Boolean> condition) {
        waitFor(Duration.ofSeconds(15), condition);
    }

    private void waitFor(Duration timeout, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(browser, timeout).ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class).until(condition);
    }

    private String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    private String attribute(String css, String name) {
        return browser.findElement(By.cssSelector(css)).getAttribute(name);
    }

    /** The whole page, not just the window (through the DevTools protocol, which can capture beyond the viewport). */
    @SuppressWarnings("unchecked")
    private void screenshot(String name) throws Exception {
        ChromeDriver chrome = (ChromeDriver) browser;
        Map<String, Object> size = (Map<String, Object>) chrome.executeCdpCommand("Page.getLayoutMetrics", Map.of())
                .get("cssContentSize");
        double width = ((Number) size.get("width")).doubleValue();
        double height = Math.min(((Number) size.get("height")).doubleValue(), 2400);
        Map<String, Object> shot = chrome.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        byte[] png = Base64.getDecoder().decode((String) shot.get("data"));
        Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/ui-screenshots");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), png);
        String docs = System.getProperty("ferry.screenshots");
        if (docs != null && !docs.isBlank()) {
            Path out = Path.of(docs).toAbsolutePath();
            Files.createDirectories(out);
            Files.write(out.resolve(name + ".png"), png);
        }
    }
}
