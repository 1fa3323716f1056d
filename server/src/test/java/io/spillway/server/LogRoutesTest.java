package io.spillway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import io.spillway.server.auth.Scope;
import io.spillway.server.auth.TokenStore;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The read API over real HTTP (Javalin on a free port) against an in-memory reader. */
class LogRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path dir;

    MemoryLogReader reader = new MemoryLogReader(3);
    TokenStore tokens;
    String admin;
    String webToken;
    HttpServer server;
    LogRoutes routes;
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeEach
    void start() throws Exception {
        tokens = TokenStore.inDataDir(dir, InstantSource.fixed(NOW));
        admin = tokens.create(Scope.ADMIN, null).secret();
        webToken = tokens.create(Scope.app("web"), "web reader").secret();
        // web: one record a minute from 10:00 to 11:59; api: two records
        for (int i = 0; i < 120; i++) {
            reader.append(rec("web", NOW.minusSeconds(7200 - 60L * i), i % 10 == 0 ? "error " + i : "line " + i));
        }
        reader.append(rec("api", NOW.minusSeconds(30), "api one"));
        reader.append(rec("api", NOW.minusSeconds(20), "api two"));
        HttpConfig config = new HttpConfig(
                true, new ListenAddress("127.0.0.1", 0), DataSize.ofMiB(1), 16, 2, Duration.ofMillis(100));
        routes = new LogRoutes(
                reader,
                tokens,
                () -> Map.of("web", Map.of("rate_limit", 42L, "shed", 3L), "ghost", Map.of("rate_limit", 7L)),
                config,
                InstantSource.fixed(NOW));
        server = new HttpServer(config, new Metrics(), () -> true).routes(routes::register);
        server.start();
    }

    @AfterEach
    void stop() {
        routes.close();
        server.close();
    }

    static LogRecord rec(String app, Instant t, String message) {
        return new LogRecord(
                t.getEpochSecond() * 1_000_000_000L + t.getNano() + 123_456_789,
                "node-7",
                app,
                app + ".1",
                LogStream.STDOUT,
                Severity.INFO,
                message.getBytes(StandardCharsets.UTF_8),
                Map.of("k", "v"));
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    @Test
    void apps_noToken_is401WithBearerChallengeAndJsonError() throws Exception {
        HttpResponse<String> r = get("/api/v1/apps", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(json(r).path("error").asText()).contains("missing token");
    }

    @Test
    void logs_badOrNonBearerToken_is401() throws Exception {
        assertThat(get("/api/v1/apps/web/logs", "spw_nope").statusCode()).isEqualTo(401);
        HttpResponse<String> basic = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/apps/web/logs"))
                        .header("Authorization", "Basic " + admin)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void logs_tokenRevokedByAnotherProcess_is401OnNextRequest() throws Exception {
        assertThat(get("/api/v1/apps/web/logs", webToken).statusCode()).isEqualTo(200);
        TokenStore cli = TokenStore.inDataDir(dir, InstantSource.fixed(NOW)); // as `spillway token revoke` would
        String id = cli.list().stream()
                .filter(t -> t.name().equals("web reader"))
                .findFirst()
                .orElseThrow()
                .id();
        assertThat(cli.revoke(id)).isTrue();
        assertThat(get("/api/v1/apps/web/logs", webToken).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/apps/web/logs", admin).statusCode()).isEqualTo(200);
    }

    @Test
    void apps_admin_listsEveryAppWithFiguresAndDrops() throws Exception {
        HttpResponse<String> r = get("/api/v1/apps", admin);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode apps = json(r).path("apps");
        assertThat(apps).extracting(a -> a.path("app").asText()).containsExactly("api", "ghost", "web");
        JsonNode web = apps.get(2);
        assertThat(web.path("records").asLong()).isEqualTo(120);
        assertThat(web.path("bytes_raw").asLong()).isPositive();
        assertThat(web.has("bytes_stored")).isTrue();
        assertThat(web.path("oldest").asText()).isEqualTo("2026-11-25T10:00:00.123456789Z");
        assertThat(web.path("newest").asText()).isEqualTo("2026-11-25T11:59:00.123456789Z");
        assertThat(web.path("ingest_rate").asDouble()).isEqualTo(0.5);
        assertThat(web.path("evicted_bytes").asLong()).isZero();
        assertThat(web.path("drops").path("rate_limit").asLong()).isEqualTo(42);
        assertThat(web.path("drops").path("shed").asLong()).isEqualTo(3);
        JsonNode ghost = apps.get(1);
        assertThat(ghost.path("records").asLong()).isZero();
        assertThat(ghost.path("oldest").isNull()).isTrue();
    }

    @Test
    void apps_appToken_listsOnlyItsApp() throws Exception {
        JsonNode apps = json(get("/api/v1/apps", webToken)).path("apps");
        assertThat(apps).extracting(a -> a.path("app").asText()).containsExactly("web");
    }

    @Test
    void logs_appTokenReadingAnotherApp_is403EvenForUnknownApp() throws Exception {
        HttpResponse<String> r = get("/api/v1/apps/api/logs", webToken);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).path("error").asText()).contains("web");
        assertThat(get("/api/v1/apps/nosuch/logs", webToken).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/apps/api/logs/tail", webToken).statusCode()).isEqualTo(403);
    }

    @Test
    void logs_unknownApp_is404() throws Exception {
        HttpResponse<String> r = get("/api/v1/apps/nosuch/logs", admin);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).path("error").asText()).isEqualTo("unknown app nosuch");
    }

    @Test
    void logs_plainQuery_newestFirstDefaultLimitAndRecordShape() throws Exception {
        HttpResponse<String> r = get("/api/v1/apps/web/logs", webToken);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        JsonNode records = body.path("records");
        assertThat(records).hasSize(100);
        JsonNode first = records.get(0);
        assertThat(first.path("message").asText()).isEqualTo("line 119");
        assertThat(first.path("time").asText()).isEqualTo("2026-11-25T11:59:00.123456789Z");
        assertThat(first.path("host").asText()).isEqualTo("node-7");
        assertThat(first.path("app").asText()).isEqualTo("web");
        assertThat(first.path("source").asText()).isEqualTo("web.1");
        assertThat(first.path("stream").asText()).isEqualTo("stdout");
        assertThat(first.path("severity").asText()).isEqualTo("info");
        assertThat(first.path("fields").path("k").asText()).isEqualTo("v");
        assertThat(first.path("cursor").asText()).isNotEmpty();
        assertThat(body.path("next_cursor").isTextual()).isTrue();
        assertThat(body.path("stopped_early").isNull()).isTrue();
    }

    @Test
    void logs_cursor_continuesWherePreviousPageEnded() throws Exception {
        JsonNode page1 = json(get("/api/v1/apps/web/logs?order=oldest&limit=70", admin));
        String next = page1.path("next_cursor").asText();
        JsonNode page2 = json(get(
                "/api/v1/apps/web/logs?order=oldest&limit=70&cursor=" + URLEncoder.encode(next, StandardCharsets.UTF_8),
                admin));
        assertThat(page1.path("records").get(0).path("message").asText()).isEqualTo("error 0");
        assertThat(page2.path("records")).hasSize(50);
        assertThat(page2.path("records").get(0).path("message").asText()).isEqualTo("error 70");
        assertThat(page2.path("next_cursor").isNull()).isTrue();
    }

    @Test
    void logs_relativeSinceRfc3339UntilAndGrep_filter() throws Exception {
        JsonNode r = json(get("/api/v1/apps/web/logs?since=30m&grep=error", admin));
        assertThat(r.path("records"))
                .extracting(n -> n.path("message").asText())
                .containsExactly("error 110", "error 100", "error 90");
        JsonNode until = json(get("/api/v1/apps/web/logs?until=2026-11-25T10:02:00Z&order=oldest", admin));
        assertThat(until.path("records"))
                .extracting(n -> n.path("message").asText())
                .containsExactly("error 0", "line 1");
        JsonNode regex = json(get(
                "/api/v1/apps/web/logs?regex=" + URLEncoder.encode("^line 11[89]$", StandardCharsets.UTF_8), admin));
        assertThat(regex.path("records"))
                .extracting(n -> n.path("message").asText())
                .containsExactly("line 119", "line 118");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "since=yesterday | since",
                "until=2026-13-45T99:00:00Z | until",
                "since=1h&until=2h | until",
                "limit=0 | limit",
                "limit=10001 | limit",
                "limit=many | limit",
                "order=sideways | order",
                "regex=%5B | regex",
                "grep=a&regex=b | regex",
                "cursor=garbage | cursor"
            })
    void logs_badParameter_is400NamingIt(String query, String parameter) throws Exception {
        HttpResponse<String> r = get("/api/v1/apps/web/logs?" + query, admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).path("error").asText()).startsWith(parameter + ": ");
    }

    /** An SSE connection read line by line on a thread of its own. */
    final class Sse implements AutoCloseable {
        final HttpResponse<InputStream> response;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread readerThread;

        Sse(String path, String token, String lastEventId) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .header("Authorization", "Bearer " + token);
            if (lastEventId != null) {
                b.header("Last-Event-ID", lastEventId);
            }
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            readerThread = Thread.ofPlatform().daemon(true).start(() -> {
                try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (Exception e) {
                    // closed by the test
                }
            });
        }

        /** The next line that starts with {@code prefix}, waiting up to 10 s. */
        String next(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null && l.startsWith(prefix)) {
                    return l;
                }
            }
            throw new AssertionError("no line starting with " + prefix + " within 10s");
        }

        @Override
        public void close() throws Exception {
            response.body().close();
            readerThread.interrupt();
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void tail_lineStoredAfterConnect_arrivesAsRecordEvent() throws Exception {
        try (Sse sse = new Sse("/api/v1/apps/web/logs/tail?grep=hello", webToken, null)) {
            assertThat(sse.response.statusCode()).isEqualTo(200);
            assertThat(sse.response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            sse.next(": following web");
            reader.append(rec("web", NOW, "not this one"));
            reader.append(rec("web", NOW, "hello after connect"));
            String id = sse.next("id: ");
            assertThat(sse.next("event: ")).isEqualTo("event: record");
            String data = sse.next("data: ");
            JsonNode rec = JSON.readTree(data.substring(6));
            assertThat(rec.path("message").asText()).isEqualTo("hello after connect");
            assertThat(rec.path("cursor").asText()).isEqualTo(id.substring(4));
            sse.next(": heartbeat");
        }
    }

    @Test
    void tail_lastEventId_catchesUpThenFollows() throws Exception {
        try (Sse sse = new Sse("/api/v1/apps/web/logs/tail", admin, "web:117")) {
            assertThat(JSON.readTree(sse.next("data: ").substring(6))
                            .path("message")
                            .asText())
                    .isEqualTo("line 118");
            assertThat(JSON.readTree(sse.next("data: ").substring(6))
                            .path("message")
                            .asText())
                    .isEqualTo("line 119");
            reader.append(rec("web", NOW, "live"));
            assertThat(JSON.readTree(sse.next("data: ").substring(6))
                            .path("message")
                            .asText())
                    .isEqualTo("live");
        }
    }

    @Test
    void tail_lastEventIdFarBehind_replaysOnePageThenSaysGap() throws Exception {
        for (int i = 0; i < LogRoutes.RESUME_LIMIT + 5; i++) {
            reader.append(rec("api", NOW, "old " + i));
        }
        try (Sse sse = new Sse("/api/v1/apps/api/logs/tail", admin, "api:0")) {
            assertThat(sse.next("event: gap")).isEqualTo("event: gap");
            JsonNode gap = JSON.readTree(sse.next("data: {\"reason\"").substring(6));
            assertThat(gap.path("reason").asText()).isEqualTo("resume_limit");
            assertThat(gap.path("after").asText()).isEqualTo("api:" + LogRoutes.RESUME_LIMIT);
        }
    }

    @Test
    void tail_consumerBehind_getsMissedEvent() throws Exception {
        // The store tail holds 3; appending 10 under the lock the tail thread needs overflows it.
        try (Sse sse = new Sse("/api/v1/apps/web/logs/tail", admin, null)) {
            sse.next(": following");
            synchronized (reader) {
                for (int i = 0; i < 10; i++) {
                    reader.append(rec("web", NOW, "burst " + i));
                }
            }
            assertThat(sse.next("event: missed")).isEqualTo("event: missed");
            assertThat(JSON.readTree(sse.next("data: {\"missed\"").substring(6))
                            .path("missed")
                            .asLong())
                    .isPositive();
        }
    }

    @Test
    void tail_beyondMaxTails_is503_andAClosedClientFreesItsSlotAndThread() throws Exception {
        try (Sse one = new Sse("/api/v1/apps/web/logs/tail", admin, null);
                Sse two = new Sse("/api/v1/apps/api/logs/tail", admin, null)) {
            one.next(": following");
            two.next(": following");
            HttpResponse<String> third = get("/api/v1/apps/web/logs/tail", admin);
            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(third.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(third).path("error").asText()).contains("http.max_tails");
            one.close();
            // the tail's thread ends just after it gives back its slot: wait for both
            await(
                    () -> routes.openTails() == 1 && reader.openTails() == 1 && tailThreads() == 1,
                    "the closed client's tail ends and its thread with it");
            try (Sse three = new Sse("/api/v1/apps/web/logs/tail", admin, null)) {
                assertThat(three.response.statusCode()).isEqualTo(200);
            }
        }
        await(() -> routes.openTails() == 0 && reader.openTails() == 0, "every tail ends");
    }

    private static long tailThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("http-tail-"))
                .count();
    }

    @Test
    void tail_storeFollowerBoundFull_is503AndFreesTheSlot() throws Exception {
        reader.maxFollowers = 0;
        HttpResponse<String> r = get("/api/v1/apps/web/logs/tail", admin);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).path("error").asText()).contains("max_followers");
        assertThat(routes.openTails()).isZero();
        reader.maxFollowers = Integer.MAX_VALUE;
        try (Sse a = new Sse("/api/v1/apps/web/logs/tail", admin, null);
                Sse b = new Sse("/api/v1/apps/web/logs/tail", admin, null)) {
            assertThat(a.response.statusCode()).isEqualTo(200);
            assertThat(b.response.statusCode())
                    .as("both http.max_tails permits are free again")
                    .isEqualTo(200);
        }
    }

    @Test
    void storeNotOpenYet_is503NotACrash() throws Exception {
        HttpConfig config = new HttpConfig(
                true, new ListenAddress("127.0.0.1", 0), DataSize.ofMiB(1), 16, 2, Duration.ofMillis(100));
        LogRoutes closedStore = new LogRoutes(() -> null, tokens, Map::of, config, InstantSource.fixed(NOW));
        try (HttpServer s = new HttpServer(config, new Metrics(), () -> true).routes(closedStore::register)) {
            s.start();
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/api/v1/apps/web/logs/tail"))
                            .header("Authorization", "Bearer " + admin)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).path("error").asText()).contains("store is not open");
            assertThat(closedStore.openTails()).isZero();
        }
    }

    @Test
    void storeClosingItsTails_endsTheStreamAndFreesTheSlot() throws Exception {
        try (Sse sse = new Sse("/api/v1/apps/web/logs/tail", admin, null)) {
            sse.next(": following");
            reader.closeTails();
            await(() -> routes.openTails() == 0, "the tail thread ends when the store closes its tail");
        }
    }

    @Test
    void serverStop_endsOpenTails() throws Exception {
        try (Sse sse = new Sse("/api/v1/apps/web/logs/tail", admin, null)) {
            sse.next(": following");
            assertThat(routes.openTails()).isEqualTo(1);
            server.close();
            await(() -> routes.openTails() == 0 && reader.openTails() == 0, "the tail ends with the server");
        }
    }

    @Test
    void time_formatsRfc3339WithNanosInUtc() {
        Instant t = NOW.atOffset(ZoneOffset.UTC).toInstant().plusNanos(5);
        assertThat(ApiParams.time(t.getEpochSecond() * 1_000_000_000L + t.getNano()))
                .isEqualTo("2026-11-25T12:00:00.000000005Z");
    }
}
