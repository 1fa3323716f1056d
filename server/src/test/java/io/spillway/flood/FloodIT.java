package io.spillway.flood;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.it.SpillwayProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A short outage replay through each input against Spillway as a real process, with a tight rate
 * limit: the quiet apps lose nothing, the noisy app's excess is dropped and counted as rate_limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FloodIT {
    SpillwayProcess spillway;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        spillway = SpillwayProcess.start(
                dir, "--set", "guard.rate_limit.bytes_per_second=64KiB", "--set", "guard.rate_limit.burst=1s");
    }

    @AfterAll
    void stop() throws Exception {
        if (spillway != null) {
            spillway.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"syslog", "http", "forward", "gelf"})
    void flood_quietAppsLoseNothingNoisyExcessCounted(String via) throws Exception {
        Workload w = new Workload(5, 20, 200, 100, 7 * 1024, Duration.ofSeconds(3), "it-" + via);
        Flood.TransportFactory transport = switch (via) {
            case "syslog" -> Flood.viaSyslog(new InetSocketAddress("127.0.0.1", spillway.syslogPort));
            case "forward" -> Flood.viaForward(new InetSocketAddress("127.0.0.1", spillway.forwardPort));
            case "gelf" -> Flood.viaGelf(new InetSocketAddress("127.0.0.1", spillway.gelfPort));
            default -> Flood.viaHttp(URI.create("http://127.0.0.1:" + spillway.httpPort + "/api/v1/ingest"));
        };
        Flood flood = new Flood(
                w,
                transport,
                spillway.dataDir.resolve("files"),
                URI.create("http://127.0.0.1:" + spillway.httpPort + "/metrics"),
                Duration.ofSeconds(20),
                new PrintStream(new ByteArrayOutputStream(), false, StandardCharsets.UTF_8),
                System::nanoTime);
        FloodReport report = flood.run();
        assertThat(report.quietAppsLostNothing()).as(report.toJson()).isTrue();
        AppTally.Snapshot noisy = report.apps().stream()
                .filter(AppTally.Snapshot::noisy)
                .findFirst()
                .orElseThrow();
        assertThat(noisy.sent()).isEqualTo(300);
        assertThat(noisy.lost()).isPositive();
        assertThat(report.dropsByApp().get(w.noisyApp())).containsKey("rate_limit");
    }
}
