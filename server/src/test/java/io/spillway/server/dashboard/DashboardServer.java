package io.spillway.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.alert.AlertConfig;
import io.spillway.alert.Incident;
import io.spillway.alert.IncidentEngine;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.alert.signal.Signal;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.event.EventSeverity;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import io.spillway.server.HttpConfig;
import io.spillway.server.HttpServer;
import io.spillway.server.auth.Scope;
import io.spillway.server.auth.TokenStore;
import io.spillway.store.LogStore;
import io.spillway.store.StoreConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard on a real HTTP server over real parts: a {@link LogStore} in a temp dir, a {@link
 * TokenStore}, an {@link IncidentEngine}; only the node around them is missing. Fragments refresh
 * every second so tests wait less.
 */
final class DashboardServer implements AutoCloseable {
    final LogStore store;
    final TokenStore tokens;
    final IncidentEngine incidents;
    final HttpServer http;
    final Dashboard dashboard;
    final String adminToken;
    final String checkoutToken;
    final Map<String, Map<String, Long>> drops = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    DashboardServer(Path dir) throws IOException {
        Metrics metrics = new Metrics();
        store = LogStore.open(dir.resolve("store"), StoreConfig.defaults(), metrics, InstantSource.system());
        tokens = TokenStore.inDataDir(dir, InstantSource.system());
        adminToken = tokens.create(Scope.ADMIN, "ops").secret();
        checkoutToken = tokens.create(Scope.app("checkout"), "checkout team").secret();
        incidents = IncidentEngine.open(
                AlertConfig.defaults(), dir.resolve("alert"), Map.of(), metrics, InstantSource.system());
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        config.put("host", "test-host");
        ObjectNode smtp = config.putObject("notify").putObject("mail");
        smtp.put("password", "hunter2");
        smtp.put("url", "smtp://ops:s3cret@mail.example:25");
        smtp.put("max_key_length", 64);
        dashboard = new Dashboard(
                new DashboardSources(
                        "test-host",
                        () -> store,
                        tokens,
                        () -> drops,
                        List::of,
                        "warn 80%",
                        () -> List.of(new DashboardSources.BufferUse("store", 3, 4096)),
                        () -> config,
                        app -> (JsonNode) JsonNodeFactory.instance.objectNode().put("rate_limit", "100/s for " + app),
                        () -> IncidentView.of(incidents)),
                Duration.ofSeconds(1),
                4,
                Duration.ofMillis(500),
                100,
                InstantSource.system());
        HttpConfig hc =
                new HttpConfig(true, ListenAddress.loopback(0), DataSize.ofMiB(1), 16, 4, Duration.ofMillis(500));
        http = new HttpServer(hc, metrics, () -> true).routes(dashboard::register);
        http.start();
    }

    String base() {
        return "http://127.0.0.1:" + http.port();
    }

    void log(String app, String message) throws IOException {
        log(app, message, Map.of());
    }

    void log(String app, String message, Map<String, String> fields) throws IOException {
        long now = Instant.now().toEpochMilli() * 1_000_000L + seq.incrementAndGet() % 1_000_000L;
        store.append(new LogRecord(
                now,
                "test-host",
                app,
                "test",
                LogStream.STDOUT,
                Severity.INFO,
                message.getBytes(StandardCharsets.UTF_8),
                fields));
    }

    Incident trigger(String app, String summary) {
        return incidents
                .trigger(new Signal(
                        IncidentSource.EVENT,
                        "test/" + app + "/" + seq.incrementAndGet(),
                        "test",
                        EventSeverity.CRITICAL,
                        summary,
                        "test-host",
                        app,
                        Map.of(),
                        Map.of(),
                        null,
                        Instant.now()))
                .orElseThrow();
    }

    @Override
    public void close() throws IOException {
        http.close();
        incidents.close();
        store.close();
    }
}
