package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
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

    @TempDir
    static Path project;

    private FerryJar ferry;
    private Browser ui;
    private WebDriver browser; // ui.driver(), for what a test asks of the page itself
    private Api api;

    @BeforeAll
    void startServerAndBrowser() throws Exception {
        int port = FerryJar.freePort();
        String base = "http://127.0.0.1:" + port;
        ui = Browser.start(base);
        browser = ui.driver();
        api = new Api(base);
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
    }

    @AfterAll
    void stopAll() throws Exception {
        if (ui != null) ui.close();
        if (ferry != null) ferry.close();
    }

    @Test
    @Order(1)
    void createAPool_andSeeItsQueueRed() throws Exception {
        ui.open("#/pools");
        WebElement form = ui.shown(By.id("create-pool"));
        form.findElement(By.name("name")).sendKeys(POOL);
        form.findElement(By.cssSelector("button[type=submit]")).click();

        String row = "tr[data-pool='" + POOL + "']";
        ui.waitFor(d -> ui.text(row).contains("process") && ui.text(row).contains("None"));
        assertThat(ui.text(row)).containsPattern("[0-9a-f-]{36}").contains("NOT_READY");
        ui.screenshot("work-pools");

        ui.click(By.cssSelector(row + " button[aria-label^='Edit the concurrency limit']"));
        WebElement limit = ui.shown(By.cssSelector("input[name=limit]"));
        limit.sendKeys("three", Keys.ENTER);
        assertThat(ui.shown(By.id(limit.getAttribute("id") + "-error")).getText()).contains("whole number").contains("three");
        limit.clear();
        limit.sendKeys("3", Keys.ENTER);
        ui.waitFor(d -> ui.text(row).matches("(?s).*process\\s+[0-9a-f-]{36}\\s+3\\s.*"));

        ui.click(By.cssSelector(row + " button[aria-label='Pause " + POOL + "']"));
        ui.waitFor(d -> "PAUSED".equals(ui.attribute(row + " .status", "data-status")) && ui.text(row).contains("yes"));
        ui.click(By.cssSelector(row + " button[aria-label='Resume " + POOL + "']"));
        ui.waitFor(d -> "NOT_READY".equals(ui.attribute(row + " .status", "data-status")));
        assertThat(Json.tree(ferry.ok("work-pool", "inspect", POOL)).path("concurrency_limit").asInt()).isEqualTo(3);

        ui.click(By.linkText(POOL));
        String status = "tr[data-queue='default'] .status";
        ui.waitFor(d -> "NOT_READY".equals(ui.attribute(status, "data-status")));
        assertThat(ui.attribute(status, "title")).startsWith("NOT_READY: no worker has polled this queue");
        assertThat(ui.text("tr[data-queue='default']")).contains("never");
    }

    @Test
    @Order(2)
    void startAWorker_andSeeTheQueueTurnGreen_andTheWorkerListed() throws Exception {
        ferry.start("worker", "start", "--pool", POOL, "--name", "ui-worker");

        String status = "tr[data-queue='default'] .status";
        ui.waitFor(Duration.ofSeconds(60), d -> "READY".equals(ui.attribute(status, "data-status")));
        assertThat(ui.attribute(status, "title")).startsWith("READY: a worker polled this queue");
        assertThat(ui.text("tr[data-queue='default']")).containsPattern("\\d+ seconds? ago");
        ui.screenshot("work-pool-queues");

        ui.click(By.id("tab-workers"));
        String row = "tr[data-worker='ui-worker']";
        ui.waitFor(d -> ui.text(row).contains("ONLINE"));
        assertThat(ui.text(row)).containsPattern("ui-worker\\s+\\d+ seconds? ago\\s+ONLINE");
        assertThat(ui.attribute(row + " time", "title")).containsPattern("\\(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
        ui.screenshot("work-pool-workers");
    }

    @Test
    @Order(3)
    void customRun_refusesBadValuesByTheField_thenRunsAGoodOne_toCompletedWithLogs() throws Exception {
        ferry.ok("deploy", "flows/my_flow.py:my_flow", "-n", "my-deployment", "-p", POOL);
        // A yearly schedule: shown with its upcoming runs, and none of them fires during the test.
        String deploymentId = Json.tree(ferry.ok("deployment", "inspect", "my-flow/my-deployment")).path("id").asText();
        HttpResponse<String> added = api.send("POST", "/api/deployments/" + deploymentId + "/schedules",
                "{\"cron\": \"0 9 1 1 *\", \"timezone\": \"Europe/Paris\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        ui.open("#/deployments");
        ui.click(By.linkText("my-flow/my-deployment"));
        ui.waitFor(d -> browser.findElement(By.tagName("main")).getText().contains("flows/my_flow.py:my_flow"));
        ui.waitFor(d -> browser.findElements(By.cssSelector("tr[data-upcoming]")).size() == 5);
        assertThat(ui.text("tr[data-schedule]")).contains("cron 0 9 1 1 * (Europe/Paris)").contains("yes");
        assertThat(ui.text("tr[data-upcoming]")).containsPattern("in \\d+ (hours?|days?|months?)");
        ui.screenshot("deployment");
        ui.click(By.linkText("Custom run"));

        WebElement times = ui.shown(By.id("param-times"));
        times.clear();
        times.sendKeys("lots");
        browser.findElement(By.id("param-name")).sendKeys("Marvin");
        new Select(browser.findElement(By.id("param-greeting"))).selectByVisibleText("Hi");
        submit();

        WebElement error = ui.shown(By.id("param-times-error"));
        assertThat(error.getText()).contains("whole number").contains("lots");
        assertThat(times.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(times.getAttribute("aria-describedby")).contains("param-times-error");
        ui.screenshot("custom-run-form");
        assertThat(runs()).as("nothing is sent while a field is wrong").isEmpty();

        // Fixed at the field; now a job variable the pool does not have: refused by the server, shown by that field.
        times.clear();
        times.sendKeys("2");
        browser.findElement(By.id("run-job-variables")).sendKeys("{\"no_such_variable\": 1}");
        submit();
        WebElement serverError = ui.shown(By.id("run-job-variables-error"));
        assertThat(serverError.getText()).contains("no_such_variable");
        assertThat(browser.findElement(By.id("param-times-error")).isDisplayed()).isFalse();
        assertThat(runs()).isEmpty();

        browser.findElement(By.id("run-job-variables")).clear();
        submit();

        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("#/runs/"));
        waitForState("COMPLETED", Duration.ofSeconds(120));
        ui.waitFor(d -> browser.findElement(By.id("logs")).getText().contains("Hi Marvin! (2 of 2)"));
        assertThat(browser.findElement(By.id("logs")).getText()).contains("Hi Marvin! (1 of 2)");
        String timeline = browser.findElement(By.cssSelector(".timeline")).getText();
        assertThat(timeline).contains("Scheduled").contains("Pending").contains("Running").contains("Completed");
        assertThat(ui.text("main")).contains("\"times\": 2").contains("\"name\": \"Marvin\"").contains("ui-worker");
        assertThat(browser.findElement(By.cssSelector("[data-field=infrastructure_id]")).getText()).matches("\\d+");
        ui.screenshot("flow-run");

        JsonNode run = runs().get(0);
        assertThat(run.path("parameters").path("greeting").asText()).isEqualTo("Hi");
        assertThat(run.path("state").path("type").asText()).isEqualTo("COMPLETED");
    }

    @Test
    @Order(4)
    void cancellingALongRun_fromTheUi_endsCancelled() throws Exception {
        ferry.ok("deploy", "flows/slow.py:slow", "-n", "s", "-p", POOL);
        String id = Json.tree(ferry.ok("deployment", "inspect", "slow/s")).path("id").asText();
        ui.open("#/deployments/" + id);
        ui.click(By.xpath("//button[normalize-space()='Pause']"));
        ui.waitFor(d -> ui.text(".toolbar .tag").equals("Paused"));
        assertThat(Json.tree(ferry.ok("deployment", "inspect", "slow/s")).path("paused").asBoolean()).isTrue();
        ui.click(By.xpath("//button[normalize-space()='Resume']"));
        ui.waitFor(d -> ui.text(".toolbar .tag").equals("Active"));
        ui.click(By.xpath("//button[normalize-space()='Quick run']"));
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("#/runs/"));
        ui.waitFor(Duration.ofSeconds(60), d -> browser.findElement(By.id("logs")).getText().contains("started"));
        waitForState("RUNNING", Duration.ofSeconds(10));

        ui.click(By.xpath("//button[normalize-space()='Cancel']"));

        waitForState("CANCELLED", Duration.ofSeconds(60));
        assertThat(browser.findElement(By.cssSelector(".timeline")).getText()).contains("Cancelling").contains("Cancelled");
        ui.waitFor(d -> !browser.findElements(By.xpath("//button[normalize-space()='Retry']")).isEmpty());
    }

    @Test
    @Order(5)
    void theRunsList_filtersByState() throws Exception {
        ui.open("#/runs");
        ui.waitFor(d -> browser.findElements(By.cssSelector("tr[data-run]")).size() == 2);
        new Select(ui.shown(By.name("state"))).selectByValue("COMPLETED");

        ui.waitFor(d -> browser.findElements(By.cssSelector("tr[data-run]")).size() == 1);
        assertThat(ui.text("tr[data-run]")).contains("my-flow/my-deployment").contains("Completed");
        assertThat(browser.getCurrentUrl()).endsWith("#/runs?state=COMPLETED");
        ui.screenshot("flow-runs");
    }

    @Test
    @Order(6)
    void aRunStartingLater_isScheduled_andComingUpOnItsPool() throws Exception {
        String id = Json.tree(ferry.ok("deployment", "inspect", "my-flow/my-deployment")).path("id").asText();
        ui.open("#/deployments/" + id + "/run");
        ui.shown(By.id("param-name")).sendKeys("Later");
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

        ui.open("#/pools/" + POOL + "/runs");
        ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-upcoming] a[href='#/runs/" + runId + "']")).isEmpty());
        assertThat(ui.text("tr[data-upcoming]")).containsPattern("in (1 hour|2 hours|1\\d\\d minutes)").contains("my-flow/my-deployment");
        ui.screenshot("work-pool-runs");
        ferry.ok("flow-run", "cancel", runId);
    }

    @Test
    @Order(7)
    void onANarrowScreen_thePageDoesNotScrollSideways() throws Exception {
        browser.manage().window().setSize(new Dimension(375, 812));
        try {
            ui.open("#/pools/" + POOL + "/workers");
            ui.waitFor(d -> ui.text("tr[data-worker='ui-worker']").contains("ui-worker"));
            long overflow = ui.sidewaysOverflow();
            assertThat(overflow).isLessThanOrEqualTo(0);
            ui.screenshot("work-pool-narrow");
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

    private void submit() {
        browser.findElement(By.cssSelector("form.run-form button[type=submit]")).click();
    }

    private void waitForState(String type, Duration timeout) {
        ui.waitFor(timeout, d -> type.equals(ui.attribute(".toolbar .state", "data-state")));
    }

    private List<JsonNode> runs() throws Exception {
        HttpResponse<String> answer = api.send("GET", "/api/flow_runs?deployment_id="
                + Json.tree(ferry.ok("deployment", "inspect", "my-flow/my-deployment")).path("id").asText(), null);
        assertThat(answer.statusCode()).isEqualTo(200);
        List<JsonNode> items = new java.util.ArrayList<>();
        Json.tree(answer.body()).path("items").forEach(items::add);
        return items;
    }
}
