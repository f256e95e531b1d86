package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.common.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
 * The webhooks pages in a real browser against the packaged jar's embedded server: webhooks are
 * made through the form (the secret shown once) and through the API, requests are sent to their
 * addresses (one accepted, one refused for its signature), and the pages show the deliveries,
 * turn a webhook off and on, and delete it after asking.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiWebhooksE2ETest {
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("ferry.chromedriver", "/usr/bin/chromedriver"));
    private static final Path CHROMIUM = Path.of(System.getProperty("ferry.chromium", "/usr/bin/chromium"));
    private static final String KNOWN_SECRET = "a-secret-the-test-knows-0123456789";
    private static final String PUSH = "{\"ref\": \"refs/heads/main\", \"repository\": {\"full_name\": \"acme/shop\"}, \"sender\": {\"login\": \"marvin\"}}";

    @TempDir
    static Path project;

    private FerryJar ferry;
    private WebDriver browser;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private String ci; // ci-done: kind none, made through the form
    private String github; // github-api: kind github, made through the API with KNOWN_SECRET

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
    void theForm_makesAGitHubWebhook_andShowsItsUrlAndSecretOnlyOnce() throws Exception {
        open("#/webhooks");
        waitFor(d -> text("main").contains("No webhooks yet."));
        shown(By.name("name")).sendKeys("github-form");
        new Select(browser.findElement(By.name("kind"))).selectByValue("github");
        WebElement template = browser.findElement(By.name("template"));
        template.sendKeys("{\"event\": ");
        click(By.xpath("//button[normalize-space()='Create']"));
        waitFor(d -> "true".equals(template.getAttribute("aria-invalid")));
        assertThat(text("#" + template.getAttribute("id") + "-error")).startsWith("Not JSON");
        assertThat(call("GET", "/api/webhooks", null).path("items")).as("nothing sent").isEmpty();

        click(By.xpath("//button[normalize-space()='Use the GitHub example']"));
        assertThat(template.getAttribute("value")).contains("github.{{ headers['x-github-event'] }}");
        click(By.xpath("//button[normalize-space()='Create']"));

        String card = "section.once[data-created]";
        waitFor(d -> text(card).contains("Created webhook 'github-form'"));
        JsonNode made = call("GET", "/api/webhooks/name/github-form", null);
        assertThat(made.path("verify").path("kind").asText()).isEqualTo("github");
        assertThat(made.has("secret")).as("the API never shows it again").isFalse();
        String url = base + made.path("path").asText();
        List<WebElement> values = browser.findElements(By.cssSelector(card + " .copyable code"));
        assertThat(values.get(0).getText()).isEqualTo(url);
        String secret = values.get(1).getText();
        assertThat(secret).hasSizeGreaterThanOrEqualTo(16);
        assertThat(text(card)).contains("The secret is shown only now");
        waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-form']")).isEmpty());
        click(By.cssSelector(card + " button[aria-label='Copy the URL']"));
        waitFor(d -> text(".notice").contains("the URL"));
        screenshot("webhook-created");

        // The secret the page showed signs a GitHub delivery.
        assertThat(send("POST", made.path("path").asText(), PUSH, github(secret, PUSH, "push", "d-1")).statusCode()).isEqualTo(202);

        open("#/events");
        open("#/webhooks");
        waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-form']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("section.once"))).isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(secret);
        browser.navigate().back();
        browser.navigate().forward();
        waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-form']")).isEmpty());
        assertThat(browser.getPageSource()).doesNotContain(secret);
    }

    @Test
    @Order(2)
    void aWebhookWithoutVerification_acceptsARequest_andAGitHubOne_refusesABadSignature() throws Exception {
        open("#/webhooks");
        shown(By.name("name")).sendKeys("ci-done");
        browser.findElement(By.name("template")).sendKeys("""
                {"event": "ci.{{ body.status }}", "resource": {"ferry.resource.id": "ci.build.{{ body.build }}"}}""");
        click(By.xpath("//button[normalize-space()='Create']"));
        waitFor(d -> text("section.once").contains("Created webhook 'ci-done'"));
        assertThat(text("section.once")).doesNotContain("Secret");
        JsonNode made = call("GET", "/api/webhooks/name/ci-done", null);
        ci = made.path("id").asText();
        assertThat(made.path("verify").path("kind").asText()).isEqualTo("none");

        HttpResponse<String> accepted = send("POST", made.path("path").asText(), "{\"status\": \"passed\", \"build\": 42}", Map.of());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        github = call("POST", "/api/webhooks", """
                {"name": "github-api", "template": {"event": "github.{{ headers['x-github-event'] }}",
                 "resource": {"ferry.resource.id": "github.repo.{{ body.repository.full_name }}"}},
                 "verify": {"kind": "github", "secret": "%s"}}""".formatted(KNOWN_SECRET)).path("id").asText();
        String path = call("GET", "/api/webhooks/" + github, null).path("path").asText();
        assertThat(send("POST", path, PUSH, github(KNOWN_SECRET, PUSH, "push", "d-2")).statusCode()).isEqualTo(202);
        HttpResponse<String> refused = send("POST", path, PUSH, github("not-the-secret-at-all-000", PUSH, "push", "d-3"));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);

        String ciRow = "tr[data-webhook='ci-done']";
        waitFor(d -> text(ciRow).matches("(?s).*accepted\\s+\\d+ seconds? ago.*"));
        assertThat(text(ciRow)).contains("none").contains("Enabled").contains(base + made.path("path").asText());
        String githubRow = "tr[data-webhook='github-api']";
        waitFor(d -> text(githubRow).matches("(?s).*refused\\s+\\d+ seconds? ago.*"));
        assertThat(text(githubRow)).contains("GitHub");
        screenshot("webhooks");
    }

    @Test
    @Order(3)
    void theWebhookPage_showsTheAcceptedAndTheRefusedDeliveries_andLinksToTheEvent() throws Exception {
        // A rotation leaves the old address working for an hour: the page lists it with its end.
        String old = call("GET", "/api/webhooks/" + github, null).path("path").asText();
        call("POST", "/api/webhooks/" + github + "/rotate", "{\"grace_seconds\": 3600}");
        open("#/webhooks");
        click(By.linkText("github-api"));
        String bad = "tr.delivery-bad[data-outcome='refused']";
        waitFor(d -> !d.findElements(By.cssSelector(bad)).isEmpty());
        assertThat(text(bad)).contains("401").contains("refused").contains("X-Hub-Signature-256 does not match");
        assertThat(browser.findElement(By.cssSelector(bad + " td")).getCssValue("box-shadow")).as("it stands out").contains("inset");
        String good = "tr[data-outcome='accepted']";
        assertThat(text(good)).contains("202").contains("d-2");
        assertThat(browser.findElement(By.cssSelector(good)).getAttribute("class")).isNullOrEmpty();
        assertThat(text("main")).contains("X-Hub-Signature-256").contains("\"event\": \"github.{{ headers['x-github-event'] }}\"")
                .contains(base + call("GET", "/api/webhooks/" + github, null).path("path").asText());
        waitFor(d -> text("tr[data-retired='" + old + "']").matches("(?s).*" + java.util.regex.Pattern.quote(base + old) + "\\s+in (59|60) minutes"));
        screenshot("webhook");

        click(By.cssSelector(bad + " a"));
        waitFor(d -> d.getCurrentUrl().contains("#/events?event=ferry.webhook.refused&resource=ferry.webhook." + github));
        waitFor(d -> !d.findElements(By.cssSelector("li[data-name='ferry.webhook.refused']")).isEmpty());

        open("#/webhooks/" + ci);
        waitFor(d -> !d.findElements(By.cssSelector("tr[data-outcome='accepted'] a")).isEmpty());
        assertThat(text("tr[data-outcome='accepted']")).contains("202");
        assertThat(text("main")).contains("none").contains("Anyone who has the URL");
        click(By.cssSelector("tr[data-outcome='accepted'] a"));
        String event = "li[data-name='ci.passed']";
        waitFor(d -> !d.findElements(By.cssSelector(event)).isEmpty());
        assertThat(browser.getCurrentUrl()).endsWith("#/events?related=ferry.webhook." + ci);
        assertThat(text(event + " .chip a[href='#/webhooks/" + ci + "']")).isEqualTo("webhook ci-done");
    }

    @Test
    @Order(4)
    void theWebhookPage_disablesAndEnablesIt() throws Exception {
        open("#/webhooks/" + ci);
        click(By.cssSelector("button[aria-label='Disable ci-done']"));
        waitFor(d -> text(".toolbar").contains("Disabled"));
        assertThat(call("GET", "/api/webhooks/" + ci, null).path("enabled").asBoolean()).isFalse();
        String path = call("GET", "/api/webhooks/" + ci, null).path("path").asText();
        assertThat(send("POST", path, "{\"status\": \"passed\", \"build\": 43}", Map.of()).statusCode()).isEqualTo(404);

        click(By.cssSelector("button[aria-label='Enable ci-done']"));
        waitFor(d -> text(".toolbar").contains("Enabled"));
        assertThat(call("GET", "/api/webhooks/" + ci, null).path("enabled").asBoolean()).isTrue();
        assertThat(send("POST", path, "{\"status\": \"passed\", \"build\": 44}", Map.of()).statusCode()).isEqualTo(202);
        waitFor(d -> d.findElements(By.cssSelector("tr[data-outcome='accepted']")).size() == 2);
    }

    @Test
    @Order(5)
    void theWebhookPage_deletesItAfterAsking() throws Exception {
        open("#/webhooks/" + ci);
        click(By.xpath("//button[normalize-space()='Delete…']"));
        waitFor(d -> text(".toolbar").contains("Delete ci-done? Its address stops answering at once."));
        click(By.xpath("//button[normalize-space()='Keep it']"));
        waitFor(d -> !d.findElements(By.xpath("//button[normalize-space()='Delete…']")).isEmpty());
        assertThat(send("GET", "/api/webhooks/" + ci, null).statusCode()).isEqualTo(200);
        click(By.xpath("//button[normalize-space()='Delete…']"));
        click(By.xpath("//button[normalize-space()='Delete']"));
        waitFor(d -> d.getCurrentUrl().endsWith("#/webhooks"));
        waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-api']")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("tr[data-webhook='ci-done']"))).isEmpty();
        assertThat(send("GET", "/api/webhooks/" + ci, null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(6)
    void onANarrowScreen_theWebhookPagesDoNotScrollSideways() throws Exception {
        browser.manage().window().setSize(new Dimension(375, 812));
        try {
            open("#/webhooks");
            waitFor(d -> !d.findElements(By.cssSelector("tr[data-webhook='github-api']")).isEmpty());
            assertThat(sidewaysOverflow()).isLessThanOrEqualTo(0);
            open("#/webhooks/" + github);
            waitFor(d -> !d.findElements(By.cssSelector("tr[data-outcome='refused']")).isEmpty());
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

    /** The headers GitHub sends with a delivery, signed with {@code secret}. */
    private static Map<String, String> github(String secret, String body, String event, String delivery) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        return Map.of("X-Hub-Signature-256", signature, "X-GitHub-Event", event, "X-GitHub-Delivery", delivery);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, body, Map.of());
    }

    private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
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
