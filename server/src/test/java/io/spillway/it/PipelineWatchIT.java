package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real process turns an app's drops into a {@code drops} event: a {@code _spillway} line naming
 * the app and the reason, and an open incident in the incident API.
 */
class PipelineWatchIT {
    @TempDir
    Path dir;

    @Test
    void appOverItsRateLimit_raisesADropsEventAndIncident() throws Exception {
        try (SpillwayProcess spillway = SpillwayProcess.start(
                dir,
                "--set",
                "guard.rate_limit.lines_per_second=10",
                "--set",
                "guard.rate_limit.burst=1s",
                "--set",
                "disk_guard.enabled=false")) {
            try (Socket s = new Socket("127.0.0.1", spillway.syslogPort)) {
                OutputStream out = s.getOutputStream();
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 2000; i++) {
                    sb.append("<11>1 2026-11-25T03:00:00Z node-7 noisy - - - error ")
                            .append(i)
                            .append('\n');
                }
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            Path events = spillway.appFile("_spillway");
            String expected = "[drops firing warning] app noisy is losing lines: ";
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!(Files.exists(events) && Files.readString(events).contains(expected))
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(events))
                    .as(spillway.output())
                    .contains(expected)
                    .contains("rate_limit dropped");

            String token =
                    Files.readString(spillway.dataDir.resolve("admin.token")).trim();
            HttpResponse<String> incidents = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + spillway.httpPort + "/api/v1/incidents"))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            long until = System.nanoTime() + 10_000_000_000L;
            while (!incidents.body().contains("drops/") && System.nanoTime() < until) {
                Thread.sleep(200);
                incidents = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(
                                                "http://127.0.0.1:" + spillway.httpPort + "/api/v1/incidents"))
                                        .header("Authorization", "Bearer " + token)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
            }
            assertThat(incidents.statusCode()).isEqualTo(200);
            assertThat(incidents.body()).contains("drops/").contains("noisy");
        }
    }
}
