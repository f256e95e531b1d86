package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
import org.openqa.selenium.support.ui.Select;

/**
 * The webhooks pages in a real browser against the packaged jar's embedded server: webhooks are
 * made through the form (the secret shown once) and through the API, requests are sent to their
 * addresses (one accepted, one refused for its signature), and the pages show the deliveries,
 * turn a webhook off and on, and delete it after asking.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiWebhooksE2ETest {
    private static final String KNOWN_SECRET = "a-secret-the-test-knows-0123456789";
    private static final String PUSH = "{\"ref\": \"refs/heads/main\", \"repository\": {\"full_name\": \"acme/shop\"}, \"sender\": {\"login\": \"marvin\"}}";

    @TempDir
    static Path project;

    private FerryJar ferry;
    private Browser ui;
    private WebDriver browser; // ui.driver(), for what a test asks of the page itself
    private Api api;
    private String base;
    private String ci; // ci-done: kind none, made through the form
    private String github; // github-api: kind github, made through the API with KNOWN_SECRET

    @BeforeAll
    void startServerAndBrowser() throws Exception {
        int port = FerryJar.freePort();
        base = "http://127.0.0.1:" + port;
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
    }

    @AfterAll
    void stopAll() throws Exception {
        if (ui != null) ui.close();
        if (ferry != null) ferry.close();
    }

    @Test
    @Order(1)
    void theForm_makesAGitHubWebhook_andShowsItsUrlAndSecretOnlyOnce() throws Exception {
        ui.open("#/webhooks");
        ui.waitFor(d -> ui.text("main").contains("No webhooks yet."));
        ui.shown(By.name("name")).sendKeys("github-form");
        new Select(browser.findElement(By.name("kind"))).selectByValue("github");
        WebElement template = browser.findElement(By.name("template"));
        template.sendKeys("{\"event\": ");
        ui.click(By.xpath("//button[normalize-space()='Create']"));
        ui.waitFor(d -> "true".equals(template.getAttribute("aria-invalid")));
        assertThat(ui.text("#" + template.getAttribute("id") + "-error")).startsWith("Not JSON");
        assertThat(api.call("GET", "/api/webhooks", null).path("items")).as("nothing sent").isEmpty();

        ui.click(By.xpath("//button[normalize-space()='Use the GitHub example']"));
        assertThat(template.getAttribute("value")).contains("github.{{ headers['x-github-event'] }}");
        ui.click(By.xpath("//button[normalize-space()='Create']"));

        String card = "section.once[data-created]";
        ui.waitFor(d -> ui.text(card).contains("Created webhook 'github-form'"));
        JsonNode made = api.call("GET", "/api/webhooks/name/github-form", null);
        assertThat(made.path("verify").path("kind").asText()).isEqualTo("github");
        assertThat(made.has("secret")).as("the API never shows it again").isFalse();
        String url = base + made.path("path").asText();
        List<WebElement> values = browser.findElements(By.cssSelector(card + " .copyable code"));
        assertThat(values.get(0).getText()).isEqualTo(url);
        String secret = values.get(1).getText();
        assertThat(secret).hasSizeGreaterThanOrEqualTo(16);
        assertThat(ui.text(card)).contains("The secret is shown only now");
        ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-form']")).isEmpty());
        ui.click(By.cssSelector(card + " button[aria-label='Copy the URL']"));
        ui.waitFor(d -> ui.text(".notice").contains("the URL"));
        ui.screenshot("webhook-created");

        // The secret the page showed signs a GitHub delivery.
        assertThat(api.send("POST", made.path("path").asText(), PUSH, github(secret, PUSH, "push", "d-1")).statusCode()).isEqualTo(202);

        ui.open("#/events");
        ui.open("#/webhooks");
        ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-form']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("section.once"))).isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(secret);
        browser.navigate().back();
        browser.navigate().forward();
        ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-form']")).isEmpty());
        assertThat(browser.getPageSource()).doesNotContain(secret);
    }

    @Test
    @Order(2)
    void aWebhookWithoutVerification_acceptsARequest_andAGitHubOne_refusesABadSignature() throws Exception {
        ui.open("#/webhooks");
        ui.shown(By.name("name")).sendKeys("ci-done");
        browser.findElement(By.name("template")).sendKeys("""
                {"event": "ci.{{ body.status }}", "resource": {"ferry.resource.id": "ci.build.{{ body.build }}"}}""");
        ui.click(By.xpath("//button[normalize-space()='Create']"));
        ui.waitFor(d -> ui.text("section.once").contains("Created webhook 'ci-done'"));
        assertThat(ui.text("section.once")).doesNotContain("Secret");
        JsonNode made = api.call("GET", "/api/webhooks/name/ci-done", null);
        ci = made.path("id").asText();
        assertThat(made.path("verify").path("kind").asText()).isEqualTo("none");

        HttpResponse<String> accepted = api.send("POST", made.path("path").asText(), "{\"status\": \"passed\", \"build\": 42}", Map.of());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        github = api.call("POST", "/api/webhooks", """
                {"name": "github-api", "template": {"event": "github.{{ headers['x-github-event'] }}",
                 "resource": {"ferry.resource.id": "github.repo.{{ body.repository.full_name }}"}},
                 "verify": {"kind": "github", "secret": "%s"}}""".formatted(KNOWN_SECRET)).path("id").asText();
        String path = api.call("GET", "/api/webhooks/" + github, null).path("path").asText();
        assertThat(api.send("POST", path, PUSH, github(KNOWN_SECRET, PUSH, "push", "d-2")).statusCode()).isEqualTo(202);
        HttpResponse<String> refused = api.send("POST", path, PUSH, github("not-the-secret-at-all-000", PUSH, "push", "d-3"));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);

        String ciRow = "tr[data-webhook='ci-done']";
        ui.waitFor(d -> ui.text(ciRow).matches("(?s).*accepted\\s+\\d+ seconds? ago.*"));
        assertThat(ui.text(ciRow)).contains("none").contains("Enabled").contains(base + made.path("path").asText());
        String githubRow = "tr[data-webhook='github-api']";
        ui.waitFor(d -> ui.text(githubRow).matches("(?s).*refused\\s+\\d+ seconds? ago.*"));
        assertThat(ui.text(githubRow)).contains("GitHub");
        ui.screenshot("webhooks");
    }

    @Test
    @Order(3)
    void theWebhookPage_showsTheAcceptedAndTheRefusedDeliveries_andLinksToTheEvent() throws Exception {
        // A rotation leaves the old address working for an hour: the page lists it with its end.
        String old = api.call("GET", "/api/webhooks/" + github, null).path("path").asText();
        api.call("POST", "/api/webhooks/" + github + "/rotate", "{\"grace_seconds\": 3600}");
        ui.open("#/webhooks");
        ui.click(By.linkText("github-api"));
        String bad = "tr.delivery-bad[data-outcome='refused']";
        ui.waitFor(d -> !d.findElements(By.cssSelector(bad)).isEmpty());
        assertThat(ui.text(bad)).contains("401").contains("refused").contains("X-Hub-Signature-256 does not match");
        assertThat(browser.findElement(By.cssSelector(bad + " td")).getCssValue("box-shadow")).as("it stands out").contains("inset");
        String good = "tr[data-outcome='accepted']";
        assertThat(ui.text(good)).contains("202").contains("d-2");
        assertThat(browser.findElement(By.cssSelector(good)).getAttribute("class")).isNullOrEmpty();
        assertThat(ui.text("main")).contains("X-Hub-Signature-256").contains("\"event\": \"github.{{ headers['x-github-event'] }}\"")
                .contains(base + api.call("GET", "/api/webhooks/" + github, null).path("path").asText());
        ui.waitFor(d -> ui.text("tr[data-retired='" + old + "']").matches("(?s).*" + java.util.regex.Pattern.quote(base + old) + "\\s+in (59|60) minutes"));
        ui.screenshot("webhook");

        ui.click(By.cssSelector(bad + " a"));
        ui.waitFor(d -> d.getCurrentUrl().contains("#/events?event=ferry.webhook.refused&resource=ferry.webhook." + github));
        ui.waitFor(d -> !d.findElements(By.cssSelector("li[data-name='ferry.webhook.refused']")).isEmpty());

        ui.open("#/webhooks/" + ci);
        ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-outcome='accepted'] a")).isEmpty());
        assertThat(ui.text("tr[data-outcome='accepted']")).contains("202");
        assertThat(ui.text("main")).contains("none").contains("Anyone who has the URL");
        ui.click(By.cssSelector("tr[data-outcome='accepted'] a"));
        String event = "li[data-name='ci.passed']";
        ui.waitFor(d -> !d.findElements(By.cssSelector(event)).isEmpty());
        assertThat(browser.getCurrentUrl()).endsWith("#/events?related=ferry.webhook." + ci);
        assertThat(ui.text(event + " .chip a[href='#/webhooks/" + ci + "']")).isEqualTo("webhook ci-done");
    }

    @Test
    @Order(4)
    void theWebhookPage_disablesAndEnablesIt() throws Exception {
        ui.open("#/webhooks/" + ci);
        ui.click(By.cssSelector("button[aria-label='Disable ci-done']"));
        ui.waitFor(d -> ui.text(".toolbar").contains("Disabled"));
        assertThat(api.call("GET", "/api/webhooks/" + ci, null).path("enabled").asBoolean()).isFalse();
        String path = api.call("GET", "/api/webhooks/" + ci, null).path("path").asText();
        assertThat(api.send("POST", path, "{\"status\": \"passed\", \"build\": 43}", Map.of()).statusCode()).isEqualTo(404);

        ui.click(By.cssSelector("button[aria-label='Enable ci-done']"));
        ui.waitFor(d -> ui.text(".toolbar").contains("Enabled"));
        assertThat(api.call("GET", "/api/webhooks/" + ci, null).path("enabled").asBoolean()).isTrue();
        assertThat(api.send("POST", path, "{\"status\": \"passed\", \"build\": 44}", Map.of()).statusCode()).isEqualTo(202);
        ui.waitFor(d -> d.findElements(By.cssSelector("tr[data-outcome='accepted']")).size() == 2);
    }

    @Test
    @Order(5)
    void theWebhookPage_deletesItAfterAsking() throws Exception {
        ui.open("#/webhooks/" + ci);
        ui.click(By.xpath("//button[normalize-space()='Delete…']"));
        ui.waitFor(d -> ui.text(".toolbar").contains("Delete ci-done? Its address stops answering at once."));
        ui.click(By.xpath("//button[normalize-space()='Keep it']"));
        ui.waitFor(d -> !d.findElements(By.xpath("//button[normalize-space()='Delete…']")).isEmpty());
        assertThat(api.send("GET", "/api/webhooks/" + ci, null).statusCode()).isEqualTo(200);
        ui.click(By.xpath("//button[normalize-space()='Delete…']"));
        ui.click(By.xpath("//button[normalize-space()='Delete']"));
        ui.waitFor(d -> d.getCurrentUrl().endsWith("#/webhooks"));
        ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-api']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("tr[data-webhook='ci-done']"))).isEmpty();
        assertThat(api.send("GET", "/api/webhooks/" + ci, null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(6)
    void onANarrowScreen_theWebhookPagesDoNotScrollSideways() throws Exception {
        browser.manage().window().setSize(new Dimension(375, 812));
        try {
            ui.open("#/webhooks");
            ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-api']")).isEmpty());
            assertThat(ui.sidewaysOverflow()).isLessThanOrEqualTo(0);
            ui.open("#/webhooks/" + github);
            ui.waitFor(d -> !d.findElements(By.cssSelector("tr[data-outcome='refused']")).isEmpty());
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

    /** The headers GitHub sends with a delivery, signed with {@code secret}. */
    private static Map<String, String> github(String secret, String body, String event, String delivery) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        return Map.of("X-Hub-Signature-256", signature, "X-GitHub-Event", event, "X-GitHub-Delivery", delivery);
    }
}
