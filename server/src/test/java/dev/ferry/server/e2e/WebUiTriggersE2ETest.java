package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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

    @TempDir
    static Path project;

    private FerryJar ferry;
    private Browser ui;
    private WebDriver browser; // ui.driver(), for what a test asks of the page itself
    private Api api;
    private String load; // etl/load: its cancelled runs trigger report-after-load
    private String report; // report/nightly: what report-after-load runs
    private String firstRun;

    @BeforeAll
    void startServerAndBrowser_withTwoDeploymentsAndTheirAutomations() throws Exception {
        int port = FerryJar.freePort();
        String base = "http://127.0.0.1:" + port;
        ui = Browser.start(base);
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

        api.call("POST", "/api/work_pools", "{\"name\": \"" + POOL + "\", \"type\": \"process\"}");
        load = api.call("POST", "/api/deployments", deployment("etl", "load")).path("id").asText();
        report = api.call("POST", "/api/deployments", deployment("report", "nightly")).path("id").asText();
        api.call("POST", "/api/automations", """
                {"name": "report-after-load", "description": "Run the report each time a load is cancelled",
                 "trigger": {"type": "event", "expect": ["ferry.flow-run.Cancelled"],
                             "match_related": {"ferry.resource.role": "deployment", "ferry.resource.name": "etl/load"}},
                 "actions": [{"type": "run-deployment", "deployment_name": "report/nightly"}]}""");
        api.call("POST", "/api/automations", """
                {"name": "load-is-late",
                 "trigger": {"type": "event", "posture": "Proactive", "expect": ["ferry.flow-run.Completed"],
                             "match_related": {"ferry.resource.role": "deployment", "ferry.resource.id": "ferry.deployment.%s"},
                             "within": 3600},
                 "actions": [{"type": "pause-deployment", "deployment_name": "etl/load"}]}""".formatted(load));
    }

    @AfterAll
    void stopAll() throws Exception {
        if (ui != null) ui.close();
        if (ferry != null) ferry.close();
    }

    @Test
    @Order(1)
    void theEventsPage_listsARunsEvents_andLiveTailsANewOne_keepingFiltersAndOpenedRows() throws Exception {
        firstRun = api.call("POST", "/api/deployments/" + load + "/create_flow_run", "{}").path("id").asText();
        ui.open("#/events");
        WebElement name = ui.shown(By.name("event"));
        name.sendKeys("ferry.flow-run.*", Keys.ENTER);

        String scheduled = "li[data-name='ferry.flow-run.Scheduled']:has(a[href='#/runs/" + firstRun + "'])";
        ui.waitFor(d -> !d.findElements(By.cssSelector(scheduled)).isEmpty());
        assertThat(browser.getCurrentUrl()).endsWith("#/events?event=ferry.flow-run.*");
        assertThat(browser.findElements(By.cssSelector("li[data-name^='ferry.deployment.']"))).as("filtered out").isEmpty();
        assertThat(ui.attribute(scheduled + " .event-head > time", "title")).containsPattern("\\(\\d{4}-\\d\\d-\\d\\dT");
        WebElement chip = browser.findElement(By.cssSelector(scheduled + " .chip a[href='#/deployments/" + load + "']"));
        assertThat(chip.getText()).isEqualTo("deployment etl/load");
        ui.click(By.cssSelector(scheduled + " summary"));
        ui.waitFor(d -> ui.text(scheduled + " details").contains("\"ferry.resource.role\": \"work-pool\""));
        assertThat(ui.text(scheduled + " details")).contains("Payload").contains("\"ferry.resource.id\": \"ferry.flow-run." + firstRun + "\"");

        ui.click(By.id("live"));
        ((JavascriptExecutor) browser).executeScript("window.ferryNoReload = true;");
        api.call("POST", "/api/flow_runs/" + firstRun + "/cancel", null);

        String cancelled = "li[data-name='ferry.flow-run.Cancelled'] a[href='#/runs/" + firstRun + "']";
        ui.waitFor(Duration.ofSeconds(20), d -> !d.findElements(By.cssSelector(cancelled)).isEmpty());
        assertThat((Boolean) ((JavascriptExecutor) browser).executeScript("return window.ferryNoReload === true;")).isTrue();
        assertThat(browser.findElement(By.cssSelector("ol.events > li")).getAttribute("data-name"))
                .as("the newest on top").startsWith("ferry.flow-run.");
        assertThat(browser.findElement(By.cssSelector(scheduled + " details")).getAttribute("open")).as("still open").isNotNull();
        assertThat(browser.findElement(By.name("event")).getAttribute("value")).isEqualTo("ferry.flow-run.*");
        assertThat(browser.getCurrentUrl()).endsWith("#/events?event=ferry.flow-run.*&live=1");
        // The automation's own events (ferry.automation.triggered) arrive too, but the filter still holds.
        ui.waitFor(d -> !d.findElements(By.cssSelector("li[data-name='ferry.flow-run.Scheduled'] a[href='#/deployments/" + report + "']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("li[data-name^='ferry.automation.']"))).isEmpty();
        assertThat(ui.text("main")).doesNotEndWith("null");
        ui.screenshot("events");
    }

    @Test
    @Order(2)
    void theAutomationsPage_summarisesEachTrigger_andPausesAndResumes() throws Exception {
        ui.open("#/automations");
        String row = "tr[data-automation='report-after-load']";
        ui.waitFor(d -> ui.text(row).matches("(?s).*\\d+ seconds? ago.*"));
        assertThat(ui.text(row)).contains("Enabled").contains("ferry.flow-run.Cancelled ×1").contains("run-deployment");
        assertThat(ui.text("tr[data-automation='load-is-late']"))
                .contains("Proactive: fewer than 1 ferry.flow-run.Completed within 1 hour").contains("pause-deployment")
                .contains("not recently");
        ui.screenshot("automations");

        ui.click(By.cssSelector(row + " button[aria-label='Pause report-after-load']"));
        ui.waitFor(d -> ui.text(row).contains("Paused"));
        assertThat(api.call("GET", "/api/automations/name/report-after-load", null).path("enabled").asBoolean()).isFalse();
        ui.click(By.cssSelector(row + " button[aria-label='Resume report-after-load']"));
        ui.waitFor(d -> ui.text(row).contains("Enabled"));
        assertThat(api.call("GET", "/api/automations/name/report-after-load", null).path("enabled").asBoolean()).isTrue();
    }

    @Test
    @Order(3)
    void theAutomationPage_showsTheFiringWithTheRunItMade_andANearMissWithTheLabelThatDiffered() throws Exception {
        ui.open("#/automations");
        ui.click(By.linkText("report-after-load"));
        String action = "tr[data-firing] li[data-status='ok']";
        ui.waitFor(d -> !d.findElements(By.cssSelector(action + " a[href^='#/runs/']")).isEmpty());
        String made = ui.attribute(action + " a", "href").replaceAll(".*#/runs/", "");
        JsonNode run = api.call("GET", "/api/flow_runs/" + made, null);
        assertThat(run.path("deployment_id").asText()).isEqualTo(report);
        assertThat(ui.text("tr[data-firing]")).contains("run-deployment").contains("1/1");
        assertThat(ui.text("main")).contains("Run the report each time a load is cancelled").contains("\"deployment_name\": \"report/nightly\"");
        assertThat(browser.findElements(By.cssSelector("tr[data-outcome='fired']"))).isNotEmpty();

        // A cancelled run of the other deployment was expected (ferry.flow-run.Cancelled) but did not count.
        api.call("POST", "/api/flow_runs/" + made + "/cancel", null);
        String miss = "tr.near-miss[data-outcome='near_miss']";
        ui.waitFor(Duration.ofSeconds(20), d -> !d.findElements(By.cssSelector(miss)).isEmpty());
        assertThat(ui.text(miss)).contains("ferry.flow-run.Cancelled").contains("near miss").contains("report/nightly");
        assertThat(browser.findElement(By.cssSelector(miss + " td")).getCssValue("box-shadow")).as("it stands out").contains("inset");
        String detail = ui.text(miss + " td.detail");
        assertThat(detail).as(detail).contains("ferry.resource.name");
        ui.screenshot("automation");

        ui.click(By.linkText("the run it made"));
        ui.waitFor(d -> d.getCurrentUrl().endsWith("#/runs/" + made));
    }

    @Test
    @Order(4)
    void aProactiveAutomation_showsItsOpenWindow_andDeletingAsksFirst() throws Exception {
        String id = api.call("GET", "/api/automations/name/load-is-late", null).path("id").asText();
        ui.open("#/automations/" + id);
        // A proactive trigger without `after` keeps a window open from its creation: it fires if the hour passes.
        String window = "tr[data-window='t']";
        ui.waitFor(d -> ui.text(window).matches("(?s)trigger\\s+—\\s+0/1\\s+\\d+ seconds? ago\\s+in (59|60) minutes"));
        assertThat(ui.attribute(window + " td:last-child time", "title")).containsPattern("\\(\\d{4}-");

        String doomed = api.call("POST", "/api/automations", """
                {"name": "short-lived", "trigger": {"expect": "acme.nothing"}, "actions": [{"type": "cancel-flow-run"}]}""")
                .path("id").asText();
        ui.open("#/automations/" + doomed);
        ui.click(By.xpath("//button[normalize-space()='Delete…']"));
        ui.waitFor(d -> ui.text(".toolbar").contains("Delete short-lived and its history?"));
        ui.click(By.xpath("//button[normalize-space()='Keep it']"));
        ui.waitFor(d -> !d.findElements(By.xpath("//button[normalize-space()='Delete…']")).isEmpty());
        ui.click(By.xpath("//button[normalize-space()='Delete…']"));
        ui.click(By.xpath("//button[normalize-space()='Delete']"));
        ui.waitFor(d -> d.getCurrentUrl().endsWith("#/automations"));
        ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-automation='load-is-late']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("tr[data-automation='short-lived']"))).isEmpty();
        assertThat(api.send("GET", "/api/automations/" + doomed, null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void theDeploymentPage_listsTheAutomationsThatActOnOrWatchIt() throws Exception {
        ui.open("#/deployments/" + load);
        String watcher = "section[aria-labelledby='triggers-title'] tr[data-automation='report-after-load']";
        ui.waitFor(d -> !d.findElements(By.cssSelector(watcher)).isEmpty());
        assertThat(ui.text(watcher)).contains("watches it").contains("ferry.flow-run.Cancelled ×1");
        String late = "section[aria-labelledby='triggers-title'] tr[data-automation='load-is-late']";
        assertThat(ui.text(late)).contains("watches it; pause-deployment on it");
        ui.screenshot("deployment-triggers");

        ui.open("#/deployments/" + report);
        String runner = "section[aria-labelledby='triggers-title'] tr[data-automation='report-after-load']";
        ui.waitFor(d -> !d.findElements(By.cssSelector(runner)).isEmpty());
        assertThat(ui.text(runner)).contains("run-deployment on it").doesNotContain("watches");
        assertThat(browser.findElements(By.cssSelector("section[aria-labelledby='triggers-title'] tr[data-automation='load-is-late']"))).isEmpty();
        ui.click(By.cssSelector(runner + " a"));
        ui.waitFor(d -> ui.text("main h1").equals("report-after-load"));
    }

    @Test
    @Order(6)
    void onANarrowScreen_theEventsAndAutomationPagesDoNotScrollSideways() throws Exception {
        browser.manage().window().setSize(new Dimension(375, 812));
        try {
            ui.open("#/events");
            ui.waitFor(d -> !d.findElements(By.cssSelector("ol.events > li")).isEmpty());
            assertThat(ui.sidewaysOverflow()).isLessThanOrEqualTo(0);
            ui.open("#/automations/" + api.call("GET", "/api/automations/name/report-after-load", null).path("id").asText());
            ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-firing]")).isEmpty());
            assertThat(ui.sidewaysOverflow()).isLessThanOrEqualTo(0);
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
}
