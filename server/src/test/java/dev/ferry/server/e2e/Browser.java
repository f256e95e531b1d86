package dev.ferry.server.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium (Debian's, through its chromedriver) on the web UI of the server at
 * {@code base}, with the waits the browser tests share. The pages re-draw themselves on every
 * refresh, so each helper finds its element afresh and retries what went stale meanwhile.
 *
 * <p>Screenshots go to {@code target/ui-screenshots}, and also to the folder named by
 * {@code -Dferry.screenshots} (the README's are made with {@code -Dferry.screenshots=../docs/ui}).
 */
final class Browser implements AutoCloseable {
    /** The window the pages are designed and photographed at, in the language they are written in. */
    private static final List<String> DESKTOP = List.of("--window-size=1280,900", "--force-device-scale-factor=1", "--lang=en-US");

    private static final Path CHROMEDRIVER = Path.of(System.getProperty("ferry.chromedriver", "/usr/bin/chromedriver"));
    private static final Path CHROMIUM = Path.of(System.getProperty("ferry.chromium", "/usr/bin/chromium"));
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private final WebDriver driver;
    private final String base;

    private Browser(WebDriver driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    /** At {@link #DESKTOP}. */
    static Browser start(String base) {
        return start(base, DESKTOP);
    }

    /**
     * With {@code arguments} besides the headless ones. Without Chromium the test is skipped,
     * except on CI, where it fails: there a browser test that never ran must not pass.
     */
    static Browser start(String base, List<String> arguments) {
        boolean installed = Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
        if (!installed && System.getenv("CI") != null) {
            throw new AssertionError(CHROMIUM + " and " + CHROMEDRIVER + " are needed; .ci/run installs them (apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(installed, "no " + CHROMIUM + " / " + CHROMEDRIVER + ": apt-get install chromium chromium-driver");

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage");
        options.addArguments(arguments);
        // kept for the tests that assert the page logged no script errors
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), base);
    }

    /** For what a test asks of the page itself. */
    WebDriver driver() {
        return driver;
    }

    /** Opens a page of the UI by its hash route and waits until it has drawn its heading. */
    void open(String hash) {
        driver.get(base + "/" + hash);
        waitFor(d -> !d.findElements(By.cssSelector("main h1")).isEmpty());
    }

    WebElement shown(By by) {
        return new WebDriverWait(driver, PATIENCE).ignoring(NoSuchElementException.class)
                .until(d -> {
                    WebElement e = d.findElement(by);
                    return e.isDisplayed() ? e : null;
                });
    }

    /** Clicks what may be re-drawn by a refresh between finding it and clicking it. */
    void click(By by) {
        new WebDriverWait(driver, PATIENCE).ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class).until(d -> {
                    d.findElement(by).click();
                    return true;
                });
    }

    void waitFor(Function<WebDriver, Boolean> condition) {
        waitFor(PATIENCE, condition);
    }

    void waitFor(Duration timeout, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, timeout).ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class).until(condition);
    }

    String text(String css) {
        return driver.findElement(By.cssSelector(css)).getText();
    }

    String attribute(String css, String name) {
        return driver.findElement(By.cssSelector(css)).getAttribute(name);
    }

    /** How far the page is wider than the window: more than 0 and it scrolls sideways. */
    long sidewaysOverflow() {
        return (Long) ((ChromeDriver) driver).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    }

    /** The whole page, not just the window (through the DevTools protocol, which can capture beyond the viewport). */
    @SuppressWarnings("unchecked")
    void screenshot(String name) throws Exception {
        ChromeDriver chrome = (ChromeDriver) driver;
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

    @Override
    public void close() {
        driver.quit();
    }
}
