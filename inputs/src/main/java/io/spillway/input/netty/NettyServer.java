package io.spillway.input.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.pipeline.InputMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The listening half of a network input: one event loop group, at most one TCP and one UDP listener,
 * and every accepted connection, so that the syslog, GELF and forward inputs bound, time out and stop
 * their sockets the same way. The input keeps its protocol: it builds each connection's pipeline, and
 * it writes its own log lines about malformed input.
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>Connections per source: at most {@code maxConnectionsPerSource} accepted connections from one IP
 *       address are open at once. One more is counted ({@code per_source_limit}), handed to the input's
 *       refusal callback (which logs, and must not count again) and closed as soon as it is accepted.
 *   <li>Connections: at most {@code maxConnections} accepted connections are open at once. One more
 *       closes the open connection that has read nothing for the longest, if that is at least {@link
 *       #MIN_IDLE_TO_EVICT} ({@code idle_evicted}, the victim handed to the callback), and is admitted:
 *       thousands of idle sockets cannot lock a polite new client out. When every connection has read
 *       within {@link #MIN_IDLE_TO_EVICT}, the new one is refused instead ({@code connection_refused})
 *       and the connected clients are served on. For the moment an evicted connection takes to close,
 *       the count may pass the bound by the connections accepted in that moment. An admitted connection is counted
 *       ({@link InputMetrics#connectionOpened()}) and tracked until it closes; finding the longest idle
 *       is a scan of the open connections, done only when the bound is reached.
 *   <li>Time: {@link #idleTimeout} closes a connection that sends nothing for the timeout and counts
 *       it ({@code idle_timeout}).
 *   <li>Errors: a UDP socket error that the input's datagram handler passes on is counted ({@code
 *       socket_error}) and logged at debug; the listener keeps listening.
 *   <li>Bytes: a UDP listener reads each datagram into a {@value #MAX_DATAGRAM}-byte buffer, the
 *       largest payload UDP carries, and asks the kernel for the configured receive buffer.
 *   <li>Stop: {@link #stop} closes the listeners and every connection, then waits (at most {@link
 *       #STOP_TIMEOUT} for each step) for the event loops to finish, so no handler runs after it
 *       returns.
 * </ul>
 *
 * Log lines are written to the input's own logger and start with {@code "<protocol> input <name>"},
 * as each input wrote them before this class existed.
 *
 * <h2>Threads</h2>
 *
 * {@link #start}, the {@code bind…} methods and {@link #stop} are called from one thread (the input's
 * {@code start} and {@code stop}); binding before {@link #start} throws {@link IllegalStateException}.
 * The refusal callback, the connection initialiser and the idle handler run on the event loops; the
 * connection count is atomic, the per-source counts and the tracked connections are concurrent maps,
 * and the group of connections is Netty's thread-safe {@link ChannelGroup}. {@link #tcpPort()} and {@link #udpPort()} may be read from
 * any thread.
 */
public final class NettyServer {
    /** The largest UDP payload (65535 minus headers) fits in a 64 KiB receive buffer. */
    public static final int MAX_DATAGRAM = 64 * 1024;

    /** How long {@link #stop} waits for each of its steps. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** A connection is evicted for a new one over {@code max_connections} only when idle this long. */
    public static final Duration MIN_IDLE_TO_EVICT = Duration.ofSeconds(1);

    private static final int TCP_BACKLOG = 1024;

    /** Told about a connection the limits closed; it was counted already: log it (throttled), do not count. */
    @FunctionalInterface
    public interface Refusals {
        /**
         * @param ch the connection being closed: the new one ({@code connection_refused}, {@code
         *     per_source_limit}) or the idle one evicted for it ({@code idle_evicted})
         * @param kind the error kind it was counted under
         * @param detail what happened, naming the limit and its key
         */
        void closed(SocketChannel ch, String kind, String detail);
    }

    private final String protocol;
    private final InputMetrics metrics;
    private final Logger log;
    private final int threads;
    private final InstantSource clock;
    private final Map<SocketChannel, Tracked> tracked = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> perSource = new ConcurrentHashMap<>();
    private @Nullable EventLoopGroup group;
    private @Nullable ChannelGroup connections;
    private final AtomicInteger openConnections = new AtomicInteger();
    private volatile @Nullable Channel tcpChannel;
    private volatile @Nullable Channel udpChannel;

    /**
     * A server that is not started yet: nothing listens and no thread runs until {@link #start}.
     *
     * @param protocol the input's protocol as it starts its log lines and error messages, e.g. {@code syslog}
     * @param threads event loop threads
     * @param metrics the input's counters; {@link InputMetrics#input()} names the input in log lines
     * @param log the input's logger, so its lines keep their logger name
     * @param clock the clock connections' last reads are stamped with, for eviction
     */
    public NettyServer(String protocol, int threads, InputMetrics metrics, Logger log, InstantSource clock) {
        this.protocol = protocol;
        this.threads = threads;
        this.metrics = metrics;
        this.log = log;
        this.clock = clock;
    }

    /**
     * Starts the event loops: {@code threads} named daemon threads {@code spillway-<protocol>-…}.
     *
     * @throws IllegalStateException when already started
     */
    public void start() {
        if (group != null) {
            throw new IllegalStateException(protocol + " input " + metrics.input() + " already started");
        }
        group = new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory("spillway-" + protocol, true), NioIoHandler.newFactory());
        connections = new DefaultChannelGroup(protocol, GlobalEventExecutor.INSTANCE);
    }

    /** True between {@link #start} and {@link #stop}. */
    public boolean started() {
        return group != null;
    }

    private EventLoopGroup group() {
        EventLoopGroup g = group;
        if (g == null) {
            throw new IllegalStateException(protocol + " input " + metrics.input() + " is not started");
        }
        return g;
    }

    /**
     * Binds the TCP listener {@code l} and waits until it listens: its connection limits as below, its
     * idle timeout on every connection, and TLS when {@code tls} is given; the protocol's handlers
     * follow.
     *
     * @param tls the server's TLS context ({@link #serverTls}), or null for plain TCP
     * @param protocol called on the event loop with each admitted connection to add the protocol's
     *     handlers, after TLS and the idle timeout
     * @see #bindTcp(ListenAddress, int, int, Refusals, Consumer)
     */
    public Channel bindTcp(
            TcpListener l, @Nullable SslContext tls, Refusals onRefused, Consumer<SocketChannel> protocol)
            throws IOException {
        return bindTcp(l.listen(), l.maxConnections(), l.maxConnectionsPerSource(), onRefused, ch -> {
            if (tls != null) {
                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
            }
            ch.pipeline().addLast("idle", idleTimeout(l.idleTimeout()));
            protocol.accept(ch);
        });
    }

    /** Binds the UDP listener {@code l}, as {@link #bindUdp(ListenAddress, DataSize, ChannelHandler, String)}. */
    public Channel bindUdp(UdpListener l, ChannelHandler handler, String what) throws IOException {
        return bindUdp(l.listen(), l.receiveBuffer(), handler, what);
    }

    /**
     * A server TLS context from a PEM certificate chain and an unencrypted PKCS#8 key (Netty's {@code
     * SslHandler} over the JDK's provider).
     *
     * @param what names the keys in the error, e.g. {@code "forward: tls.cert"}
     * @throws IOException naming both files when they cannot be loaded
     */
    public static SslContext serverTls(String cert, String key, String what) throws IOException {
        try {
            return SslContextBuilder.forServer(new java.io.File(cert), new java.io.File(key))
                    .build();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new IOException(what + " " + cert + " and tls.key " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Binds the TCP listener and waits until it listens.
     *
     * @param listen where to listen
     * @param maxConnections the most connections open at once ({@code max_connections})
     * @param maxConnectionsPerSource the most connections open at once from one IP address ({@code
     *     max_connections_per_source})
     * @param onRefused called on the event loop with a connection the limits close, after it was
     *     counted and before it is closed: log it (throttled), do not count it again
     * @param initConnection called on the event loop with each admitted connection to build its pipeline
     * @return the listening channel
     * @throws IOException naming the protocol and address when it cannot listen
     */
    public Channel bindTcp(
            ListenAddress listen,
            int maxConnections,
            int maxConnectionsPerSource,
            Refusals onRefused,
            Consumer<SocketChannel> initConnection)
            throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group())
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, TCP_BACKLOG)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept(ch, maxConnections, maxConnectionsPerSource, onRefused, initConnection);
                    }
                });
        Channel ch = bind(b.bind(listen.toSocketAddress()), "tcp", listen.toString());
        tcpChannel = ch;
        return ch;
    }

    /**
     * Binds a UDP listener for whole datagrams: each is read into a {@value #MAX_DATAGRAM}-byte buffer
     * and the kernel is asked for {@code receiveBuffer} (SO_RCVBUF).
     *
     * @param handler receives the datagrams; shared by the one channel
     * @param what names the listener in the debug line about a socket error, e.g. {@code udp}
     * @throws IOException naming the protocol and address when it cannot listen
     */
    public Channel bindUdp(ListenAddress listen, DataSize receiveBuffer, ChannelHandler handler, String what)
            throws IOException {
        Bootstrap b = new Bootstrap()
                .group(group())
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, receiveBuffer.toIntBytes())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(datagramPipeline(handler, what));
        return bindUdp(b.bind(listen.toSocketAddress()), listen.toString());
    }

    /**
     * Binds a UDP listener with Netty's default buffers, for datagrams that carry no payload worth
     * sizing for (the forward input's heartbeats).
     *
     * @param what names the listener in the debug line about a socket error, e.g. {@code udp heartbeat}
     * @throws IOException naming the protocol and address when it cannot listen
     */
    public Channel bindUdp(InetSocketAddress at, ChannelHandler handler, String what) throws IOException {
        Bootstrap b = new Bootstrap()
                .group(group())
                .channel(NioDatagramChannel.class)
                .handler(datagramPipeline(handler, what));
        return bindUdp(b.bind(at), at.toString());
    }

    /** The input's handler, then the socket-error handler for what the input's handler passes on. */
    private ChannelInitializer<DatagramChannel> datagramPipeline(ChannelHandler handler, String what) {
        ChannelHandler errors = new SocketErrors(what);
        return new ChannelInitializer<DatagramChannel>() {
            @Override
            protected void initChannel(DatagramChannel ch) {
                ch.pipeline().addLast(handler, errors);
            }
        };
    }

    private Channel bindUdp(ChannelFuture future, String address) throws IOException {
        Channel ch = bind(future, "udp", address);
        udpChannel = ch;
        return ch;
    }

    private Channel bind(ChannelFuture future, String transport, String address) throws IOException {
        future.awaitUninterruptibly();
        if (!future.isSuccess()) {
            Throwable cause = future.cause();
            throw new IOException(
                    protocol + " " + transport + ": cannot listen on " + address + ": "
                            + (cause == null ? "unknown error" : cause.getMessage()),
                    cause);
        }
        return future.channel();
    }

    /** Admission control of one accepted connection; runs on its event loop. */
    private void accept(
            SocketChannel ch,
            int maxConnections,
            int maxPerSource,
            Refusals onRefused,
            Consumer<SocketChannel> initConnection) {
        InetAddress source =
                ch.remoteAddress() == null ? null : ch.remoteAddress().getAddress();
        if (source != null && perSource.merge(source, 1, Integer::sum) > maxPerSource) {
            release(source);
            metrics.error("per_source_limit");
            onRefused.closed(
                    ch,
                    "per_source_limit",
                    "max_connections_per_source (" + maxPerSource + ") connections from this address are" + " open");
            ch.close();
            return;
        }
        if (openConnections.incrementAndGet() > maxConnections) {
            Tracked victim = longestIdle();
            if (victim == null) {
                openConnections.decrementAndGet();
                release(source);
                metrics.error("connection_refused");
                onRefused.closed(
                        ch,
                        "connection_refused",
                        "max_connections (" + maxConnections + ") are open and none has been idle for "
                                + MIN_IDLE_TO_EVICT.toSeconds() + "s");
                ch.close();
                return;
            }
            metrics.error("idle_evicted");
            onRefused.closed(
                    victim.channel,
                    "idle_evicted",
                    "max_connections (" + maxConnections + ") are open; closing this one, idle for "
                            + (clock.millis() - victim.lastReadMillis) + "ms, for a new client");
            victim.channel.close();
        }
        Tracked t = new Tracked(ch, clock.millis());
        tracked.put(ch, t);
        ch.closeFuture().addListener(f -> {
            openConnections.decrementAndGet();
            tracked.remove(ch);
            release(source);
        });
        metrics.connectionOpened();
        ChannelGroup open = connections;
        if (open != null) {
            open.add(ch);
        }
        ch.pipeline().addLast("activity", t);
        initConnection.accept(ch);
    }

    private void release(@Nullable InetAddress source) {
        if (source != null) {
            perSource.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * The open connection that has read nothing for the longest, if idle long enough, marked evicted so
     * that no other event loop picks it too; null when none qualifies.
     */
    private @Nullable Tracked longestIdle() {
        while (true) {
            long now = clock.millis();
            Tracked best = null;
            long bestIdle = MIN_IDLE_TO_EVICT.toMillis() - 1;
            for (Tracked t : tracked.values()) {
                long idle = now - t.lastReadMillis;
                if (!t.evicted.get()
                        && idle > bestIdle
                        && !Boolean.TRUE.equals(t.channel.attr(BUSY).get())) {
                    best = t;
                    bestIdle = idle;
                }
            }
            if (best == null || best.evicted.compareAndSet(false, true)) {
                return best;
            }
            // Another event loop took it for its own new connection: look again.
        }
    }

    /**
     * The first handler of every admitted connection: stamps its last read, so the longest idle can be
     * found when {@code max_connections} is reached. One per connection.
     */
    /**
     * Set by a protocol on a channel that owes its client an answer (forward: chunks waiting for
     * their acks): such a channel is quiet but not idle, and is never evicted for a new client.
     */
    public static final io.netty.util.AttributeKey<Boolean> BUSY = io.netty.util.AttributeKey.valueOf("spillway.busy");

    private final class Tracked extends ChannelInboundHandlerAdapter {
        final SocketChannel channel;
        volatile long lastReadMillis;
        /** Chosen for eviction: never chosen twice. */
        final AtomicBoolean evicted = new AtomicBoolean();

        Tracked(SocketChannel channel, long now) {
            this.channel = channel;
            this.lastReadMillis = now;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastReadMillis = clock.millis();
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * A new handler (one per connection) that closes the connection when it has read nothing for
     * {@code timeout}, counting {@code idle_timeout}. Put it before the frame decoder.
     */
    public ChannelHandler idleTimeout(Duration timeout) {
        return new IdleTimeout(timeout);
    }

    /** Connections open now (for tests). */
    public int openConnections() {
        return openConnections.get();
    }

    /** The bound TCP port, or -1 when TCP is not listening. */
    public int tcpPort() {
        return port(tcpChannel);
    }

    /** The bound UDP port, or -1 when UDP is not listening. */
    public int udpPort() {
        return port(udpChannel);
    }

    private static int port(@Nullable Channel channel) {
        return channel != null && channel.localAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
    }

    /**
     * Closes the listeners and every connection, then stops the event loops, waiting at most {@link
     * #STOP_TIMEOUT} for each step; logs a warning when the loops did not stop in time. Does nothing
     * when not started; the server may be started again after.
     */
    public void stop() {
        EventLoopGroup g = group;
        if (g == null) {
            return;
        }
        long deadline = STOP_TIMEOUT.toMillis();
        Channel tcp = tcpChannel;
        if (tcp != null) {
            tcp.close().awaitUninterruptibly(deadline);
        }
        Channel udp = udpChannel;
        if (udp != null) {
            udp.close().awaitUninterruptibly(deadline);
        }
        ChannelGroup open = connections;
        if (open != null) {
            open.close().awaitUninterruptibly(deadline);
        }
        if (!g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(deadline)) {
            log.warn(protocol + " input {}: event loops did not stop within {}", metrics.input(), STOP_TIMEOUT);
        }
        group = null;
        connections = null;
        tcpChannel = null;
        udpChannel = null;
    }

    /** The peer's IP address as text, for log lines and as a record's default host. */
    public static String peerHost(@Nullable SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return address == null ? "unknown" : address.toString();
    }

    /** Epoch nanoseconds of {@code instant}, a record's receive time. */
    public static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    /**
     * The last handler of a UDP listener: a socket error (e.g. ICMP unreachable) concerns no one
     * sender, so it is counted ({@code socket_error}) and the socket keeps listening.
     */
    @ChannelHandler.Sharable
    private final class SocketErrors extends ChannelInboundHandlerAdapter {
        private final String what;

        SocketErrors(String what) {
            this.what = what;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            metrics.error("socket_error");
            log.debug(protocol + " input {}: " + what + " error: {}", metrics.input(), cause.toString());
        }
    }

    /** Reader idle only: a connection that sends nothing is closed, one that only receives is not. */
    private final class IdleTimeout extends IdleStateHandler {
        IdleTimeout(Duration timeout) {
            super(timeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
            metrics.error("idle_timeout");
            log.debug(
                    protocol + " input {}: closing idle connection from {}",
                    metrics.input(),
                    ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    /** {@code "tcp HOST:PORT  "} for the start-up banner, or nothing when not listening. */
    public static String listening(String proto, String host, int port) {
        return port > 0 ? proto + " " + host + ":" + port + "  " : "";
    }
}
