package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.fluentd.logger.FluentLogger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * The forward server over real loopback sockets, with real clients (Fluency, fluent-logger-java) and
 * frames built byte for byte by the test (Docker's driver, the handshake, hostile peers).
 */
class ForwardInputIT {
    static {
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.PARANOID);
    }

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** What the sink does with durable offers. */
    enum Durability {
        /** Every record accepted, the receipt at once. */
        AT_ONCE,
        /** Receipts held until {@link Server#release()}. */
        HELD,
        /** Every record refused by the buffer ("shed"). */
        REFUSED,
        /** Receipts never come. */
        NEVER
    }

    private static ForwardConfig config(
            int maxConnections, DataSize maxEntry, Duration ackTimeout, String sharedKey, ForwardConfig.Tls tls) {
        return config(maxConnections, maxEntry, DataSize.ofMiB(16), DataSize.ofMiB(256), ackTimeout, sharedKey, tls);
    }

    private static ForwardConfig config(
            int maxConnections,
            DataSize maxEntry,
            DataSize maxChunk,
            DataSize maxBuffered,
            Duration ackTimeout,
            String sharedKey,
            ForwardConfig.Tls tls) {
        return new ForwardConfig(
                true,
                ListenAddress.loopback(0),
                true,
                maxConnections,
                Duration.ofMinutes(5),
                maxEntry,
                maxChunk,
                DataSize.ofMiB(64),
                maxBuffered,
                ackTimeout,
                16384,
                sharedKey,
                "spillway-test",
                "{{container_name}}",
                tls,
                1000,
                ForwardConfig.Partial.defaults());
    }

    /** A started input on a free loopback port with the records it delivered and its counters. */
    private static final class Server implements AutoCloseable {
        final Metrics metrics = new Metrics();
        final LinkedBlockingQueue<LogRecord> records = new LinkedBlockingQueue<>();
        final List<Runnable> held = new CopyOnWriteArrayList<>();
        final ForwardInput input;
        volatile Durability durability;

        Server(ForwardConfig config, Durability durability) throws Exception {
            this(config, durability, null);
        }

        Server(ForwardConfig config, Durability durability, io.spillway.pipeline.@Nullable InflightMemory inflight)
                throws Exception {
            this(config, durability, inflight, null);
        }

        /** @param stateDir where the partial-message journal lives; null: parts are not joined */
        Server(
                ForwardConfig config,
                Durability durability,
                io.spillway.pipeline.@Nullable InflightMemory inflight,
                @Nullable Path stateDir)
                throws Exception {
            this.durability = durability;
            InputMetrics im = new InputMetrics(metrics, "forward");
            io.spillway.pipeline.InflightMemory budget = inflight != null
                    ? inflight
                    : io.spillway.pipeline.InflightMemory.standalone(DataSize.ofBytes(Long.MAX_VALUE));
            input = stateDir == null
                    ? new ForwardInput(config, im, InstantSource.system(), budget)
                    : new ForwardInput(
                            config,
                            im,
                            InstantSource.system(),
                            budget,
                            stateDir,
                            io.spillway.space.SpaceWriter.unaccounted("forward_partials", stateDir));
            input.start(new RecordSink() {
                @Override
                public Admission accept(LogRecord r) {
                    records.add(r);
                    return Admission.ACCEPTED;
                }

                @Override
                public void acceptDurable(List<LogRecord> batch, Consumer<Receipt> onDurable) {
                    List<Admission> admissions = new ArrayList<>();
                    for (LogRecord r : batch) {
                        records.add(r);
                        admissions.add(
                                Server.this.durability == Durability.REFUSED
                                        ? Admission.dropped("shed")
                                        : Admission.ACCEPTED);
                    }
                    Receipt receipt = new Receipt(admissions, true);
                    switch (Server.this.durability) {
                        case AT_ONCE, REFUSED -> onDurable.accept(receipt);
                        case HELD -> held.add(() -> onDurable.accept(receipt));
                        case NEVER -> {}
                    }
                }
            });
        }

        Server() throws Exception {
            this(
                    config(16, DataSize.ofMiB(1), Duration.ofSeconds(30), "", ForwardConfig.Tls.defaults()),
                    Durability.AT_ONCE);
        }

        void release() {
            for (Runnable r : held) {
                r.run();
            }
            held.clear();
        }

        LogRecord next() throws InterruptedException {
            LogRecord r = records.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(r).as("a record within " + WAIT).isNotNull();
            return r;
        }

        List<LogRecord> next(int n) throws InterruptedException {
            List<LogRecord> got = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                got.add(next());
            }
            return got;
        }

        double errors(String kind) {
            return Fwd.errors(metrics, kind);
        }

        Socket tcp() throws IOException {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), input.tcpPort());
            s.setSoTimeout((int) WAIT.toMillis());
            return s;
        }

        /** A well-behaved client's round trip: one Docker record with a chunk, acknowledged. */
        void roundTrip(String app) throws Exception {
            try (Socket s = tcp()) {
                // A fresh chunk id each time, as real clients make them (a repeated id is a resend).
                s.getOutputStream().write(Fwd.docker("tag", "/" + app, "stdout", "ok " + app, "rt-" + app));
                assertThat(ackOf(s.getInputStream())).isEqualTo("rt-" + app);
            }
            assertThat(next().app()).isEqualTo(app);
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

    private static String ackOf(InputStream in) throws IOException {
        MessageUnpacker u = MessagePack.newDefaultUnpacker(in);
        Value v = u.unpackValue();
        assertThat(v.isMapValue()).as("ack is a map: " + v).isTrue();
        Value chunk = v.asMapValue().map().get(org.msgpack.value.ValueFactory.newString("ack"));
        assertThat(chunk).as("ack in " + v).isNotNull();
        return ForwardDecoder.text(chunk);
    }

    private static Fluency fluency(int port, boolean ack, @Nullable SSLContext ssl) {
        return fluency(port, ack, ssl, e -> {});
    }

    private static Fluency fluency(
            int port,
            boolean ack,
            @Nullable SSLContext ssl,
            org.komamitsu.fluency.ingester.sender.ErrorHandler errors) {
        FluencyBuilderForFluentd b = new FluencyBuilderForFluentd();
        b.setErrorHandler(errors);
        b.setAckResponseMode(ack);
        b.setFlushAttemptIntervalMillis(100);
        b.setSenderMaxRetryCount(100);
        b.setSenderBaseRetryIntervalMillis(50);
        b.setSenderMaxRetryIntervalMillis(200);
        b.setReadTimeoutMilli(5_000);
        b.setWaitUntilBufferFlushed(20);
        b.setWaitUntilFlusherTerminated(20);
        if (ssl != null) {
            b.setSslEnabled(true);
            b.setSslSocketFactory(ssl.getSocketFactory());
        }
        return b.build("127.0.0.1", port);
    }

    private static Map<String, Object> event(String message) {
        Map<String, Object> m = new HashMap<>();
        m.put("message", message);
        return m;
    }

    @Test
    void fluency_packedForwardWithoutAck_recordsArriveUnderTheTag() throws Exception {
        try (Server server = new Server()) {
            Fluency f = fluency(server.input.tcpPort(), false, null);
            for (int i = 0; i < 500; i++) {
                f.emit("billing.api", event("line " + i));
            }
            f.flush();
            List<LogRecord> got = server.next(500);
            f.close();
            assertThat(got).extracting(LogRecord::app).containsOnly("billing.api");
            assertThat(got).extracting(LogRecord::messageText).contains("line 0", "line 499");
        }
    }

    @Test
    void fluency_ackMode_everyChunkAcknowledgedAfterDurable() throws Exception {
        try (Server server = new Server()) {
            Fluency f = fluency(server.input.tcpPort(), true, null);
            for (int i = 0; i < 300; i++) {
                f.emit("web", event("acked " + i));
            }
            f.flush();
            assertThat(f.waitUntilAllBufferFlushed(20)).isTrue();
            assertThat(server.next(300)).extracting(LogRecord::messageText).contains("acked 0", "acked 299");
            f.close();
            assertThat(server.errors("ack_timeout")).isZero();
        }
    }

    @Test
    void fluency_ackModeAndBufferRefuses_clientSeesNoAckAndResends() throws Exception {
        try (Server server = new Server(
                config(16, DataSize.ofMiB(1), Duration.ofSeconds(30), "", ForwardConfig.Tls.defaults()),
                Durability.REFUSED)) {
            List<Throwable> seen = new CopyOnWriteArrayList<>();
            Fluency f = fluency(server.input.tcpPort(), true, null, seen::add);
            f.emit("web", event("refused"));
            f.flush();
            // The chunk is refused, so Fluency sees the failure and resends it; once the buffer takes it, the
            // ack ends the resends.
            assertThat(server.next().messageText()).isEqualTo("refused");
            assertThat(server.next().messageText()).isEqualTo("refused");
            await("a refused chunk counted", () -> server.errors("ack_refused") >= 2);
            await("the client told of the failure", () -> !seen.isEmpty());
            server.durability = Durability.AT_ONCE;
            assertThat(f.waitUntilAllBufferFlushed(20)).isTrue();
            f.close();
        }
    }

    @Test
    void fluency_tls_recordsArriveAcknowledged(@TempDir Path dir) throws Exception {
        Path[] pem = selfSigned(dir);
        ForwardConfig.Tls tls = new ForwardConfig.Tls(true, pem[0].toString(), pem[1].toString());
        try (Server server =
                new Server(config(16, DataSize.ofMiB(1), Duration.ofSeconds(30), "", tls), Durability.AT_ONCE)) {
            Fluency f = fluency(server.input.tcpPort(), true, trusting(dir.resolve("ks.p12")));
            for (int i = 0; i < 50; i++) {
                f.emit("secure", event("tls " + i));
            }
            f.flush();
            assertThat(f.waitUntilAllBufferFlushed(20)).isTrue();
            assertThat(server.next(50)).extracting(LogRecord::app).containsOnly("secure");
            f.close();
            // A plaintext client is not served on the TLS port.
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(Fwd.docker("t", "/plain", "stdout", "x", "c"));
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            } catch (IOException closed) {
                // reset by the server: equally refused
            }
            assertThat(server.records.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void tlsWithSharedKey_heloSentAfterTheTlsHandshake_clientAuthenticatesAndIsAcknowledged(@TempDir Path dir)
            throws Exception {
        Path[] pem = selfSigned(dir);
        ForwardConfig.Tls tls = new ForwardConfig.Tls(true, pem[0].toString(), pem[1].toString());
        try (Server server =
                new Server(config(16, DataSize.ofMiB(1), Duration.ofSeconds(30), "s3cret", tls), Durability.AT_ONCE)) {
            SSLContext ctx = trusting(dir.resolve("ks.p12"));
            try (Socket s =
                    ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.input.tcpPort())) {
                s.setSoTimeout((int) WAIT.toMillis());
                MessageUnpacker in = MessagePack.newDefaultUnpacker(s.getInputStream());
                byte[] nonce = helloNonce(in);
                s.getOutputStream().write(ping("tls-client", "pepper", nonce, "s3cret"));
                List<Value> pong = in.unpackValue().asArrayValue().list();
                assertThat(pong.get(1).asBooleanValue().getBoolean()).isTrue();
                s.getOutputStream().write(Fwd.docker("t", "/tls-keyed", "stdout", "secret line", "tk"));
                Value ack = in.unpackValue();
                assertThat(ForwardDecoder.text(
                                ack.asMapValue().map().get(org.msgpack.value.ValueFactory.newString("ack"))))
                        .isEqualTo("tk");
            }
            assertThat(server.next().app()).isEqualTo("tls-keyed");
        }
    }

    @Test
    void fluentLogger_messageMode_recordsArriveUnderPrefixedTag() throws Exception {
        try (Server server = new Server()) {
            FluentLogger logger = FluentLogger.getLogger("shop", "127.0.0.1", server.input.tcpPort());
            try {
                for (int i = 0; i < 20; i++) {
                    Map<String, Object> data = new HashMap<>();
                    data.put("message", "order " + i);
                    data.put("level", "error");
                    assertThat(logger.log("orders", data)).isTrue();
                }
                logger.flush();
                List<LogRecord> got = server.next(20);
                assertThat(got).extracting(LogRecord::app).containsOnly("shop.orders");
                assertThat(got.get(19).messageText()).isEqualTo("order 19");
                assertThat(got.get(0).severity()).isEqualTo(io.spillway.record.Severity.ERROR);
            } finally {
                logger.close();
            }
        }
    }

    @Test
    void dockerDriverShape_ackOnlyAfterReceipt() throws Exception {
        try (Server server = new Server(
                config(16, DataSize.ofMiB(1), Duration.ofSeconds(30), "", ForwardConfig.Tls.defaults()),
                Durability.HELD)) {
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(Fwd.docker("4f2c8a1b9d3e", "/web-1", "stderr", "boom\n", "ZGNodW5r"));
                LogRecord r = server.next();
                assertThat(r.app()).isEqualTo("web-1");
                assertThat(r.stream()).isEqualTo(LogStream.STDERR);
                assertThat(r.messageText()).isEqualTo("boom");
                s.setSoTimeout(500);
                try {
                    int b = s.getInputStream().read();
                    throw new AssertionError("no ack may come before the receipt, got byte " + b);
                } catch (SocketTimeoutException expected) {
                    // nothing before durability
                }
                s.setSoTimeout((int) WAIT.toMillis());
                await("the receipt held", () -> !server.held.isEmpty());
                server.release();
                assertThat(ackOf(s.getInputStream())).isEqualTo("ZGNodW5r");
            }
        }
    }

    @Test
    void dockerPartials_eachPartAcknowledgedOnceJournaled_theLineStoredJoined(@TempDir Path state) throws Exception {
        // Receipts are held: the parts' acks cannot wait for the buffer, since Docker sends the next
        // part only after the ack; they come once each part is durable in the journal.
        try (Server server = new Server(
                config(16, DataSize.ofMiB(1), Duration.ofSeconds(30), "", ForwardConfig.Tls.defaults()),
                Durability.HELD,
                null,
                state)) {
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(Fwd.dockerPart("/web-1", "x".repeat(16_384), "p-1", 1, false, "cGFydDE="));
                assertThat(ackOf(s.getInputStream())).isEqualTo("cGFydDE=");
                assertThat(server.records)
                        .as("nothing stored before the last part")
                        .isEmpty();
                s.getOutputStream().write(Fwd.dockerPart("/web-1", "y".repeat(100), "p-1", 2, true, "cGFydDI="));
                assertThat(ackOf(s.getInputStream())).isEqualTo("cGFydDI=");
                LogRecord joined = server.next();
                assertThat(joined.messageText()).isEqualTo("x".repeat(16_384) + "y".repeat(100));
                assertThat(joined.app()).isEqualTo("web-1");
                assertThat(joined.fields()).doesNotContainKeys("partial_message", "partial_id");
                assertThat(Files.size(state.resolve(ForwardInput.JOURNAL_FILE)))
                        .as("the parts stay journaled until the joined line is durable")
                        .isPositive();
                await("the joined line's receipt held", () -> !server.held.isEmpty());
                server.release();
                await("the journal emptied", () -> {
                    try {
                        return Files.size(state.resolve(ForwardInput.JOURNAL_FILE)) == 0;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                s.getOutputStream().write(Fwd.docker("4f2c8a1b9d3e", "/web-1", "stdout", "short\n", null));
                assertThat(server.next().messageText())
                        .as("an ordinary line goes on as before")
                        .isEqualTo("short");
            }
        }
    }

    @Test
    void resentChunk_afterItsAckWasMissed_acknowledgedAgainAndStoredOnce() throws Exception {
        // fluent-logger-golang (Docker's fluentd driver) closes and resends when it misreads an ack.
        try (Server server = new Server()) {
            byte[] frame = Fwd.docker("4f2c8a1b9d3e", "/web-1", "stdout", "once\n", "cmVzZW50");
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(frame);
                assertThat(ackOf(s.getInputStream())).isEqualTo("cmVzZW50");
            }
            assertThat(server.next().messageText()).isEqualTo("once");
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(frame);
                assertThat(ackOf(s.getInputStream()))
                        .as("the resend is acknowledged")
                        .isEqualTo("cmVzZW50");
            }
            server.roundTrip("after");
            assertThat(server.records).as("nothing stored twice").isEmpty();
            assertThat(server.errors("duplicate_chunk")).isEqualTo(1);
        }
    }

    @Test
    void compressedPackedForward_twoGzipMembers_recordsArriveAndChunkAcknowledged() throws Exception {
        // Fluency has no compression option; Fluentd and Fluent Bit send this with compress gzip.
        try (Server server = new Server()) {
            byte[] gz = Fwd.concat(Fwd.gzip(Fwd.entries(300, "gz-a ")), Fwd.gzip(Fwd.entries(200, "gz-b ")));
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(Fwd.packed("fluentbit.tail", gz, "Z3ppcA==", true));
                assertThat(ackOf(s.getInputStream())).isEqualTo("Z3ppcA==");
            }
            List<LogRecord> got = server.next(500);
            assertThat(got).extracting(LogRecord::app).containsOnly("fluentbit.tail");
            assertThat(got.get(0).messageText()).isEqualTo("gz-a 0");
            assertThat(got.get(499).messageText()).isEqualTo("gz-b 199");
        }
    }

    @Test
    void ackTimeout_receiptNeverComes_connectionClosedUnacknowledged() throws Exception {
        try (Server server = new Server(
                config(16, DataSize.ofMiB(1), Duration.ofMillis(300), "", ForwardConfig.Tls.defaults()),
                Durability.NEVER)) {
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(Fwd.docker("t", "/web", "stdout", "lost?", "c1"));
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(server.errors("ack_timeout")).isEqualTo(1);
        }
    }

    @Test
    void sharedKey_rightKey_pongTrueWithServerDigestThenServed() throws Exception {
        try (Server server = new Server(
                config(16, DataSize.ofMiB(1), Duration.ofSeconds(30), "s3cret", ForwardConfig.Tls.defaults()),
                Durability.AT_ONCE)) {
            try (Socket s = server.tcp()) {
                MessageUnpacker in = MessagePack.newDefaultUnpacker(s.getInputStream());
                byte[] nonce = helloNonce(in);
                s.getOutputStream().write(ping("client-1", "salty", nonce, "s3cret"));
                List<Value> pong = in.unpackValue().asArrayValue().list();
                assertThat(ForwardDecoder.text(pong.get(0))).isEqualTo("PONG");
                assertThat(pong.get(1).asBooleanValue().getBoolean()).isTrue();
                assertThat(ForwardDecoder.text(pong.get(3))).isEqualTo("spillway-test");
                assertThat(ForwardDecoder.text(pong.get(4)))
                        .isEqualTo(Handshake.digest(
                                "salty".getBytes(StandardCharsets.UTF_8), "spillway-test", nonce, "s3cret"));
                s.getOutputStream().write(Fwd.docker("t", "/keyed", "stdout", "in", "k1"));
                assertThat(ackOf(s.getInputStream())).isEqualTo("k1");
                assertThat(server.next().app()).isEqualTo("keyed");
            }
        }
    }

    @Test
    void sharedKey_wrongKeyOrNoHandshake_pongFalseAndClosed() throws Exception {
        try (Server server = new Server(
                config(16, DataSize.ofMiB(1), Duration.ofSeconds(30), "s3cret", ForwardConfig.Tls.defaults()),
                Durability.AT_ONCE)) {
            try (Socket s = server.tcp()) {
                MessageUnpacker in = MessagePack.newDefaultUnpacker(s.getInputStream());
                byte[] nonce = helloNonce(in);
                s.getOutputStream().write(ping("client-1", "salty", nonce, "guess"));
                List<Value> pong = in.unpackValue().asArrayValue().list();
                assertThat(pong.get(1).asBooleanValue().getBoolean()).isFalse();
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            try (Socket s = server.tcp()) {
                helloNonce(MessagePack.newDefaultUnpacker(s.getInputStream()));
                s.getOutputStream().write(Fwd.docker("t", "/sneaky", "stdout", "x", null));
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(server.errors("auth_failed")).isEqualTo(1);
            assertThat(server.errors("auth_required")).isEqualTo(1);
            assertThat(server.records).isEmpty();
        }
    }

    private static byte[] helloNonce(MessageUnpacker in) throws IOException {
        List<Value> helo = in.unpackValue().asArrayValue().list();
        assertThat(ForwardDecoder.text(helo.get(0))).isEqualTo("HELO");
        Value nonce = helo.get(1).asMapValue().map().get(org.msgpack.value.ValueFactory.newString("nonce"));
        assertThat(nonce.isBinaryValue())
                .as("nonce is bin, as in_forward sends it")
                .isTrue();
        assertThat(nonce.asBinaryValue().asByteArray()).hasSize(16);
        return nonce.asBinaryValue().asByteArray();
    }

    private static byte[] ping(String hostname, String salt, byte[] nonce, String key) {
        String digest = Handshake.digest(salt.getBytes(StandardCharsets.UTF_8), hostname, nonce, key);
        return Fwd.pack(p -> p.packArrayHeader(6)
                .packString("PING")
                .packString(hostname)
                .packString(salt)
                .packString(digest)
                .packString("")
                .packString(""));
    }

    @Test
    void heartbeat_udpDatagram_answeredWithNul() throws Exception {
        try (Server server = new Server();
                DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout((int) WAIT.toMillis());
            assertThat(server.input.udpPort()).isEqualTo(server.input.tcpPort());
            socket.send(
                    new DatagramPacket(new byte[] {0}, 1, InetAddress.getLoopbackAddress(), server.input.udpPort()));
            DatagramPacket reply = new DatagramPacket(new byte[16], 16);
            socket.receive(reply);
            assertThat(reply.getLength()).isEqualTo(1);
            assertThat(reply.getData()[0]).isZero();
        }
    }

    @Test
    void hostile_garbageTruncatedOversizedHugeHeadersBomb_eachCountedWhileAWellBehavedClientIsServed()
            throws Exception {
        try (Server server = new Server(
                config(16, DataSize.ofKiB(64), Duration.ofSeconds(30), "", ForwardConfig.Tls.defaults()),
                Durability.AT_ONCE)) {
            // Garbage: 0xc1 is no msgpack type; the framing is lost, so the connection is closed.
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(new byte[] {(byte) 0xc1, 'G', 'E', 'T', ' ', '/'});
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(server.errors("malformed")).isEqualTo(1);
            server.roundTrip("good-1");

            // An array header announcing 2^31 entries: refused at once, nothing allocated.
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(new byte[] {(byte) 0xdd, (byte) 0x80, 0, 0, 0});
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            // A str header announcing 2 GiB inside an entry.
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(new byte[] {(byte) 0x92, (byte) 0xa1, 't', (byte) 0xdb, 0x7f, -1, -1, -1});
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(server.errors("too_large")).isEqualTo(2);
            server.roundTrip("good-2");

            // An entry over max_entry (64 KiB) in a complete frame: skipped, the chunk still acknowledged.
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(Fwd.docker("t", "/big", "stdout", "x".repeat(100_000), "big"));
                assertThat(ackOf(s.getInputStream())).isEqualTo("big");
            }
            assertThat(server.errors("too_large")).isEqualTo(3);

            // A gzip bomb: 1 GiB of zeros in ~1 MB, refused at max_decompressed, unacknowledged.
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(Fwd.packed("t", Fwd.bomb(1024), "bomb", true));
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(server.errors("too_large")).isEqualTo(4);
            server.roundTrip("good-3");

            // Truncated: the peer goes away inside a frame.
            try (Socket s = server.tcp()) {
                byte[] frame = Fwd.docker("t", "/cut", "stdout", "half", "c");
                s.getOutputStream().write(frame, 0, frame.length / 2);
            }
            await("the truncated frame counted", () -> server.errors("truncated") == 1);

            // A slow writer, one byte at a time, is served in full.
            try (Socket s = server.tcp()) {
                OutputStream out = s.getOutputStream();
                for (byte b : Fwd.docker("t", "/slow", "stdout", "patience", "slow")) {
                    out.write(b);
                    out.flush();
                }
                assertThat(ackOf(s.getInputStream())).isEqualTo("slow");
            }
            assertThat(server.next().app()).isEqualTo("slow");
            assertThat(server.records).isEmpty();
        }
    }

    @Test
    void maxBuffered_tricklersOfLargeFramesClosedAtTheBudget_smallFramesServed() throws Exception {
        try (Server server = new Server(
                config(
                        16,
                        DataSize.ofKiB(64),
                        DataSize.ofKiB(512),
                        DataSize.ofKiB(512),
                        Duration.ofSeconds(30),
                        "",
                        ForwardConfig.Tls.defaults()),
                Durability.AT_ONCE)) {
            List<Socket> tricklers = new ArrayList<>();
            try {
                // Each announces a 400 KiB bin and sends 200 KiB of it, then waits: 3 of them pass 512 KiB.
                for (int i = 0; i < 3; i++) {
                    Socket s = server.tcp();
                    tricklers.add(s);
                    OutputStream out = s.getOutputStream();
                    out.write(new byte[] {(byte) 0x93, (byte) 0xa1, 't', (byte) 0xc6, 0, 6, 64, 0});
                    out.write(new byte[200 * 1024]);
                    out.flush();
                    if (i < 2) {
                        long expected = (i + 1) * (200 * 1024L + 8);
                        await("bytes held", () -> server.input.bufferedBytes() >= expected);
                    }
                }
                await("the budget enforced", () -> server.errors("memory_budget") == 1);
                // The refused connection's bytes are released as its channel closes, on its event loop.
                await("held bytes within max_buffered", () -> server.input.bufferedBytes() <= 512 * 1024);
                server.roundTrip("small-frames");
            } finally {
                for (Socket s : tricklers) {
                    s.close();
                }
            }
            await("held bytes released", () -> server.input.bufferedBytes() == 0);
        }
    }

    @Test
    void maxConnections_extraConnectionClosed_openOnesServed() throws Exception {
        try (Server server = new Server(
                config(3, DataSize.ofMiB(1), Duration.ofSeconds(30), "", ForwardConfig.Tls.defaults()),
                Durability.AT_ONCE)) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = server.tcp();
                    open.add(s);
                    s.getOutputStream().write(Fwd.docker("t", "/held-" + i, "stdout", "hi", "h" + i));
                    assertThat(ackOf(s.getInputStream())).isEqualTo("h" + i);
                }
                try (Socket extra = server.tcp()) {
                    assertThat(extra.getInputStream().read()).isEqualTo(-1);
                }
                assertThat(server.errors("connection_refused")).isEqualTo(1);
                open.get(0).getOutputStream().write(Fwd.docker("t", "/held-0", "stdout", "again", "again"));
                assertThat(ackOf(open.get(0).getInputStream())).isEqualTo("again");
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
            await("connections released", () -> {
                try {
                    server.roundTrip("after");
                    return true;
                } catch (Throwable e) {
                    return false;
                }
            });
        }
    }

    /** A self-signed RSA certificate for 127.0.0.1 made with keytool; returns the cert and key as PEM. */
    static Path[] selfSigned(Path dir) throws Exception {
        Path ks = dir.resolve("ks.p12");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(
                        keytool,
                        "-genkeypair",
                        "-alias",
                        "spillway",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-validity",
                        "2",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        ks.toString(),
                        "-storepass",
                        "changeit",
                        "-keypass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("keytool: " + out).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        Certificate cert = store.getCertificate("spillway");
        java.security.Key key = store.getKey("spillway", "changeit".toCharArray());
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Path certPem = dir.resolve("cert.pem");
        Path keyPem = dir.resolve("key.pem");
        Files.writeString(
                certPem,
                "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(cert.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        Files.writeString(
                keyPem,
                "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(key.getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        return new Path[] {certPem, keyPem};
    }

    static SSLContext trusting(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void compressedBombs_eightInParallel_refusedAtTheGlobalBudgetCountedAndReleased() throws Exception {
        // Each bomb inflates to 32 MiB, within max_decompressed (64 MiB): only the process-wide budget
        // (8 MiB here) refuses them. Without it, eight in parallel held 8 × 64 MiB.
        io.spillway.pipeline.InflightMemory budget =
                new io.spillway.pipeline.InflightMemory(DataSize.ofMiB(8), new Metrics());
        try (Server server = new Server(
                config(64, DataSize.ofMiB(1), Duration.ofSeconds(30), "", ForwardConfig.Tls.defaults()),
                Durability.AT_ONCE,
                budget)) {
            byte[] bomb = Fwd.packed("t", Fwd.bomb(32), "bomb", true);
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                sockets.add(server.tcp());
            }
            List<Thread> writers = new ArrayList<>();
            for (Socket s : sockets) {
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        s.getOutputStream().write(bomb);
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        // closed by the server: fine
                    }
                }));
            }
            for (int i = 0; i < sockets.size(); i++) {
                writers.get(i).join(WAIT.toMillis());
                // Refused, unacknowledged: the connection is closed so the client resends.
                assertThat(sockets.get(i).getInputStream().read()).isEqualTo(-1);
                sockets.get(i).close();
            }
            await("eight refusals counted", () -> server.errors("inflight_memory") == 8);
            assertThat(budget.peak()).isLessThanOrEqualTo(budget.limit());
            assertThat(budget.used()).isZero();
            // A compressed chunk within the budget is still taken, and others are served.
            try (Socket s = server.tcp()) {
                s.getOutputStream().write(Fwd.packed("t", Fwd.gzip(Fwd.entries(100, "ok ")), "small", true));
                assertThat(ackOf(s.getInputStream())).isEqualTo("small");
            }
            assertThat(server.next(100)).hasSize(100);
            server.roundTrip("good");
            assertThat(budget.used()).isZero();
        }
    }
}
