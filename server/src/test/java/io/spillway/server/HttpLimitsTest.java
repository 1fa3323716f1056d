package io.spillway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.input.http.HttpIngestConfig;
import io.spillway.input.http.LogplexDecoder;
import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InflightMemory;
import io.spillway.pipeline.InputMetrics;
import io.spillway.record.LogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP listener's bounds over real sockets (Javalin on a free loopback port): request bodies however
 * framed ({@code http.max_request_body}, {@code limits.inflight_memory}), the header and body timeouts,
 * connections per source and in all. Requests are written by hand, so a test controls the framing and
 * the pace byte by byte.
 */
class HttpLimitsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MAX_BODY = 1024 * 1024;
    private static final String LINE = "{\"app\":\"web\",\"message\":\"a line of a chunked body\"}\n";

    final Metrics metrics = new Metrics();
    final List<LogRecord> stored = new CopyOnWriteArrayList<>();
    final List<Socket> sockets = new ArrayList<>();
    InflightMemory inflight = new InflightMemory(DataSize.ofMiB(64), metrics);

    @Nullable
    HttpServer server;

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    void start(HttpConfig config, Duration minIdleToEvict) throws Exception {
        HttpIngestConfig ic = new HttpIngestConfig(true, DataSize.ofKiB(64), 1_000_000, Duration.ofSeconds(10));
        InputMetrics http = new InputMetrics(metrics, "http");
        IngestRoutes routes = new IngestRoutes(
                ic,
                new LogplexDecoder(new SyslogDecoder(InstantSource.fixed(NOW)), 64 * 1024, 1_000_000),
                (records, onDurable) -> {
                    stored.addAll(records);
                    onDurable.accept(new Receipt(Collections.nCopies(records.size(), Admission.ACCEPTED), true));
                },
                http,
                InstantSource.fixed(NOW),
                "node-7",
                app -> 1);
        server = new HttpServer(config, metrics, () -> true, http, inflight, InstantSource.system(), minIdleToEvict)
                .routes(routes::register)
                .routes(app -> app.get("/slow", ctx -> {
                    Thread.sleep(800); // a long answer, as a live tail is: not the client's body being slow
                    ctx.result("done");
                }));
        server.start();
    }

    static HttpConfig config() {
        return new HttpConfig(
                true,
                new ListenAddress("127.0.0.1", 0),
                DataSize.ofBytes(MAX_BODY),
                16,
                2,
                Duration.ofMillis(100),
                HttpConfig.IngestAuth.NONE);
    }

    @Test
    void ingest_chunkedBodyOverMaxRequestBody_is413CountedAndNeverBufferedPastTheBound() throws Exception {
        start(config(), HttpServer.MIN_IDLE_TO_EVICT);
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        out.write(head("POST", "Transfer-Encoding: chunked\r\nContent-Type: application/x-ndjson"));
        // 9 MiB of valid lines, as the hostile tester sent: accepted whole before the bound was streamed.
        AtomicBoolean cut = new AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            byte[] chunk = chunk(LINE.repeat(1000).getBytes(StandardCharsets.UTF_8));
            try {
                for (int sent = 0; sent < 9 * MAX_BODY; sent += chunk.length) {
                    out.write(chunk);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                cut.set(true); // the server closed the connection after answering: expected
            }
        });
        String response = readResponse(s);
        writer.join(WAIT.toMillis());
        assertThat(response).startsWith("HTTP/1.1 413").contains("http.max_request_body (" + MAX_BODY + " bytes)");
        assertThat(errors("body_too_large")).isEqualTo(1);
        assertThat(stored).isEmpty();
        assertThat(inflight.peak()).isLessThanOrEqualTo(MAX_BODY);
        await("the body's reservation returned", () -> inflight.used() == 0);
    }

    @Test
    void ingest_chunkedBodyWithinBound_isAccepted() throws Exception {
        start(config(), HttpServer.MIN_IDLE_TO_EVICT);
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        out.write(head("POST", "Transfer-Encoding: chunked\r\nContent-Type: application/x-ndjson"));
        out.write(chunk(LINE.repeat(3).getBytes(StandardCharsets.UTF_8)));
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(readResponse(s)).startsWith("HTTP/1.1 200").contains("\"accepted\":3");
        assertThat(stored).hasSize(3);
        await("the body's reservation returned", () -> inflight.used() == 0);
    }

    @Test
    void ingest_declaredLengthOverMax_is413BeforeTheBodyIsRead() throws Exception {
        start(config(), HttpServer.MIN_IDLE_TO_EVICT);
        Socket s = connect();
        s.getOutputStream().write(head("POST", "Content-Length: " + (MAX_BODY + 1)));
        // Jetty dispatches a request with a body once its first bytes are in (delayDispatchUntilContent).
        s.getOutputStream().write(LINE.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        assertThat(readResponse(s)).startsWith("HTTP/1.1 413").contains("http.max_request_body");
        assertThat(errors("body_too_large")).isEqualTo(1);
        assertThat(inflight.peak()).isZero();
    }

    @Test
    void ingest_bodyOverInflightBudget_is503CountedAndReleased() throws Exception {
        inflight = new InflightMemory(DataSize.ofMiB(1), metrics);
        start(config(), HttpServer.MIN_IDLE_TO_EVICT);
        try (InflightMemory.Lease other = inflight.lease("forward")) {
            assertThat(other.tryReserve(MAX_BODY - 100)).isTrue(); // a decompression elsewhere holds the budget
            byte[] body = LINE.repeat(10).getBytes(StandardCharsets.UTF_8);
            Socket s = connect();
            s.getOutputStream().write(head("POST", "Content-Length: " + body.length));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            assertThat(readResponse(s)).startsWith("HTTP/1.1 503").contains("limits.inflight_memory");
            assertThat(errors("inflight_memory")).isEqualTo(1);
            assertThat(refused("http")).isEqualTo(1);
            assertThat(stored).isEmpty();
        }
        await("every reservation returned", () -> inflight.used() == 0);
    }

    @Test
    void ingest_gzipEncodedBody_is415() throws Exception {
        start(config(), HttpServer.MIN_IDLE_TO_EVICT);
        Socket s = connect();
        s.getOutputStream().write(head("POST", "Content-Encoding: gzip\r\nContent-Length: 4"));
        s.getOutputStream().write(new byte[] {0x1f, (byte) 0x8b, 8, 0});
        s.getOutputStream().flush();
        assertThat(readResponse(s)).startsWith("HTTP/1.1 415").contains("Content-Encoding gzip");
        assertThat(errors("unsupported_encoding")).isEqualTo(1);
    }

    @Test
    void slowloris_headersTrickled_cutAtHeaderTimeoutWhileOthersAreServed() throws Exception {
        start(config().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(60)), HttpServer.MIN_IDLE_TO_EVICT);
        Socket slow = connect();
        AtomicBoolean closed = new AtomicBoolean();
        Thread trickle = Thread.ofPlatform().start(() -> {
            byte[] head =
                    "POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                            .getBytes(StandardCharsets.US_ASCII);
            try {
                for (byte b : head) {
                    slow.getOutputStream().write(b);
                    slow.getOutputStream().flush();
                    Thread.sleep(50); // one byte at a time: never silent long enough for the idle timeout
                }
            } catch (IOException e) {
                closed.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(closedByServer(slow)).isTrue();
        trickle.interrupt();
        trickle.join(WAIT.toMillis());
        assertThat(errors("header_timeout")).isEqualTo(1);
        assertThat(post(connect(), LINE)).startsWith("HTTP/1.1 200");
    }

    @Test
    void slowBody_cutAtBodyTimeout() throws Exception {
        start(config().withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(300)), HttpServer.MIN_IDLE_TO_EVICT);
        Socket slow = connect();
        slow.getOutputStream().write(head("POST", "Content-Length: 1000"));
        slow.getOutputStream().write("{\"mess".getBytes(StandardCharsets.US_ASCII));
        slow.getOutputStream().flush();
        assertThat(closedByServer(slow)).isTrue();
        await("body_timeout counted", () -> errors("body_timeout") == 1);
        await("the body's reservation returned", () -> inflight.used() == 0);
    }

    @Test
    void slowAnswerToABodylessGet_isNotABodyTimeout() throws Exception {
        start(config().withTimeouts(Duration.ofMillis(200), Duration.ofMillis(200)), HttpServer.MIN_IDLE_TO_EVICT);
        Socket s = connect();
        s.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        assertThat(readResponse(s)).startsWith("HTTP/1.1 200").endsWith("done");
        assertThat(errors("body_timeout")).isZero();
        assertThat(errors("header_timeout")).isZero();
    }

    @Test
    void keepAlive_idleBetweenRequests_isNotAHeaderTimeout() throws Exception {
        start(config().withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(60)), HttpServer.MIN_IDLE_TO_EVICT);
        Socket s = connect();
        assertThat(post(s, LINE)).startsWith("HTTP/1.1 200");
        Thread.sleep(600); // silent between requests: only the idle timeout (30s) applies
        assertThat(post(s, LINE)).startsWith("HTTP/1.1 200");
        assertThat(errors("header_timeout")).isZero();
    }

    @Test
    void perSource_overLimit_closedAndCountedOthersKept() throws Exception {
        start(config().withConnections(100, 2), HttpServer.MIN_IDLE_TO_EVICT);
        Socket first = connect();
        Socket second = connect();
        await("two open", () -> server.openConnections() == 2);
        Socket third = connect();
        assertThat(closedByServer(third)).isTrue();
        assertThat(errors("per_source_limit")).isEqualTo(1);
        assertThat(post(first, LINE)).startsWith("HTTP/1.1 200");
        assertThat(post(second, LINE)).startsWith("HTTP/1.1 200");
    }

    @Test
    void maxConnections_fullOfIdleSockets_evictsTheLongestIdleAndServesTheNewClient() throws Exception {
        start(config().withConnections(3, 100), Duration.ZERO);
        Socket oldest = connect();
        await("one open", () -> server.openConnections() == 1);
        Thread.sleep(50); // so the first is the longest idle by Jetty's clock
        connect();
        connect();
        await("three open", () -> server.openConnections() == 3);
        Socket polite = connect();
        assertThat(post(polite, LINE)).startsWith("HTTP/1.1 200");
        assertThat(closedByServer(oldest)).isTrue();
        assertThat(errors("idle_evicted")).isEqualTo(1);
        assertThat(errors("connection_refused")).isZero();
    }

    // --- helpers

    Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.setSoTimeout((int) WAIT.toMillis());
        sockets.add(s);
        return s;
    }

    static byte[] head(String method, String headers) {
        return (method + " /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] chunk(byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(data);
        b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    /** One NDJSON request on {@code s}, kept alive; returns the response head and body. */
    static String post(Socket s, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(head("POST", "Content-Type: application/x-ndjson\r\nContent-Length: " + b.length));
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        return readResponse(s);
    }

    /** Reads one response: the head, then Content-Length bytes of body. */
    static String readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
        if (m.find()) {
            text += new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
        }
        return text;
    }

    /** True when the server closed the connection (EOF or reset) within the wait; the rest is skipped. */
    static boolean closedByServer(Socket s) {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // a response before the close is fine: we only wait for the close
            }
            return true;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    double errors(String kind) {
        return counter("spillway_input_errors", "kind", kind);
    }

    double refused(String user) {
        return counter("spillway_inflight_memory_refused", "user", user);
    }

    double counter(String name, String label, String value) {
        return metrics.registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals(name))
                .flatMap(s -> s.getDataPoints().stream())
                .filter(dp -> value.equals(dp.getLabels().get(label)))
                .mapToDouble(dp -> ((CounterSnapshot.CounterDataPointSnapshot) dp).getValue())
                .findFirst()
                .orElse(0);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
