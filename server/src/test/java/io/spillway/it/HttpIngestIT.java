package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/v1/ingest} against Spillway as a real process: NDJSON, logplex-1, 400, 413, 429. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpIngestIT {
    SpillwayProcess spillway;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        spillway = SpillwayProcess.start(
                dir,
                "--set",
                "inputs.http.max_records=100",
                "--set",
                "guard.apps={limited: {rate_limit: {lines_per_second: 1, burst: 2s}}}");
    }

    @AfterAll
    void stop() throws Exception {
        if (spillway != null) {
            spillway.close();
        }
    }

    private HttpResponse<String> post(String query, String contentType, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + spillway.httpPort + "/api/v1/ingest" + query))
                        .header("Content-Type", contentType)
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void awaitLine(String app, String text) throws Exception {
        Path file = spillway.appFile(app);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no \"" + text + "\" in " + file + "\n" + spillway.output());
    }

    @Test
    void ndjson_acceptedDurableAndWritten() throws Exception {
        HttpResponse<String> r = post(
                "",
                "application/x-ndjson",
                "{\"app\":\"web\",\"message\":\"hello over http\",\"level\":\"err\"}\nnot json\n"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body())
                .contains("\"accepted\":1")
                .contains("\"durable\":true")
                .contains("\"malformed\":1");
        awaitLine("web", "hello over http");
        assertThat(spillway.metric("spillway_input_errors_total{input=\"http\",kind=\"parse_error\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void logplex_framesWritten() throws Exception {
        String msg = "<190>1 2026-11-25T10:00:00+00:00 host app web.1 - State changed from starting to up";
        HttpResponse<String> r = post(
                "?app=drained", "application/logplex-1", (msg.length() + " " + msg).getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        awaitLine("drained", "State changed from starting to up");
    }

    @Test
    void garbageOnly_is400() throws Exception {
        HttpResponse<String> r = post("", "application/x-ndjson", "nope\n".getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("line 1");
    }

    @Test
    void tooManyRecords_is413() throws Exception {
        HttpResponse<String> r = post(
                "", "application/x-ndjson", "{\"message\":\"m\"}\n".repeat(101).getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("max_records");
    }

    @Test
    void bodyOverMaxRequestBody_is413() throws Exception {
        byte[] big = new byte[9 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        HttpResponse<String> r = post("", "application/x-ndjson", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(spillway.isAlive()).isTrue();
    }

    @Test
    void appOverItsLimit_is429WithRetryAfter() throws Exception {
        HttpResponse<String> r = post(
                "",
                "application/x-ndjson",
                "{\"app\":\"limited\",\"message\":\"m\"}\n".repeat(10).getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After"))
                .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
        assertThat(r.body()).contains("rate_limit");
    }

    @Test
    void ingestAuthToken_refusesWithoutTokenAndTakesTheFirstAdminToken(@TempDir Path dir) throws Exception {
        try (SpillwayProcess sp = SpillwayProcess.start(dir, "--set", "http.ingest_auth=token")) {
            URI ingest = URI.create("http://127.0.0.1:" + sp.httpPort + "/api/v1/ingest?app=authed");
            byte[] body = "{\"message\":\"with a token\"}\n".getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> none = http.send(
                    HttpRequest.newBuilder(ingest)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).as(none.body()).isEqualTo(401);
            String admin = Files.readString(sp.dataDir.resolve("admin.token")).strip();
            HttpResponse<String> ok = http.send(
                    HttpRequest.newBuilder(ingest)
                            .header("Authorization", "Bearer " + admin)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(sp.metric("spillway_input_errors_total{input=\"http\",kind=\"unauthorized\"}"))
                    .isEqualTo(1.0);
            assertThat(sp.output()).doesNotContain("open to anyone");
        }
    }

    @Test
    void ingestAuthNoneOffLoopback_warnsNamingTheKey(@TempDir Path dir) throws Exception {
        int port = SpillwayProcess.freePort();
        try (SpillwayProcess sp =
                SpillwayProcess.start(dir, port, SpillwayProcess.freePort(), "--set", "http.listen=0.0.0.0:" + port)) {
            assertThat(sp.output()).contains("open to anyone").contains("http.ingest_auth");
        }
    }

    @Test
    void chunkedBodyOf600MiBOneLine_atSmallHeap_is413NotOutOfMemory(@TempDir Path dir) throws Exception {
        // The hostile tester's case: with -Xmx256m a 600 MB chunked line ended in OutOfMemoryError (500),
        // because a chunked body skipped http.max_request_body. Now it is refused once past the bound.
        try (SpillwayProcess small = SpillwayProcess.startWithHeap(dir, "256m")) {
            long rssBefore = small.rssBytes();
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", small.httpPort)) {
                s.setSoTimeout(60_000);
                java.io.OutputStream out = s.getOutputStream();
                out.write(("POST /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] data = new byte[64 * 1024];
                java.util.Arrays.fill(data, (byte) 'x');
                byte[] head = (Integer.toHexString(data.length) + "\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] crlf = "\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        out.write(chunkOf("{\"app\":\"huge\",\"message\":\""
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                        for (long sent = 0; sent < 600L * 1024 * 1024; sent += data.length) {
                            out.write(head);
                            out.write(data);
                            out.write(crlf);
                        }
                        out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    } catch (java.io.IOException e) {
                        // the server answered and closed: expected
                    }
                });
                String status =
                        new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
                writer.join(60_000);
                assertThat(status).isEqualTo("HTTP/1.1 413");
            }
            assertThat(small.isAlive()).isTrue();
            assertThat(small.metric("spillway_input_errors_total{input=\"http\",kind=\"body_too_large\"}"))
                    .isEqualTo(1);
            assertThat(small.get("/healthz").statusCode()).isEqualTo(200);
            System.out.printf(
                    Locale.ROOT, "RSS before %d MiB, after %d MiB%n", rssBefore >> 20, small.rssBytes() >> 20);
            assertThat(small.output()).doesNotContain("OutOfMemoryError");
        }
    }

    private static byte[] chunkOf(byte[] data) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.writeBytes(data);
        b.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return b.toByteArray();
    }
}
