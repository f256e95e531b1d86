package dev.ferry.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The web UI on a server with an API key: the page loads without one, the API asks for it through the sign-in box. */
class WebUiLoginE2ETest {
    private static final String ADMIN_KEY = "ferry_ui-login-test-admin-key";

    private FerryJar ferry;
    private Browser ui;

    @AfterEach
    void stop() throws Exception {
        if (ui != null) ui.close();
        if (ferry != null) ferry.close();
    }

    @Test
    void aKeyedServer_asksForTheKey_refusesAWrongOne_andKeepsTheRightOneForTheTabOnly(@TempDir Path project) throws Exception {
        int port = FerryJar.freePort();
        String base = "http://127.0.0.1:" + port;
        ui = Browser.start(base, List.of("--window-size=1280,900"));
        WebDriver browser = ui.driver();
        ferry = new FerryJar(project, Map.of("FERRY_API_URL", base, "FERRY_API_KEY", ADMIN_KEY,
                "FERRY_HOME", project.resolve("ferry-home").toString()));
        FerryJar.Background server = ferry.start("server", "start", "--port", String.valueOf(port), "--data",
                project.resolve("data").toString(), "--api-key", ADMIN_KEY);
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> server.output().contains("Ferry server listening on " + base));
        ferry.ok("work-pool", "create", "--type", "process", "keyed-pool");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));

        browser.get(base + "/#/pools");
        WebElement key = wait.ignoring(NoSuchElementException.class).until(d -> d.findElement(By.cssSelector("form.login input[type=password]")));
        assertThat(browser.findElement(By.cssSelector("form.login")).getText()).contains("needs an API key");

        key.sendKeys("ferry_not-the-key");
        browser.findElement(By.cssSelector("form.login button[type=submit]")).click();
        wait.until(d -> d.findElement(By.cssSelector("form.login .reason")).getText().contains("The server said:"));
        assertThat(browser.findElements(By.cssSelector("tr[data-pool]"))).isEmpty();

        browser.findElement(By.cssSelector("form.login input[type=password]")).sendKeys(ADMIN_KEY);
        browser.findElement(By.cssSelector("form.login button[type=submit]")).click();

        wait.until(d -> !d.findElements(By.cssSelector("tr[data-pool='keyed-pool']")).isEmpty());
        JavascriptExecutor js = (JavascriptExecutor) browser;
        assertThat(js.executeScript("return sessionStorage.getItem('ferry.apiKey')")).isEqualTo(ADMIN_KEY);
        assertThat(js.executeScript("return localStorage.length")).isEqualTo(0L);
        assertThat(js.executeScript("return document.cookie")).isEqualTo("");

        browser.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
        wait.until(d -> !d.findElements(By.cssSelector("form.login")).isEmpty());
        assertThat(js.executeScript("return sessionStorage.getItem('ferry.apiKey')")).isNull();
    }
}
