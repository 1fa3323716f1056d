package io.spillway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.input.http.HttpIngestConfig;
import io.spillway.input.http.LogplexDecoder;
import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import io.spillway.record.LogRecord;
import io.spillway.server.auth.Scope;
import io.spillway.server.auth.TokenStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest route's authentication ({@code http.ingest_auth}) over real HTTP (Javalin on a free port);
 * the sink records what reached the pipeline and acknowledges it at once.
 */
class IngestRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String NDJSON = "{\"app\":\"web\",\"message\":\"one\"}\n{\"message\":\"two\"}\n";
    private static final String LOGPLEX_FRAME = "<190>1 2026-11-25T10:00:00+00:00 host app web.1 - State changed";

    @TempDir
    Path dir;

    final List<LogRecord> stored = new CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Nullable
    HttpServer server;

    TokenStore tokens;
    String admin;
    String webToken;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    void start(HttpConfig.IngestAuth auth) throws Exception {
        tokens = TokenStore.inDataDir(dir, InstantSource.fixed(NOW));
        admin = tokens.create(Scope.ADMIN, null).secret();
        webToken = tokens.create(Scope.app("web"), "web sender").secret();
        HttpIngestConfig ic = HttpIngestConfig.defaults();
        Metrics metrics = new Metrics();
        IngestRoutes routes = new IngestRoutes(
                ic,
                new LogplexDecoder(
                        new SyslogDecoder(InstantSource.fixed(NOW)),
                        ic.maxRecord().toIntBytes(),
                        ic.maxRecords()),
                (records, onDurable) -> {
                    stored.addAll(records);
                    onDurable.accept(new Receipt(Collections.nCopies(records.size(), Admission.ACCEPTED), true));
                },
                new InputMetrics(metrics, "http"),
                InstantSource.fixed(NOW),
                "node-7",
                app -> 1,
                auth,
                tokens);
        HttpConfig hc = new HttpConfig(
                true, new ListenAddress("127.0.0.1", 0), DataSize.ofMiB(1), 16, 2, Duration.ofMillis(100), auth);
        server = new HttpServer(hc, metrics, () -> true).routes(routes::register);
        server.start();
    }

    HttpResponse<String> post(String query, @Nullable String authorization, String contentType, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/api/v1/ingest" + query))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> ndjson(String query, @Nullable String authorization, String body) throws Exception {
        return post(query, authorization, "application/x-ndjson", body);
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String logplex(String frame) {
        return frame.getBytes(StandardCharsets.UTF_8).length + " " + frame;
    }

    String metrics() throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    List<String> apps() {
        return stored.stream().map(LogRecord::app).toList();
    }

    @Test
    void none_noToken_acceptsAsBefore() throws Exception {
        start(HttpConfig.IngestAuth.NONE);
        HttpResponse<String> r = ndjson("", null, NDJSON);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("accepted").asInt()).isEqualTo(2);
        assertThat(apps()).containsExactly("web", "unknown");
    }

    @Test
    void none_garbageAuthorization_isIgnored() throws Exception {
        start(HttpConfig.IngestAuth.NONE);
        assertThat(ndjson("?app=api", "Bearer spw_nope", NDJSON).statusCode()).isEqualTo(200);
        assertThat(apps()).containsExactly("api", "api");
    }

    @Test
    void token_noToken_is401WithChallengeAndNothingStored() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        HttpResponse<String> r = ndjson("", null, NDJSON);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("error").asText()).contains("missing token");
        assertThat(body.path("status").asInt()).isEqualTo(401);
        assertThat(stored).isEmpty();
        assertThat(metrics()).contains("spillway_input_errors_total{input=\"http\",kind=\"unauthorized\"} 1.0");
    }

    @Test
    void token_unknownToken_is401() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        assertThat(ndjson("", bearer("spw_nope"), NDJSON).statusCode()).isEqualTo(401);
        assertThat(ndjson("", basic("spillway", "spw_nope"), NDJSON).statusCode())
                .isEqualTo(401);
        assertThat(ndjson("", "Basic !!notbase64", NDJSON).statusCode()).isEqualTo(401);
        assertThat(ndjson("", "Digest abc", NDJSON).statusCode()).isEqualTo(401);
        // oversized credentials are refused before any decoding, even when they carry a valid token
        assertThat(ndjson("", basic("x".repeat(2048), webToken), NDJSON).statusCode())
                .isEqualTo(401);
        assertThat(stored).isEmpty();
        assertThat(metrics()).contains("spillway_input_errors_total{input=\"http\",kind=\"unauthorized\"} 5.0");
    }

    @Test
    void token_revokedToken_is401OnNextRequest() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        assertThat(ndjson("", bearer(webToken), NDJSON).statusCode()).isEqualTo(200);
        String id = tokens.list().stream()
                .filter(t -> !t.scope().isAdmin())
                .findFirst()
                .orElseThrow()
                .id();
        TokenStore.inDataDir(dir, InstantSource.fixed(NOW)).revoke(id); // as `spillway token revoke` would
        assertThat(ndjson("", bearer(webToken), NDJSON).statusCode()).isEqualTo(401);
    }

    @Test
    void token_adminBearer_sendsForAnyApp() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        String body = NDJSON + "{\"app\":\"api\",\"message\":\"three\"}\n";
        assertThat(ndjson("", bearer(admin), body).statusCode()).isEqualTo(200);
        assertThat(apps()).containsExactly("web", "unknown", "api");
    }

    @Test
    void token_appTokenWithoutAppParameter_defaultsToTokensApp() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        HttpResponse<String> r = ndjson("", bearer(webToken), NDJSON);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("accepted").asInt()).isEqualTo(2);
        assertThat(apps()).containsExactly("web", "web");
    }

    @Test
    void token_appTokenWithOwnAppParameter_is200() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        assertThat(ndjson("?app=web", bearer(webToken), "{\"message\":\"x\"}\n").statusCode())
                .isEqualTo(200);
        assertThat(apps()).containsExactly("web");
    }

    @Test
    void token_appTokenWithRecordOfAnotherApp_is403AndNothingAccepted() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        String body = NDJSON + "{\"app\":\"api\",\"message\":\"sneaky\"}\n";
        HttpResponse<String> r = ndjson("", bearer(webToken), body);
        assertThat(r.statusCode()).isEqualTo(403);
        JsonNode json = JSON.readTree(r.body());
        assertThat(json.path("error").asText()).contains("web").contains("api");
        assertThat(stored).isEmpty();
        assertThat(metrics())
                .contains("spillway_input_errors_total{input=\"http\",kind=\"forbidden\"} 1.0")
                .contains("spillway_input_received_records_total{input=\"http\"} 0.0");
    }

    @Test
    void token_appTokenWithAnotherAppParameter_is403() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        assertThat(ndjson("?app=api", bearer(webToken), NDJSON).statusCode()).isEqualTo(403);
        assertThat(stored).isEmpty();
    }

    @Test
    void token_basicWithTokenAsPassword_isAcceptedForAnyUser() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        assertThat(ndjson("", basic("spillway", webToken), NDJSON).statusCode()).isEqualTo(200);
        assertThat(ndjson("", basic("", admin), NDJSON).statusCode()).isEqualTo(200);
        assertThat(apps()).containsExactly("web", "web", "web", "unknown");
    }

    @Test
    void token_logplexWithAppTokenAndNoAppParameter_framesGetTokensApp() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        String body = logplex(LOGPLEX_FRAME) + logplex(LOGPLEX_FRAME.replace(" app ", " heroku "));
        HttpResponse<String> r = post("", basic("spillway", webToken), IngestRoutes.LOGPLEX, body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(apps()).containsExactly("web", "web");
    }

    @Test
    void token_logplexWithAppTokenForAnotherApp_is403() throws Exception {
        start(HttpConfig.IngestAuth.TOKEN);
        HttpResponse<String> r =
                post("?app=api", basic("spillway", webToken), IngestRoutes.LOGPLEX, logplex(LOGPLEX_FRAME));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(stored).isEmpty();
    }

    @Test
    void loopbackOnly_tellsLoopbackFromOtherAddresses() {
        assertThat(withListen("127.0.0.1:8080").loopbackOnly()).isTrue();
        assertThat(withListen("[::1]:8080").loopbackOnly()).isTrue();
        assertThat(withListen("localhost:8080").loopbackOnly()).isTrue();
        assertThat(withListen(":8080").loopbackOnly()).isFalse();
        assertThat(withListen("10.0.0.5:8080").loopbackOnly()).isFalse();
        assertThat(withListen("[::]:8080").loopbackOnly()).isFalse();
    }

    private static HttpConfig withListen(String listen) {
        HttpConfig d = HttpConfig.defaults();
        return new HttpConfig(
                true,
                ListenAddress.parse(listen),
                d.maxRequestBody(),
                d.maxThreads(),
                d.maxTails(),
                d.tailHeartbeat(),
                d.ingestAuth());
    }
}
