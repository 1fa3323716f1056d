package io.spillway.input.gelf;

import static io.spillway.input.gelf.Gelf.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.spillway.FakeClock;
import io.spillway.admission.Admission;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.input.netty.TcpListener;
import io.spillway.input.netty.UdpListener;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The GELF server over real loopback sockets, with payloads and chunks built by the test. */
class GelfInputIT {
    static {
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.PARANOID);
    }

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A started input on loopback port 0 with the records it delivered and its counters. */
    private static final class Server implements AutoCloseable {
        final Metrics metrics = new Metrics();
        final LinkedBlockingQueue<LogRecord> records = new LinkedBlockingQueue<>();
        final GelfInput input;

        Server(int maxConnections, DataSize maxMessage, int maxChunked) throws Exception {
            this(maxConnections, maxMessage, maxChunked, Duration.ofMinutes(5));
        }

        Server(int maxConnections, DataSize maxMessage, int maxChunked, Duration idleTimeout) throws Exception {
            this(maxConnections, maxMessage, maxChunked, idleTimeout, null);
        }

        Server(
                int maxConnections,
                DataSize maxMessage,
                int maxChunked,
                Duration idleTimeout,
                io.spillway.pipeline.@Nullable InflightMemory inflight)
                throws Exception {
            ListenAddress any = ListenAddress.loopback(0);
            GelfConfig config = new GelfConfig(
                    true,
                    new UdpListener(true, any, DataSize.ofMiB(4)),
                    new TcpListener(true, any, maxConnections, idleTimeout, 1000),
                    maxMessage,
                    maxChunked,
                    DataSize.ofMiB(32),
                    Duration.ofSeconds(5),
                    "_container_name");
            FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
            input = inflight == null
                    ? new GelfInput(config, new InputMetrics(metrics, "gelf"), clock)
                    : new GelfInput(config, new InputMetrics(metrics, "gelf"), clock, inflight);
            input.start(r -> {
                records.add(r);
                return Admission.ACCEPTED;
            });
        }

        Server() throws Exception {
            this(16, DataSize.ofMiB(1), 1000);
        }

        LogRecord next() throws InterruptedException {
            LogRecord r = records.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(r).as("a record within " + WAIT).isNotNull();
            return r;
        }

        double counter(String name, @Nullable String kind) {
            for (MetricSnapshot s : metrics.registry().scrape()) {
                if (!s.getMetadata().getName().equals(name)) {
                    continue;
                }
                for (DataPointSnapshot dp : s.getDataPoints()) {
                    if (kind == null || kind.equals(dp.getLabels().get("kind"))) {
                        return ((CounterSnapshot.CounterDataPointSnapshot) dp).getValue();
                    }
                }
            }
            return 0;
        }

        double errors(String kind) {
            return counter("spillway_input_errors", kind);
        }

        void udp(DatagramSocket socket, byte[] datagram) throws IOException {
            socket.send(
                    new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), input.udpPort()));
        }

        Socket tcp() throws IOException {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), input.tcpPort());
            s.setSoTimeout((int) WAIT.toMillis());
            return s;
        }

        @Override
        public void close() {
            input.stop();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static String message(String text, String app) {
        return "{\"version\":\"1.1\",\"host\":\"node-1\",\"short_message\":\"" + text
                + "\",\"timestamp\":1438138800.5,\"level\":3,\"_container_name\":\"" + app
                + "\",\"_container_id\":\"c0ffee\"}";
    }

    @Test
    void udp_plainGzipZlibAndChunkedGzip_allDecoded() throws Exception {
        try (Server server = new Server();
                DatagramSocket socket = new DatagramSocket()) {
            server.udp(socket, utf8(message("plain", "web")));
            server.udp(socket, Gelf.gzip(utf8(message("gzip", "web"))));
            server.udp(socket, Gelf.zlib(utf8(message("zlib", "web"))));
            // A large message, gzip-compressed then chunked (as Docker's gelf driver does), sent backwards.
            String big = "b".repeat(30_000)
                    + new Random(1)
                            .ints(20_000, 'a', 'z' + 1)
                            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
            List<byte[]> chunks = Gelf.chunks(0x1234_5678_9abcL, Gelf.gzip(utf8(message(big, "billing"))), 4);
            for (int i = chunks.size() - 1; i >= 0; i--) {
                server.udp(socket, chunks.get(i));
            }
            assertThat(server.next().messageText()).isEqualTo("plain");
            assertThat(server.next().messageText()).isEqualTo("gzip");
            LogRecord z = server.next();
            assertThat(z.messageText()).isEqualTo("zlib");
            assertThat(z.app()).isEqualTo("web");
            assertThat(z.host()).isEqualTo("node-1");
            assertThat(z.source()).isEqualTo("c0ffee");
            assertThat(z.stream()).isEqualTo(LogStream.STDERR);
            assertThat(z.timestamp()).isEqualTo(1_438_138_800_500_000_000L);
            LogRecord b = server.next();
            assertThat(b.app()).isEqualTo("billing");
            assertThat(b.messageText()).isEqualTo(big);
            assertThat(server.counter("spillway_input_received_records", null)).isEqualTo(4);
        }
    }

    @Test
    void tcp_nulFramedMessages_decodedAndOversizeSkipped() throws Exception {
        try (Server server = new Server(16, DataSize.ofKiB(4), 1000);
                Socket s = server.tcp()) {
            OutputStream out = s.getOutputStream();
            out.write(utf8(message("one", "web") + "\0"));
            out.write(utf8("{\"short_message\":\"" + "x".repeat(10_000) + "\"}\0"));
            out.write(utf8(message("two", "web") + "\0\0"));
            out.flush();
            assertThat(server.next().messageText()).isEqualTo("one");
            assertThat(server.next().messageText()).isEqualTo("two");
            assertThat(server.errors("too_large")).isEqualTo(1);
            assertThat(server.counter("spillway_input_connections", null)).isEqualTo(1);
        }
    }

    @Test
    void tcp_overMaxConnections_refusedAndCounted() throws Exception {
        try (Server server = new Server(1, DataSize.ofMiB(1), 1000);
                Socket first = server.tcp()) {
            first.getOutputStream().write(utf8(message("first", "web") + "\0"));
            assertThat(server.next().messageText()).isEqualTo("first");
            try (Socket second = server.tcp()) {
                await("refusal", () -> server.errors("connection_refused") == 1);
                assertThat(second.getInputStream().read()).isEqualTo(-1);
            }
            first.getOutputStream().write(utf8(message("still served", "web") + "\0"));
            assertThat(server.next().messageText()).isEqualTo("still served");
        }
    }

    @Test
    void tcp_silentConnection_closedAfterIdleTimeout() throws Exception {
        try (Server server = new Server(16, DataSize.ofMiB(1), 1000, Duration.ofMillis(200));
                Socket s = server.tcp()) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            await("idle_timeout counted", () -> server.errors("idle_timeout") == 1);
        }
    }

    @Test
    void hostileInput_garbageBombAndChunkFlood_goodClientsStillServed() throws Exception {
        try (Server server = new Server(16, DataSize.ofKiB(64), 100);
                DatagramSocket attacker = new DatagramSocket();
                DatagramSocket good = new DatagramSocket();
                Socket hostileTcp = server.tcp();
                Socket goodTcp = server.tcp()) {
            Random random = new Random(7);
            // Garbage datagrams, a gzip bomb (16 MiB of zeros) and a flood of never-completed chunk ids.
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[1 + random.nextInt(500)];
                random.nextBytes(junk);
                server.udp(attacker, junk);
            }
            server.udp(attacker, Gelf.gzip(new byte[16 * 1024 * 1024]));
            for (int id = 0; id < 3000; id++) {
                server.udp(attacker, Gelf.chunk(id, 0, 2, new byte[64]));
            }
            // Garbage on TCP, NUL-terminated and not.
            byte[] junk = new byte[20_000];
            random.nextBytes(junk);
            hostileTcp.getOutputStream().write(junk);
            hostileTcp.getOutputStream().write(0);

            await("the bomb refused", () -> server.errors("too_large") >= 1);
            await("the flood evicted", () -> server.errors("chunk_evicted") >= 100);
            assertThat(server.input.pendingChunkedMessages()).isLessThanOrEqualTo(100);
            assertThat(server.errors("decompress_error") + server.errors("parse_error"))
                    .isPositive();

            for (byte[] c : Gelf.chunks(-42L, Gelf.gzip(utf8(message("good udp", "web"))), 3)) {
                server.udp(good, c);
            }
            goodTcp.getOutputStream().write(utf8(message("good tcp", "web") + "\0"));
            List<String> got =
                    List.of(server.next().messageText(), server.next().messageText());
            assertThat(got).containsExactlyInAnyOrder("good udp", "good tcp");
        }
    }

    @Test
    void udp_eightCompressedPayloadsBeyondTheGlobalBudget_refusedCountedAndBudgetReturned() throws Exception {
        // Each inflates to 3 MiB, within max_message (4 MiB): only limits.inflight_memory (1 MiB) refuses them.
        io.spillway.pipeline.InflightMemory budget =
                new io.spillway.pipeline.InflightMemory(DataSize.ofMiB(1), new Metrics());
        try (Server server = new Server(16, DataSize.ofMiB(4), 1000, Duration.ofMinutes(5), budget);
                DatagramSocket socket = new DatagramSocket()) {
            byte[] bomb = Gelf.gzip(utf8(message("x".repeat(3 << 20), "web")));
            for (int i = 0; i < 8; i++) {
                server.udp(socket, bomb);
            }
            await("eight refusals counted", () -> server.errors("inflight_memory") == 8);
            assertThat(budget.peak()).isLessThanOrEqualTo(budget.limit());
            assertThat(budget.used()).isZero();
            server.udp(socket, Gelf.gzip(utf8(message("small", "web"))));
            assertThat(server.next().messageText()).isEqualTo("small");
            assertThat(server.records).isEmpty();
        }
    }
}
