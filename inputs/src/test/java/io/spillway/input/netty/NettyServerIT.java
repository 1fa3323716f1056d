package io.spillway.input.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.spillway.FakeClock;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NettyServer} on loopback: the connection limits (in all, with eviction of the longest idle, and
 * per source), the idle timeout, bind errors and stop. Idleness for eviction is read from a settable
 * clock, so which connection is the longest idle is decided by the test, not by timing.
 */
class NettyServerIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Metrics metrics = new Metrics();
    private final RecordingLogger log = new RecordingLogger();
    private final FakeClock clock = FakeClock.at("2026-11-25T12:00:00Z");
    private final NettyServer server = new NettyServer("test", 2, new InputMetrics(metrics, "t1"), log, clock);
    private final List<String> closedKinds = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void bindTcp_overMaxConnections_refusesCountsAndServesTheOthers() throws Exception {
        AtomicInteger refused = new AtomicInteger();
        server.bindTcp(ListenAddress.loopback(0), 1, 100, (ch, kind, detail) -> refused.incrementAndGet(), ch -> {});
        try (Socket first = connect()) {
            await("first admitted", () -> server.openConnections() == 1);
            try (Socket second = connect()) {
                assertThat(closedByServer(second)).isTrue();
            }
            assertThat(refused).hasValue(1);
            assertThat(Counters.errors(metrics, "connection_refused")).isEqualTo(1);
            assertThat(Counters.connections(metrics)).isEqualTo(1);
            assertThat(first.isClosed()).isFalse();
        }
        await("closed connection released", () -> server.openConnections() == 0);
        try (Socket again = connect()) {
            await("a free slot admits again", () -> server.openConnections() == 1);
        }
    }

    @Test
    void bindTcp_fullOfIdleConnections_evictsTheLongestIdleAndServesTheNewClient() throws Exception {
        server.bindTcp(
                ListenAddress.loopback(0),
                4,
                100,
                this::closed,
                ch -> ch.pipeline().addLast(new Echo()));
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            idle.add(connect());
            int n = i + 1;
            await(n + " admitted", () -> server.openConnections() == n);
            clock.advance(Duration.ofSeconds(1)); // the first connected is the longest idle
        }
        clock.advance(NettyServer.MIN_IDLE_TO_EVICT);
        try (Socket polite = connect()) {
            assertThat(echo(polite, 'x')).isEqualTo('x');
            assertThat(closedByServer(idle.get(0))).isTrue();
            assertThat(Counters.errors(metrics, "idle_evicted")).isEqualTo(1);
            assertThat(Counters.errors(metrics, "connection_refused")).isZero();
            assertThat(closedKinds).containsExactly("idle_evicted");
            for (Socket s : idle.subList(1, 4)) {
                assertThat(echo(s, 'y')).isEqualTo('y');
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void bindTcp_fullAndNoneIdleLongEnough_refusesTheNewClient() throws Exception {
        server.bindTcp(
                ListenAddress.loopback(0),
                2,
                100,
                this::closed,
                ch -> ch.pipeline().addLast(new Echo()));
        try (Socket a = connect();
                Socket b = connect()) {
            await("two admitted", () -> server.openConnections() == 2);
            clock.advance(NettyServer.MIN_IDLE_TO_EVICT.minusMillis(1));
            try (Socket c = connect()) {
                assertThat(closedByServer(c)).isTrue();
            }
            assertThat(closedKinds).containsExactly("connection_refused");
            assertThat(echo(a, 'a')).isEqualTo('a');
            assertThat(echo(b, 'b')).isEqualTo('b');
        }
    }

    @Test
    void bindTcp_overMaxConnectionsPerSource_refusesCountsAndAdmitsAgainWhenOneCloses() throws Exception {
        server.bindTcp(
                ListenAddress.loopback(0),
                100,
                2,
                this::closed,
                ch -> ch.pipeline().addLast(new Echo()));
        Socket first = connect();
        try (Socket second = connect()) {
            await("two admitted", () -> server.openConnections() == 2);
            try (Socket third = connect()) {
                assertThat(closedByServer(third)).isTrue();
            }
            assertThat(Counters.errors(metrics, "per_source_limit")).isEqualTo(1);
            assertThat(closedKinds).containsExactly("per_source_limit");
            assertThat(echo(second, 's')).isEqualTo('s');
            first.close();
            await("first released", () -> server.openConnections() == 1);
            try (Socket again = connect()) {
                assertThat(echo(again, 'z')).isEqualTo('z');
            }
        }
    }

    private void closed(io.netty.channel.socket.SocketChannel ch, String kind, String detail) {
        closedKinds.add(kind);
    }

    /** Writes one byte and reads the echo. */
    private static char echo(Socket s, char c) throws IOException {
        s.getOutputStream().write(c);
        s.getOutputStream().flush();
        return (char) s.getInputStream().read();
    }

    @Test
    void idleTimeout_silentConnection_closedAndCounted() throws Exception {
        server.bindTcp(
                ListenAddress.loopback(0),
                4,
                4,
                (ch, kind, detail) -> {},
                ch -> ch.pipeline().addLast(server.idleTimeout(Duration.ofMillis(100))));
        try (Socket s = connect()) {
            assertThat(closedByServer(s)).isTrue();
        }
        await("idle_timeout counted", () -> Counters.errors(metrics, "idle_timeout") == 1);
        assertThat(log.lines).anyMatch(l -> l.startsWith("DEBUG test input t1: closing idle connection from "));
    }

    @Test
    void bindTcp_portInUse_failsNamingProtocolAndAddress() throws Exception {
        server.bindTcp(ListenAddress.loopback(0), 1, 1, (ch, kind, detail) -> {}, ch -> {});
        NettyServer other = new NettyServer("test", 1, new InputMetrics(metrics, "t2"), log, clock);
        other.start();
        try {
            assertThatThrownBy(() -> other.bindTcp(
                            ListenAddress.loopback(server.tcpPort()), 1, 1, (ch, kind, detail) -> {}, ch -> {}))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("test tcp: cannot listen on 127.0.0.1:" + server.tcpPort());
        } finally {
            other.stop();
        }
    }

    @Test
    void stop_closesListenersAndIsIdempotent() throws Exception {
        server.bindTcp(ListenAddress.loopback(0), 1, 1, (ch, kind, detail) -> {}, ch -> {});
        server.bindUdp(ListenAddress.loopback(0), DataSize.ofKiB(64), new Discard(), "udp");
        int port = server.tcpPort();
        assertThat(port).isPositive();
        assertThat(server.udpPort()).isPositive();
        server.stop();
        assertThat(server.tcpPort()).isEqualTo(-1);
        assertThat(server.udpPort()).isEqualTo(-1);
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(IOException.class);
        server.stop();
        assertThat(server.started()).isFalse();
    }

    @Test
    void start_twice_throws() {
        assertThatThrownBy(server::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("test input t1 already started");
    }

    @Test
    void ports_notBound_minusOne() {
        assertThat(server.tcpPort()).isEqualTo(-1);
        assertThat(server.udpPort()).isEqualTo(-1);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort());
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    /** True when the server closed the connection (EOF or reset) within the wait. */
    private static boolean closedByServer(Socket s) {
        try {
            InputStream in = s.getInputStream();
            return in.read() == -1;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Writes back what it reads. */
    private static final class Echo extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }

    @io.netty.channel.ChannelHandler.Sharable
    private static final class Discard extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {}
    }
}
