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
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser (Debian's headless Chromium through its chromedriver) against the
 * real embedded server and a real worker, all from the packaged jar: what issue #7 asks people to
 * be able to do, asserted on what the page shows.
 *
 * <p>Screenshots of the main pages go to {@code target/ui-screenshots}, and also to the folder
 * named by {@code -Dferry.screenshots} (the README's are made with {@code -Dferry.screenshots=../docs/ui}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiE2ETest {
    private static final String POOL = "ui-pool";
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("ferry.chromedriver", "/usr/bin/chromedriver"));
    private static final Path CHROMIUM = Path.of(System.getProperty("ferry.chromium", "/usr/bin/chromium"));

    @TempDir
    static Path project;

    private FerryJar ferry;
    private WebDriver browser;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void startServerAndBrowser() throws Exception {
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
        Files.createDirectories(project.resolve("flows"));
        Files.writeString(project.resolve("flows/my_flow.py"), """
                from typing import Literal

                def my_flow(name: str, times: int = 1, greeting: Literal["Hello", "Hi"] = "Hello"):
                    for i in range(times):
                        print(f"{greeting} {name}! ({i + 1} of {times})")
                """);
        Files.writeString(project.resolve("flows/slow.py"), """
                import time

                def slow(seconds: int = 300):
                    print("started", flush=True)
                    time.sleep(seconds)
                """);
        FerryJar.Background server = ferry.start("server", "start", "--port", String.valueOf(port), "--data",
                project.resolve("data").toString());
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> server.output().contains("Ferry server listening on " + base));

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
    void createAPool_andSeeItsQueueRed() throws Exception {
        open("#/pools");
        WebElement form = shown(By.id("create-pool"));
        form.findElement(By.name("name")).sendKeys(POOL);
        form.findElement(By.cssSelector("button[type=submit]")).click();

        String row = "tr[data-pool='" + POOL + "']";
        waitFor(d -> text(row).contains("process") && text(row).contains("None"));
        assertThat(text(row)).containsPattern("[0-9a-f-]{36}").contains("NOT_READY");
        screenshot("work-pools");

        click(By.cssSelector(row + " button[aria-label^='Edit the concurrency limit']"));
        WebElement limit = shown(By.cssSelector("input[name=limit]"));
        limit.sendKeys("three", Keys.ENTER);
        assertThat(shown(By.id(limit.getAttribute("id") + "-error")).getText()).contains("whole number").contains("three");
        limit.clear();
        limit.sendKeys("3", Keys.ENTER);
        waitFor(d -> text(row).matches("(?s).*process\\s+[0-9a-f-]{36}\\s+3\\s.*"));

        click(By.cssSelector(row + " button[aria-label='Pause " + POOL + "']"));
        waitFor(d -> "PAUSED".equals(attribute(row + " .status", "data-status")) && text(row).contains("yes"));
        click(By.cssSelector(row + " button[aria-label='Resume " + POOL + "']"));
        waitFor(d -> "NOT_READY".equals(attribute(row + " .status", "data-status")));
        assertThat(Json.tree(ferry.ok("work-pool", "inspect", POOL)).path("concurrency_limit").asInt()).isEqualTo(3);

        click(By.linkText(POOL));
        String status = "tr[data-queue='default'] .status";
        waitFor(d -> "NOT_READY".equals(attribute(status, "data-status")));
        assertThat(attribute(status, "title")).startsWith("NOT_READY: no worker has polled this queue");
        assertThat(text("tr[data-queue='default']")).contains("never");
    }

    @Test
    @Order(2)
    void startAWorker_andSeeTheQueueTurnGreen_andTheWorkerListed() throws Exception {
        ferry.start("worker", "start", "--pool", POOL, "--name", "ui-worker");

        String status = "tr[data-queue='default'] .status";
        new WebDriverWait(browser, Duration.ofSeconds(60)).ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class)
                .until(d -> "READY".equals(attribute(status, "data-status")));
        assertThat(attribute(status, "title")).startsWith("READY: a worker polled this queue");
        assertThat(text("tr[data-queue='default']")).containsPattern("\\d+ seconds? ago");
        screenshot("work-pool-queues");

        click(By.id("tab-workers"));
        String row = "tr[data-worker='ui-worker']";
        waitFor(d -> text(row).contains("ONLINE"));
        assertThat(text(row)).containsPattern("ui-worker\\s+\\d+ seconds? ago\\s+ONLINE");
        assertThat(attribute(row + " time", "title")).containsPattern("\\(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
        screenshot("work-pool-workers");
    }

    @Test
    @Order(3)
    void customRun_refusesBadValuesByTheField_thenRunsAGoodOne_toCompletedWithLogs() throws Exception {
        ferry.ok("deploy", "flows/my_flow.py:my_flow", "-n", "my-deployment", "-p", POOL);
        // A yearly schedule: shown with its upcoming runs, and none of them fires during the test.
        String deploymentId = Json.tree(ferry.ok("deployment", "inspect", "my-flow/my-deployment")).path("id").asText();
        HttpResponse<String> added = http.send(HttpRequest.newBuilder(URI.create(base + "/api/deployments/" + deploymentId + "/schedules"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"cron\": \"0 9 1 1 *\", \"timezone\": \"Europe/Paris\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        open("#/deployments");
        click(By.linkText("my-flow/my-deployment"));
        waitFor(d -> browser.findElement(By.tagName("main")).getText().contains("flows/my_flow.py:my_flow"));
        waitFor(d -> browser.findElements(By.cssSelector("tr[data-upcoming]")).size() == 5);
        assertThat(text("tr[data-schedule]")).contains("cron 0 9 1 1 * (Europe/Paris)").contains("yes");
        assertThat(text("tr[data-upcoming]")).containsPattern("in \\d+ (hours?|days?|months?)");
        screenshot("deployment");
        click(By.linkText("Custom run"));

        WebElement times = shown(By.id("param-times"));
        times.clear();
        times.sendKeys("lots");
        browser.findElement(By.id("param-name")).sendKeys("Marvin");
        new Select(browser.findElement(By.id("param-greeting"))).selectByVisibleText("Hi");
        submit();

        WebElement error = shown(By.id("param-times-error"));
        assertThat(error.getText()).contains("whole number").contains("lots");
        assertThat(times.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(times.getAttribute("aria-describedby")).contains("param-times-error");
        screenshot("custom-run-form");
        assertThat(runs()).as("nothing is sent while a field is wrong").isEmpty();

        // Fixed at the field; now a job variable the pool does not have: refused by the server, shown by that field.
        times.clear();
        times.sendKeys("2");
        browser.findElement(By.id("run-job-variables")).sendKeys("{\"no_such_variable\": 1}");
        submit();
        WebElement serverError = shown(By.id("run-job-variables-error"));
        assertThat(serverError.getText()).contains("no_such_variable");
        assertThat(browser.findElement(By.id("param-times-error")).isDisplayed()).isFalse();
        assertThat(runs()).isEmpty();

        browser.findElement(By.id("run-job-variables")).clear();
        submit();

        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("#/runs/"));
        waitForState("COMPLETED", Duration.ofSeconds(120));
        waitFor(d -> browser.findElement(By.id("logs")).getText().contains("Hi Marvin! (2 of 2)"));
        assertThat(browser.findElement(By.id("logs")).getText()).contains("Hi Marvin! (1 of 2)");
        String timeline = browser.findElement(By.cssSelector(".timeline")).getText();
        assertThat(timeline).contains("Scheduled").contains("Pending").contains("Running").contains("Completed");
        assertThat(text("main")).contains("\"times\": 2").contains("\"name\": \"Marvin\"").contains("ui-worker");
        assertThat(browser.findElement(By.cssSelector("[data-field=infrastructure_id]")).getText()).matches("\\d+");
        screenshot("flow-run");

        JsonNode run = runs().get(0);
        assertThat(run.path("parameters").path("greeting").asText()).isEqualTo("Hi");
        assertThat(run.path("state").path("type").asText()).isEqualTo("COMPLETED");
    }

    @Test
    @Order(4)
    void cancellingALongRun_fromTheUi_endsCancelled() throws Exception {
        ferry.ok("deploy", "flows/slow.py:slow", "-n", "s", "-p", POOL);
        String id = Json.tree(ferry.ok("deployment", "inspect", "slow/s")).path("id").asText();
        open("#/deployments/" + id);
        click(By.xpath("//button[normalize-space()='Pause']"));
        waitFor(d -> text(".toolbar .tag").equals("Paused"));
        assertThat(Json.tree(ferry.ok("deployment", "inspect", "slow/s")).path("paused").asBoolean()).isTrue();
        click(By.xpath("//button[normalize-space()='Resume']"));
        waitFor(d -> text(".toolbar .tag").equals("Active"));
        click(By.xpath("//button[normalize-space()='Quick run']"));
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("#/runs/"));
        waitFor(Duration.ofSeconds(60), d -> browser.findElement(By.id("logs")).getText().contains("started"));
        waitForState("RUNNING", Duration.ofSeconds(10));

        click(By.xpath("//button[normalize-space()='Cancel']"));

        waitForState("CANCELLED", Duration.ofSeconds(60));
        assertThat(browser.findElement(By.cssSelector(".timeline")).getText()).contains("Cancelling").contains("Cancelled");
        waitFor(d -> !browser.findElements(By.xpath("//button[normalize-space()='Retry']")).isEmpty());
    }

    @Test
    @Order(5)
    void theRunsList_filtersByState() throws Exception {
        open("#/runs");
        waitFor(d -> browser.findElements(By.cssSelector("tr[data-run]")).size() == 2);
        new Select(shown(By.name("state"))).selectByValue("COMPLETED");

        waitFor(d -> browser.findElements(By.cssSelector("tr[data-run]")).size() == 1);
        assertThat(text("tr[data-run]")).contains("my-flow/my-deployment").contains("Completed");
        assertThat(browser.getCurrentUrl()).endsWith("#/runs?state=COMPLETED");
        screenshot("flow-runs");
    }

    @Test
    @Order(6)
    void aRunStartingLater_isScheduled_andComingUpOnItsPool() throws Exception {
        String id = Json.tree(ferry.ok("deployment", "inspect", "my-flow/my-deployment")).path("id").asText();
        open("#/deployments/" + id + "/run");
        shown(By.id("param-name")).sendKeys("Later");
        // datetime-local takes the browser's local time; two hours from now, to the minute
        ((JavascriptExecutor) browser).executeScript("const d = new Date(Date.now() + 2 * 3600e3); d.setSeconds(0, 0);"
                + "arguments[0].value = new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);",
                browser.findElement(By.id("run-start")));
        submit();

        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("#/runs/"));
        waitForState("SCHEDULED", Duration.ofSeconds(10));
        String runId = browser.getCurrentUrl().replaceAll(".*#/runs/", "");
        JsonNode run = Json.tree(ferry.ok("flow-run", "inspect", runId));
        long minutes = Duration.between(java.time.Instant.now(), java.time.Instant.parse(run.path("scheduled_start_time").asText())).toMinutes();
        assertThat(minutes).isBetween(115L, 120L);

        open("#/pools/" + POOL + "/runs");
        waitFor(d -> !d.findElements(By.cssSelector("tr[data-upcoming] a[href='#/runs/" + runId + "']")).isEmpty());
        assertThat(text("tr[data-upcoming]")).containsPattern("in (1 hour|2 hours|1\\d\\d minutes)").contains("my-flow/my-deployment");
        screenshot("work-pool-runs");
        ferry.ok("flow-run", "cancel", runId);
    }

    @Test
    @Order(7)
    void onANarrowScreen_thePageDoesNotScrollSideways() throws Exception {
        browser.manage().window().setSize(new Dimension(375, 812));
        try {
            open("#/pools/" + POOL + "/workers");
            waitFor(d -> text("tr[data-worker='ui-worker']").contains("ui-worker"));
            long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertThat(overflow).isLessThanOrEqualTo(0);
            screenshot("work-pool-narrow");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    @Test
    @Order(8)
    void nothingWentWrongInThePage_noScriptErrors_noContentSecurityPolicyViolations() {
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                // the API's refusals the tests provoke (422 for a bad job variable) are logged by the browser as such
                .filter(m -> !m.contains("Failed to load resource: the server responded with a status of 4"))
                .toList();

        assertThat(errors).isEmpty();
    }

    // ---------- helpers ----------

    private void open(String hash) {
        browser.get(base + "/" + hash);
        waitFor(d -> !d.findElements(By.cssSelector("main h1")).isEmpty());
    }

    private void submit() {
        browser.findElement(By.cssSelector("form.run-form button[type=submit]")).click();
    }

    private void waitForState(String type, Duration timeout) {
        waitFor(timeout, d -> type.equals(attribute(".toolbar .state", "data-state")));
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

    private List<JsonNode> runs() throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/api/flow_runs?deployment_id="
                + Json.tree(ferry.ok("deployment", "inspect", "my-flow/my-deployment")).path("id").asText())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        List<JsonNode> items = new java.util.ArrayList<>();
        Json.tree(answer.body()).path("items").forEach(items::add);
        return items;
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
