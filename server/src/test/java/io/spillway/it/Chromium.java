package io.spillway.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the dashboard's browser tests: Debian's {@code chromium} and {@code
 * chromium-driver} (paths overridable with {@code -Dspillway.chromium} and {@code
 * -Dspillway.chromedriver}). Both are given by path, so Selenium Manager never looks for or downloads
 * a browser or driver; the browser runs with its background networking off and a fresh profile.
 */
public final class Chromium {
    public static final Path BINARY = Path.of(System.getProperty("spillway.chromium", "/usr/bin/chromium"));
    public static final Path DRIVER = Path.of(System.getProperty("spillway.chromedriver", "/usr/bin/chromedriver"));

    private Chromium() {}

    /** Skips the calling test, saying why, when the browser or its driver is not installed. */
    public static void assumeInstalled() {
        if (!Files.isExecutable(BINARY) || !Files.isExecutable(DRIVER)) {
            System.err.println("SKIPPED: dashboard browser tests need " + BINARY + " and " + DRIVER
                    + " (Debian: apt-get install chromium chromium-driver)");
        }
        assumeTrue(
                Files.isExecutable(BINARY) && Files.isExecutable(DRIVER),
                "dashboard browser tests skipped: " + BINARY + " and " + DRIVER
                        + " are needed (Debian: apt-get install chromium chromium-driver)");
    }

    /** A headless browser at 1280×800 with its profile under {@code profileDir}. */
    public static ChromeDriver start(Path profileDir) {
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-first-run",
                "--window-size=1280,800",
                "--user-data-dir=" + profileDir);
        return new ChromeDriver(service, options);
    }

    /** Saves what the browser shows to {@code target/screenshots/<name>.png}. */
    public static void screenshot(ChromeDriver driver, String name) throws IOException {
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        Files.write(shots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }
}
