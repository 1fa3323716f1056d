package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.FakeClock;
import io.spillway.config.DataSize;
import io.spillway.input.Corpus;
import io.spillway.input.netty.TcpListener;
import io.spillway.input.netty.UdpListener;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.Severity;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server over real loopback sockets. */
class SyslogInputIT {
    private static final InstantSource CLOCK = FakeClock.at("2015-07-29T12:00:00Z");

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Socket connect(LoopbackServer server) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.input.tcpPort());
        s.setSoTimeout((int) LoopbackServer.WAIT.toMillis());
        return s;
    }

    /** True once the server has closed the connection (read sees end of stream or a reset). */
    private static boolean closedByServer(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    @Test
    void tcp_lfFramedLines_recordsWithAppHostAndPeerFallback() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.config(), CLOCK);
                Socket s = connect(server)) {
            s.getOutputStream()
                    .write(bytes("<11>1 - - web-1 - - - boom\r\n<13>Jul 29 03:00:00 node-7 cron[9]: tick\n"));
            LogRecord a = server.next();
            assertThat(a.app()).isEqualTo("web-1");
            assertThat(a.host()).isEqualTo("127.0.0.1");
            assertThat(a.severity()).isEqualTo(Severity.ERROR);
            assertThat(a.messageText()).isEqualTo("boom");
            LogRecord b = server.next();
            assertThat(b.app()).isEqualTo("cron");
            assertThat(b.host()).isEqualTo("node-7");
            assertThat(b.source()).isEqualTo("9");
            assertThat(server.counter("spillway_input_received_records", null)).isEqualTo(2);
            assertThat(server.counter("spillway_input_connections", null)).isEqualTo(1);
        }
    }

    @Test
    void tcp_octetCountedCorpus_everyMessageDecoded() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.config(), CLOCK);
                Socket s = connect(server)) {
            s.getOutputStream().write(Corpus.bytes("syslog-octet-counted.bin"));
            List<LogRecord> records = server.next(5);
            assertThat(records)
                    .extracting(LogRecord::app)
                    .containsExactly("error-page", "sensors-api", "billing", AppNames.UNKNOWN, "app");
            assertThat(records.get(2).messageText()).isEqualTo("BOM-prefixed UTF-8 message");
            assertThat(records.get(4).fields()).containsEntry("a@1.k", "v with \"escaped\" quote and ] bracket");
            assertThat(server.errors("parse_error")).isZero();
        }
    }

    @Test
    void udp_oneMessagePerDatagram_corpusDecoded() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.config(), CLOCK);
                DatagramSocket udp = new DatagramSocket()) {
            for (byte[] line : Corpus.lines("syslog-rfc3164.log")) {
                byte[] withLf = Arrays.copyOf(line, line.length + 1);
                withLf[line.length] = '\n';
                udp.send(new DatagramPacket(
                        withLf, withLf.length, InetAddress.getLoopbackAddress(), server.input.udpPort()));
            }
            List<LogRecord> records = server.next(4);
            assertThat(records)
                    .extracting(LogRecord::app)
                    .containsExactlyInAnyOrder("su", "app", "sensors-api", AppNames.UNKNOWN);
            assertThat(records).extracting(LogRecord::messageText).contains("no priority at all, just text");
            LoopbackServer.await("no_pri counted", () -> server.errors("parse_error") == 1);
        }
    }

    @Test
    void udp_datagramAboveMaxFrame_truncatedAndCounted() throws Exception {
        SyslogConfig config = LoopbackServer.config(16, Duration.ofMinutes(5), DataSize.ofBytes(1000), "");
        try (LoopbackServer server = new LoopbackServer(config, CLOCK);
                DatagramSocket udp = new DatagramSocket()) {
            byte[] big = new byte[5000];
            Arrays.fill(big, (byte) 'x');
            byte[] head = bytes("<13>1 - h big - - - ");
            System.arraycopy(head, 0, big, 0, head.length);
            udp.send(new DatagramPacket(big, big.length, InetAddress.getLoopbackAddress(), server.input.udpPort()));
            LogRecord r = server.next();
            assertThat(r.app()).isEqualTo("big");
            assertThat(r.messageLength()).isEqualTo(1000 - head.length);
            assertThat(server.errors("frame_truncated")).isEqualTo(1);
        }
    }

    @Test
    void tcp_configuredHost_usedWhenMessageHasNone() throws Exception {
        SyslogConfig config = LoopbackServer.config(16, Duration.ofMinutes(5), DataSize.ofKiB(64), "node-x");
        try (LoopbackServer server = new LoopbackServer(config, CLOCK);
                Socket s = connect(server)) {
            s.getOutputStream().write(bytes("<13>1 - - a - - - m\n"));
            assertThat(server.next().host()).isEqualTo("node-x");
        }
    }

    @Test
    void tcp_garbageThenGoodLine_connectionSurvivesAndParseErrorCounted() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.config(), CLOCK);
                Socket s = connect(server)) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {(byte) 0xff, 0x01, '<', '9', '9', '9', '>', 0x7f, '\n'});
            out.write(bytes("<13>1 - h good - - - ok\n"));
            LogRecord garbage = server.next();
            assertThat(garbage.app()).isEqualTo(AppNames.UNKNOWN);
            assertThat(garbage.severity()).isEqualTo(Severity.UNKNOWN);
            assertThat(SyslogDecoder.isParseError(garbage)).isTrue();
            assertThat(server.next().app()).isEqualTo("good");
            assertThat(server.errors("parse_error")).isEqualTo(1);
            out.write(bytes("<13>1 - h still - - - here\n"));
            assertThat(server.next().app()).isEqualTo("still");
        }
    }

    @Test
    void tcp_tenMegabyteFrameWithoutNewline_truncatedCountedAndNextLineArrives() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.config(), CLOCK);
                Socket s = connect(server)) {
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[1024 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            for (int i = 0; i < 10; i++) {
                out.write(chunk);
            }
            out.write(bytes("\n<13>1 - h after - - - good\n"));
            LogRecord cut = server.next();
            assertThat(cut.messageLength()).isEqualTo(64 * 1024);
            LogRecord good = server.next();
            assertThat(good.app()).isEqualTo("after");
            assertThat(good.messageText()).isEqualTo("good");
            assertThat(server.errors("frame_truncated")).isEqualTo(1);
        }
    }

    @Test
    void tcp_maxConnectionsExceeded_refusedAndCountedEarlierClientsServed() throws Exception {
        SyslogConfig config = LoopbackServer.config(2, Duration.ofMinutes(5), DataSize.ofKiB(64), "");
        try (LoopbackServer server = new LoopbackServer(config, CLOCK);
                Socket first = connect(server);
                Socket second = connect(server)) {
            first.getOutputStream().write(bytes("<13>1 - h one - - - m\n"));
            second.getOutputStream().write(bytes("<13>1 - h two - - - m\n"));
            assertThat(server.next(2)).extracting(LogRecord::app).containsExactlyInAnyOrder("one", "two");
            try (Socket third = connect(server)) {
                assertThat(closedByServer(third)).isTrue();
            }
            LoopbackServer.await("refusal counted", () -> server.errors("connection_refused") == 1);
            first.getOutputStream().write(bytes("<13>1 - h one - - - again\n"));
            assertThat(server.next().messageText()).isEqualTo("again");
            assertThat(server.counter("spillway_input_connections", null)).isEqualTo(2);
        }
    }

    @Test
    void tcp_maxConnectionsHeldByIdleClients_politeNewClientServedAndTheLongestIdleClosed() throws Exception {
        // The hostile tester's case: every slot held by idle sockets locked a polite new client out.
        FakeClock clock = FakeClock.at("2015-07-29T12:00:00Z");
        SyslogConfig config = LoopbackServer.config(2, Duration.ofMinutes(5), DataSize.ofKiB(64), "");
        try (LoopbackServer server = new LoopbackServer(config, clock);
                Socket idleOldest = connect(server);
                Socket idle = connect(server)) {
            idleOldest.getOutputStream().write(bytes("<13>1 - h old - - - m\n"));
            assertThat(server.next().app()).isEqualTo("old");
            clock.advance(Duration.ofSeconds(5));
            idle.getOutputStream().write(bytes("<13>1 - h idle - - - m\n"));
            assertThat(server.next().app()).isEqualTo("idle");
            clock.advance(Duration.ofSeconds(5));
            try (Socket polite = connect(server)) {
                polite.getOutputStream().write(bytes("<13>1 - h polite - - - hello\n"));
                assertThat(server.next().app()).isEqualTo("polite");
                assertThat(closedByServer(idleOldest)).isTrue();
                assertThat(server.errors("idle_evicted")).isEqualTo(1);
                assertThat(server.errors("connection_refused")).isZero();
                idle.getOutputStream().write(bytes("<13>1 - h idle - - - still here\n"));
                assertThat(server.next().messageText()).isEqualTo("still here");
            }
        }
    }

    @Test
    void tcp_overMaxConnectionsPerSource_refusedAndCounted() throws Exception {
        SyslogConfig d = LoopbackServer.config();
        SyslogConfig config = new SyslogConfig(
                true,
                new TcpListener(true, d.tcp().listen(), 100, Duration.ofMinutes(5), 1),
                d.udp(),
                d.maxFrame(),
                "");
        try (LoopbackServer server = new LoopbackServer(config, CLOCK);
                Socket first = connect(server)) {
            first.getOutputStream().write(bytes("<13>1 - h one - - - m\n"));
            server.next();
            try (Socket second = connect(server)) {
                assertThat(closedByServer(second)).isTrue();
            }
            LoopbackServer.await("per-source refusal counted", () -> server.errors("per_source_limit") == 1);
            first.getOutputStream().write(bytes("<13>1 - h one - - - again\n"));
            assertThat(server.next().messageText()).isEqualTo("again");
        }
    }

    @Test
    void tcp_connectionClosed_slotFreedForANewOne() throws Exception {
        SyslogConfig config = LoopbackServer.config(1, Duration.ofMinutes(5), DataSize.ofKiB(64), "");
        try (LoopbackServer server = new LoopbackServer(config, CLOCK)) {
            try (Socket s = connect(server)) {
                s.getOutputStream().write(bytes("<13>1 - h one - - - m\n"));
                server.next();
            }
            // The slot is released when the server sees the close; retry until a connection is kept.
            LoopbackServer.await("a new connection accepted", () -> {
                try (Socket s = connect(server)) {
                    s.getOutputStream().write(bytes("<13>1 - h two - - - m\n"));
                    return server.records.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS) != null;
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });
        }
    }

    @Test
    void tcp_idleConnection_closedAndCounted() throws Exception {
        SyslogConfig config = LoopbackServer.config(16, Duration.ofMillis(200), DataSize.ofKiB(64), "");
        try (LoopbackServer server = new LoopbackServer(config, CLOCK);
                Socket s = connect(server)) {
            assertThat(closedByServer(s)).isTrue();
            LoopbackServer.await("idle timeout counted", () -> server.errors("idle_timeout") == 1);
        }
    }

    @Test
    void stop_listenersClosed_connectRefused() throws Exception {
        LoopbackServer server = new LoopbackServer(LoopbackServer.config(), CLOCK);
        int port = server.input.tcpPort();
        assertThat(port).isPositive();
        assertThat(server.input.udpPort()).isPositive();
        server.close();
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(IOException.class);
        server.close(); // idempotent
    }

    @Test
    void start_portInUse_failsNamingTheAddress() throws Exception {
        try (LoopbackServer first = new LoopbackServer(LoopbackServer.config(), CLOCK)) {
            SyslogConfig clash = new SyslogConfig(
                    true,
                    new TcpListener(
                            true,
                            io.spillway.config.ListenAddress.loopback(first.input.tcpPort()),
                            1,
                            Duration.ofMinutes(1),
                            1),
                    new UdpListener(false, io.spillway.config.ListenAddress.loopback(0), DataSize.ofMiB(1)),
                    DataSize.ofKiB(64),
                    "");
            assertThatThrownBy(() -> new LoopbackServer(clash, CLOCK))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("syslog tcp: cannot listen on 127.0.0.1:" + first.input.tcpPort());
        }
    }

    @Test
    void start_disabled_noListeners() throws Exception {
        SyslogConfig off = new SyslogConfig(
                false, SyslogConfig.defaults().tcp(), SyslogConfig.defaults().udp(), DataSize.ofKiB(64), "");
        try (LoopbackServer server = new LoopbackServer(off, CLOCK)) {
            assertThat(server.input.tcpPort()).isEqualTo(-1);
            assertThat(server.input.udpPort()).isEqualTo(-1);
        }
    }
}
