package io.spillway.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}) started on loopback for a
 * test, never clustering ({@code --cluster.listen-address=}), with one webhook receiver pointing at
 * the URL under test. {@link #start} returns empty where the binary is not installed, so callers can
 * skip with a clear message.
 */
final class Alertmanager implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient client = HttpClient.newHttpClient();

    private Alertmanager(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts Alertmanager sending every alert group to {@code webhookUrl} with the bearer {@code
     * token} (may be empty), at once ({@code group_wait: 0s}) and again when resolved.
     */
    static Optional<Alertmanager> start(Path dir, String webhookUrl, String token) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            return Optional.empty();
        }
        Files.createDirectories(dir);
        String auth =
                token.isEmpty() ? "" : "    http_config:\n      authorization:\n        credentials: " + token + "\n";
        Path config =
                Files.writeString(dir.resolve("alertmanager.yml"), String.format(Locale.ROOT, """
                route:
                  receiver: spillway
                  group_by: [alertname, instance]
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                - name: spillway
                  webhook_configs:
                  - url: %s
                    send_resolved: true
                %s""", webhookUrl, auth));
        int port = SpillwayProcess.freePort();
        Path log = dir.resolve("alertmanager.log");
        Process p = new ProcessBuilder(
                        BINARY.toString(),
                        "--config.file=" + config,
                        "--storage.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--cluster.listen-address=")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Alertmanager am = new Alertmanager(p, port, log);
        am.awaitReady();
        return Optional.of(am);
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("alertmanager exited: " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("alertmanager not ready in 30s: " + Files.readString(log));
    }

    /** Posts one alert to Alertmanager's API, firing, or resolved when {@code resolved} is true. */
    void post(Map<String, String> labels, Map<String, String> annotations, boolean resolved) throws Exception {
        String body = "[{\"labels\":" + json(labels) + ",\"annotations\":" + json(annotations)
                + (resolved ? ",\"endsAt\":\"" + Instant.now().minusSeconds(1) + "\"" : "") + "}]";
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/alerts"))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("alertmanager refused the alert: " + r.statusCode() + " " + r.body());
        }
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    private static String json(Map<String, String> m) {
        return m.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue().replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
