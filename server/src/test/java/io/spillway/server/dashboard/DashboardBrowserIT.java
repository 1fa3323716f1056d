package io.spillway.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.alert.Incident;
import io.spillway.it.Chromium;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: headless Chromium driven by chromedriver (Debian's {@code
 * chromium} and {@code chromium-driver}), against the dashboard on a real HTTP server over a real
 * store, token store and incident engine. Skipped, saying why, where the browser is not installed.
 * Each test leaves a screenshot in {@code target/screenshots/<test>.png}.
 *
 * <p>The browser is set up by {@link Chromium}: given by path, so nothing is downloaded.
 */
class DashboardBrowserIT {
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    DashboardServer server;
    ChromeDriver driver;

    @BeforeEach
    void start() throws IOException {
        // Per test, not @BeforeAll: each test is then reported as skipped, with the reason.
        Chromium.assumeInstalled();
        server = new DashboardServer(dir);
        driver = Chromium.start(dir.resolve("chrome-profile"));
    }

    @AfterEach
    void stop(TestInfo info) throws IOException {
        try {
            if (driver != null) {
                Chromium.screenshot(
                        driver, info.getTestMethod().map(m -> m.getName()).orElse("test"));
            }
        } finally {
            if (driver != null) {
                driver.quit();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(driver, WAIT);
    }

    private void signIn(String token) {
        driver.get(server.base() + "/");
        // Not signed in: sent to the sign-in form, and back to "/" after it.
        waiting().until(ExpectedConditions.urlContains("/login"));
        WebElement field = driver.findElement(By.cssSelector("input#token"));
        assertThat(driver.findElement(By.cssSelector("label[for=token]")).getText())
                .isEqualTo("API token");
        field.sendKeys(token);
        driver.findElement(By.cssSelector("form[action='/login'] button[type=submit]"))
                .click();
        waiting().until(d -> !d.getCurrentUrl().contains("/login"));
    }

    @Test
    void signIn_sendLogs_appAppearsWithoutReload() throws Exception {
        signIn(server.adminToken);
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Overview");
        driver.findElement(By.linkText("Apps")).click();
        waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Apps"));
        assertThat(driver.findElements(By.cssSelector("tr[data-app='checkout']")))
                .isEmpty();
        // Marks this page: a full reload would lose it, an htmx swap of the table keeps it.
        ((JavascriptExecutor) driver).executeScript("document.body.dataset.marker = 'same-page'");

        server.log("checkout", "order 1 placed");
        server.log("checkout", "order 2 placed");

        WebElement row =
                waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-app='checkout']")));
        assertThat(row.findElement(By.cssSelector("th[scope=row]")).getText()).isEqualTo("checkout");
        assertThat(driver.findElement(By.tagName("body")).getDomAttribute("data-marker"))
                .isEqualTo("same-page");
        server.dashboard.sampleSeries();
        Thread.sleep(50);
        server.dashboard.sampleSeries();
        // Sparklines are drawn by uPlot from the series JSON once the table refreshes.
        waiting()
                .until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector("tr[data-app='checkout'] .spark canvas")));
        // Everything the page loaded came from Spillway itself.
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) driver)
                .executeScript("return performance.getEntriesByType('resource').map(e => e.name)");
        assertThat(loaded).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith(server.base() + "/"));
    }

    @Test
    void appTail_newLineArrivesLive_asTextWithGrepAndPause() throws Exception {
        server.log("checkout", "first line");
        signIn(server.checkoutToken);
        // An app token lands on its own app's page.
        waiting().until(ExpectedConditions.urlContains("/apps/checkout"));
        waiting().until(ExpectedConditions.textToBe(By.id("tail-status"), "live"));
        assertThat(driver.findElement(By.id("tail")).getText()).contains("first line");
        // Every visible control has a label.
        Object unlabelled = ((JavascriptExecutor) driver)
                .executeScript("return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
                        + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length");
        assertThat(unlabelled).isEqualTo(0L);

        server.log("checkout", "fresh line <b>42</b>");
        WebElement line = waiting()
                .until(ExpectedConditions.presenceOfElementLocated(
                        By.xpath("//ol[@id='tail']/li[span[@class='msg' and contains(., 'fresh line')]]")));
        // Markup in a log line is shown as text, never rendered.
        assertThat(line.findElement(By.className("msg")).getText()).isEqualTo("fresh line <b>42</b>");
        assertThat(line.findElements(By.tagName("b"))).isEmpty();

        driver.findElement(By.id("grep")).sendKeys("needle");
        // The status leaves "live" at once and returns once the filtered stream is connected.
        waiting().until(ExpectedConditions.textToBe(By.id("tail-status"), "live"));
        server.log("checkout", "hay 1");
        server.log("checkout", "needle 1");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("tail"), "needle 1"));
        assertThat(driver.findElement(By.id("tail")).getText()).doesNotContain("hay 1");

        driver.findElement(By.id("pause")).click();
        server.log("checkout", "needle 2");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("tail-status"), "1 new line(s) held"));
        assertThat(driver.findElement(By.id("tail")).getText()).doesNotContain("needle 2");
        driver.findElement(By.id("pause")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("tail"), "needle 2"));
    }

    @Test
    void incident_acknowledge_stateChanges() {
        Incident i = server.trigger("checkout", "checkout error rate above 5%");
        signIn(server.adminToken);
        // The overview's banner announces it.
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.className("banner"), "1 open incident"));
        driver.findElement(By.cssSelector(".banner a")).click();
        waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Incidents"));
        driver.findElement(By.linkText("checkout error rate above 5%")).click();
        waiting().until(ExpectedConditions.textToBe(By.tagName("h1"), "Incident #" + i.id()));
        assertThat(driver.findElement(By.id("incident-state")).getText()).isEqualTo("triggered");

        driver.findElement(By.id("ack")).click();

        waiting().until(ExpectedConditions.textToBe(By.id("incident-state"), "acknowledged"));
        assertThat(driver.findElement(By.cssSelector("table.timeline")).getText())
                .contains("acknowledged by dashboard:ops");
        assertThat(driver.findElements(By.id("ack"))).isEmpty();
        assertThat(driver.findElements(By.id("resolve"))).hasSize(1);
    }

    @Test
    void appToken_otherAppsPage_refused() throws Exception {
        server.log("checkout", "mine");
        server.log("billing", "card 4111 charged");
        signIn(server.checkoutToken);
        driver.get(server.base() + "/apps/billing");
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("403 Forbidden");
        assertThat(driver.getPageSource()).doesNotContain("card 4111");
        driver.get(server.base() + "/apps");
        List<WebElement> rows = driver.findElements(By.cssSelector("tr[data-app]"));
        assertThat(rows).extracting(r -> r.getDomAttribute("data-app")).containsExactly("checkout");
    }

    @Test
    void apps_atPhoneWidth_pageDoesNotOverflow() throws Exception {
        for (int i = 0; i < 5; i++) {
            server.log("app-with-a-rather-long-name-" + i, "x");
        }
        signIn(server.adminToken);
        driver.manage().window().setSize(new Dimension(390, 844));
        driver.get(server.base() + "/apps");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-app]")));
        long pageWidth =
                (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollWidth");
        long viewport = (Long) ((JavascriptExecutor) driver).executeScript("return window.innerWidth");
        // Wide tables scroll inside their own box; the page itself does not scroll sideways.
        assertThat(pageWidth).isLessThanOrEqualTo(viewport);
    }
}
