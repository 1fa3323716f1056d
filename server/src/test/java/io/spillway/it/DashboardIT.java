package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard of Spillway as a real process ({@code spillway run}), in headless Chromium: sign in
 * with the first admin token, see an app appear after sending it logs over HTTP, follow its tail, see
 * a rate-limited app's drops and highlighted drop marker, and the config page without the token.
 * Screenshots of each step go to {@code target/screenshots/DashboardIT-*.png}.
 */
class DashboardIT {
    /** App {@code limited} may log one line a second, and drop markers come every second. */
    private static final String[] ARGS = {
        "--set",
        "guard.apps={limited: {rate_limit: {lines_per_second: 1, burst: 2s}}}",
        "--set",
        "guard.markers.interval=1s"
    };

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Whether a drop marker of app {@code limited} is in the store, read through the API. */
    private static boolean storedMarker(SpillwayProcess spillway, String token) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + spillway.httpPort
                                        + "/api/v1/apps/limited/logs?limit=100"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 && r.body().contains("spillway: dropped");
    }

    private int ingest(SpillwayProcess spillway, String app, String ndjson) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + spillway.httpPort + "/api/v1/ingest?app=" + app))
                                .header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofString(ndjson))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void realNode_signIn_appTailDropsAndConfig(@TempDir Path dir) throws Exception {
        Chromium.assumeInstalled();
        try (SpillwayProcess spillway = SpillwayProcess.start(dir, ARGS)) {
            String admin =
                    Files.readString(spillway.dataDir.resolve("admin.token")).strip();
            String url = "http://127.0.0.1:" + spillway.httpPort;
            ChromeDriver driver = Chromium.start(dir.resolve("chrome-profile"));
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
                driver.get(url + "/");
                wait.until(ExpectedConditions.urlContains("/login"));
                driver.findElement(By.id("token")).sendKeys(admin);
                driver.findElement(By.cssSelector("form[action='/login'] button"))
                        .click();
                wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Overview"));
                assertThat(driver.findElement(By.tagName("main")).getText())
                        .contains("Hosts")
                        .contains("Buffers");
                Chromium.screenshot(driver, "DashboardIT-overview");

                driver.findElement(By.linkText("Apps")).click();
                wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Apps"));
                assertThat(ingest(spillway, "web", "{\"message\":\"hello from web\"}\n"))
                        .isEqualTo(200);
                WebElement web =
                        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-app='web'] a")));
                Chromium.screenshot(driver, "DashboardIT-apps");
                web.click();
                wait.until(ExpectedConditions.textToBe(By.id("tail-status"), "live"));
                assertThat(driver.findElement(By.id("tail")).getText()).contains("hello from web");
                assertThat(ingest(spillway, "web", "{\"message\":\"a new line for the tail\"}\n"))
                        .isEqualTo(200);
                wait.until(
                        ExpectedConditions.textToBePresentInElementLocated(By.id("tail"), "a new line for the tail"));
                Chromium.screenshot(driver, "DashboardIT-tail");

                assertThat(ingest(spillway, "limited", "{\"message\":\"flood line\"}\n".repeat(50)))
                        .isEqualTo(429);
                // The page shows the stored lines, then follows new ones; wait until the marker is
                // stored so it is on the page whichever side of that hand-over it falls.
                long markerDeadline = System.nanoTime() + 30_000_000_000L;
                while (!storedMarker(spillway, admin) && System.nanoTime() < markerDeadline) {
                    Thread.sleep(200);
                }
                driver.get(url + "/apps/limited");
                wait.until(ExpectedConditions.textToBe(By.id("tail-status"), "live"));
                // The drops table refreshes itself; the guard's marker line arrives in the tail, highlighted.
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("drops-live"), "rate_limit"));
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tail li.marker")));
                assertThat(driver.findElement(By.cssSelector("pre.yaml")).getText())
                        .contains("lines_per_second: 1");
                Chromium.screenshot(driver, "DashboardIT-drops");

                // The node's incident engine is wired into the dashboard.
                driver.get(url + "/incidents");
                wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Incidents"));
                assertThat(driver.findElement(By.tagName("main")).getText()).doesNotContain("not enabled");
                assertThat(driver.findElements(By.cssSelector("table.incidents")))
                        .hasSize(1);

                driver.get(url + "/config");
                wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Effective configuration"));
                assertThat(driver.getPageSource()).doesNotContain(admin).contains("data_dir");
                Chromium.screenshot(driver, "DashboardIT-config");
            } finally {
                driver.quit();
            }
        }
    }
}
