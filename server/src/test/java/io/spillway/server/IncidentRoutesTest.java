package io.spillway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.alert.AlertConfig;
import io.spillway.alert.IncidentEngine;
import io.spillway.alert.notify.Notification;
import io.spillway.alert.notify.Notifier;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import io.spillway.metrics.Metrics;
import io.spillway.server.auth.Scope;
import io.spillway.server.auth.TokenStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The incident routes over real HTTP (Javalin on a free port) against a real engine with a fixed clock. */
class IncidentRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path dir;

    TokenStore tokens;
    String admin;
    String appToken;
    IncidentEngine engine;
    HttpServer server;
    final List<Notification> sent = new CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeEach
    void start() throws Exception {
        tokens = TokenStore.inDataDir(dir, InstantSource.fixed(NOW));
        admin = tokens.create(Scope.ADMIN, "ops").secret();
        appToken = tokens.create(Scope.app("web"), "web reader").secret();
        Notifier hook = new Notifier() {
            @Override
            public String name() {
                return "hook";
            }

            @Override
            public String kind() {
                return "webhook";
            }

            @Override
            public void send(Notification n) {
                sent.add(n);
            }
        };
        AlertConfig config = AlertConfig.defaults();
        engine = new IncidentEngine(
                config,
                dir.resolve("incidents.db"),
                dir.resolve("alert-ack.key"),
                Map.of("hook", hook),
                new Metrics(),
                InstantSource.fixed(NOW),
                Runnable::run,
                RandomGenerator.getDefault());
        HttpConfig hc = new HttpConfig(
                true, new ListenAddress("127.0.0.1", 0), DataSize.ofMiB(1), 16, 2, Duration.ofMillis(100));
        IncidentRoutes routes = new IncidentRoutes(() -> engine, tokens, config.intake(), InstantSource.fixed(NOW));
        server = new HttpServer(hc, new Metrics(), () -> true).routes(routes::register);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    private long diskIncident() {
        engine.events()
                .publish(new Event(
                        NOW,
                        "disk_watermark",
                        "/var/lib/docker",
                        EventSeverity.CRITICAL,
                        Event.State.FIRING,
                        "node-7",
                        null,
                        "/var/lib/docker 91% used <b>",
                        Map.of("top_writer", "app sensors-api writes 3 GB/min")));
        engine.tick();
        return engine.list(io.spillway.alert.IncidentFilter.all()).get(0).id();
    }

    HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void incidents_withoutToken401_appToken403_admin200() throws Exception {
        diskIncident();
        HttpResponse<String> none = send("GET", "/api/v1/incidents", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(send("GET", "/api/v1/incidents", appToken, null).statusCode())
                .isEqualTo(403);
        HttpResponse<String> ok = send("GET", "/api/v1/incidents", admin, null);
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode list = JSON.readTree(ok.body()).path("incidents");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("severity").asText()).isEqualTo("critical");
        assertThat(list.get(0).path("top_writer").asText()).contains("sensors-api");
        assertThat(send("GET", "/api/v1/incidents?state=bogus", admin, null).statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/api/v1/alerts/alertmanager", appToken, "{}").statusCode())
                .isEqualTo(403);
    }

    @Test
    void ackAndResolve_viaApi_recordWhoAndHow() throws Exception {
        long id = diskIncident();
        HttpResponse<String> ack =
                send("POST", "/api/v1/incidents/" + id + "/ack", admin, "{\"by\":\"alice\",\"via\":\"cli\"}");
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        JsonNode shown = JSON.readTree(
                send("GET", "/api/v1/incidents/" + id, admin, null).body());
        assertThat(shown.path("state").asText()).isEqualTo("acknowledged");
        assertThat(shown.path("acknowledged_by").asText()).isEqualTo("alice");
        assertThat(shown.path("acknowledged_via").asText()).isEqualTo("cli");
        assertThat(shown.path("timeline").toString()).contains("acknowledged by alice via cli");
        HttpResponse<String> resolved = send("POST", "/api/v1/incidents/" + id + "/resolve", admin, null);
        assertThat(JSON.readTree(resolved.body()).path("resolved_by").asText()).isEqualTo("ops");
        assertThat(send("POST", "/api/v1/incidents/999/ack", admin, null).statusCode())
                .isEqualTo(404);
        assertThat(send("POST", "/api/v1/incidents/x/ack", admin, null).statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/api/v1/incidents/" + id + "/ack", admin, "{\"via\":\"link\"}")
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void ackLink_getShowsConfirmPageEscaped_postAcknowledges_tamperedIs404() throws Exception {
        long id = diskIncident();
        String token = engine.ackToken(id);
        HttpResponse<String> page = send("GET", "/ack/" + token, null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("<form method=\"post\"")
                .contains("&lt;b&gt;")
                .doesNotContain("<b>/var");
        assertThat(engine.get(id).orElseThrow().state().label()).isEqualTo("triggered");

        HttpResponse<String> acked = send("POST", "/ack/" + token, null, "");
        assertThat(acked.statusCode()).isEqualTo(200);
        assertThat(acked.body()).contains("Acknowledged");
        assertThat(engine.get(id).orElseThrow().acknowledgedVia()).isEqualTo("link");

        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
        HttpResponse<String> bad = send("POST", "/ack/" + tampered, null, "");
        assertThat(bad.statusCode()).isEqualTo(404);
        assertThat(bad.body()).contains("invalid or has expired");
    }

    @Test
    void silences_addListExpire_andBadInputIs400() throws Exception {
        HttpResponse<String> added = send(
                "POST",
                "/api/v1/silences",
                admin,
                "{\"matcher\":{\"host\":\"node-1?\"},\"duration\":\"2h\",\"comment\":\"kernel upgrade\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        JsonNode s = JSON.readTree(added.body());
        assertThat(s.path("ends").asText())
                .isEqualTo(NOW.plus(Duration.ofHours(2)).toString());
        assertThat(s.path("created_by").asText()).isEqualTo("ops");
        assertThat(JSON.readTree(send("GET", "/api/v1/silences", admin, null).body())
                        .path("silences"))
                .hasSize(1);
        assertThat(send("DELETE", "/api/v1/silences/" + s.path("id").asText(), admin, null)
                        .statusCode())
                .isEqualTo(200);
        assertThat(send("DELETE", "/api/v1/silences/424242", admin, null).statusCode())
                .isEqualTo(404);
        assertThat(send("POST", "/api/v1/silences", admin, "{\"matcher\":{}}").statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/api/v1/silences", admin, "{\"matcher\":{\"host\":\"a\"}}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/api/v1/silences", admin, "not json").statusCode())
                .isEqualTo(400);
    }

    @Test
    void intake_bodyOverMaxBody_is413() throws Exception {
        String big = "{\"x\":\"" + "a".repeat((int) DataSize.ofMiB(1).bytes()) + "\"}";
        // http.max_request_body (1 MiB here) and alert.intake.max_body (1 MiB) both bound it.
        HttpResponse<String> r = send("POST", "/api/v1/alerts/alertmanager", admin, big);
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void engineNotOpen_is503() throws Exception {
        server.close();
        HttpConfig hc = new HttpConfig(
                true, new ListenAddress("127.0.0.1", 0), DataSize.ofMiB(1), 16, 2, Duration.ofMillis(100));
        IncidentRoutes routes =
                new IncidentRoutes(() -> null, tokens, AlertConfig.defaults().intake(), InstantSource.fixed(NOW));
        server = new HttpServer(hc, new Metrics(), () -> true).routes(routes::register);
        server.start();
        assertThat(send("GET", "/api/v1/incidents", admin, null).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/ack/1.2.3", null, null).statusCode()).isEqualTo(503);
    }
}
