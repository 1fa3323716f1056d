package io.spillway.input.syslog;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The syslog server: TCP (RFC 6587, octet counting or LF framing, see {@link SyslogFrameDecoder}) and
 * UDP (RFC 5426) listeners on Netty NIO, decoding with {@link SyslogDecoder} and handing every record
 * to the {@link RecordSink} given to {@link #start}.
 *
 * <h2>Bounds</h2>
 *
 * <ul>
 *   <li>Connections: at most {@code tcp.max_connections} open; one more is closed as soon as it is
 *       accepted (error {@code connection_refused}), and the clients already connected are served on.
 *   <li>Time: a connection that sends nothing for {@code tcp.idle_timeout} is closed ({@code idle_timeout}).
 *   <li>Bytes: a frame is at most {@code max_frame} bytes, longer ones are truncated
 *       ({@code frame_truncated}); each connection buffers at most one frame. A UDP datagram is one
 *       message (RFC 5426 §3.1; rsyslog and Docker send one per datagram), cut to {@code max_frame};
 *       the receive buffer per datagram is 64 KiB, the largest datagram UDP carries.
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * A decoding problem never closes a connection: a frame that does not parse still becomes a record
 * (see {@link SyslogDecoder}) and is counted {@code parse_error}; framing problems are counted by the
 * frame decoder's kinds. Malformed input is logged at most once per peer per {@value #LOG_INTERVAL_SECONDS}
 * seconds. Only I/O errors of the socket itself close it ({@code connection_error}); a UDP socket
 * error is counted ({@code socket_error}) and the socket keeps listening.
 *
 * <h2>Threads</h2>
 *
 * One event loop group of named daemon threads serves both listeners; the sink is called on those
 * threads and must not block (it never does: admission is an answer, not a wait). {@link #start} and
 * {@link #stop} are called once each, from one thread. {@link #stop} closes the listeners and every
 * connection, then waits (bounded) for the event loops to finish, so no record is handed to the sink
 * after it returns.
 */
public final class SyslogInput implements Input {
    static final int LOG_INTERVAL_SECONDS = 10;

    /** The largest UDP payload (65535 minus headers) fits in a 64 KiB receive buffer. */
    static final int UDP_DATAGRAM_BUFFER = 64 * 1024;

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(SyslogInput.class);

    private final SyslogConfig config;
    private final InputMetrics metrics;
    private final InstantSource clock;
    private final SyslogDecoder decoder;
    private final PeerLogLimiter logLimiter;
    private final AtomicInteger openConnections = new AtomicInteger();

    private @Nullable EventLoopGroup group;
    private @Nullable ChannelGroup channels;
    private @Nullable Channel tcpChannel;
    private @Nullable Channel udpChannel;
    private volatile @Nullable RecordSink sink;

    /**
     * @param config the input's configuration
     * @param metrics the input's counters; its {@link InputMetrics#input()} is this input's {@link #name()}
     * @param clock the wall clock: receive times, RFC 3164 years, log rate limiting
     */
    public SyslogInput(SyslogConfig config, InputMetrics metrics, InstantSource clock) {
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.decoder = new SyslogDecoder(clock);
        this.logLimiter = new PeerLogLimiter(clock, Duration.ofSeconds(LOG_INTERVAL_SECONDS));
    }

    @Override
    public String name() {
        return metrics.input();
    }

    @Override
    public void start(RecordSink sink) throws IOException {
        if (group != null) {
            throw new IllegalStateException("syslog input " + name() + " already started");
        }
        this.sink = sink;
        if (!config.enabled() || (!config.tcp().enabled() && !config.udp().enabled())) {
            LOG.info("syslog input {} is disabled", name());
            return;
        }
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory("spillway-syslog", true), NioIoHandler.newFactory());
        group = g;
        channels = new DefaultChannelGroup("syslog", GlobalEventExecutor.INSTANCE);
        try {
            if (config.tcp().enabled()) {
                tcpChannel = bindTcp(g);
                LOG.info("syslog input {} listening on tcp {}", name(), tcpChannel.localAddress());
            }
            if (config.udp().enabled()) {
                udpChannel = bindUdp(g);
                LOG.info("syslog input {} listening on udp {}", name(), udpChannel.localAddress());
            }
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    private Channel bindTcp(EventLoopGroup g) throws IOException {
        SyslogConfig.Tcp tcp = config.tcp();
        ServerBootstrap b = new ServerBootstrap()
                .group(g)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept(ch);
                    }
                });
        return bind(b.bind(tcp.listen().toSocketAddress()), "tcp", tcp.listen().toString());
    }

    private Channel bindUdp(EventLoopGroup g) throws IOException {
        SyslogConfig.Udp udp = config.udp();
        Bootstrap b = new Bootstrap()
                .group(g)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, udp.receiveBuffer().toIntBytes())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UDP_DATAGRAM_BUFFER))
                .handler(new DatagramHandler());
        return bind(b.bind(udp.listen().toSocketAddress()), "udp", udp.listen().toString());
    }

    private static Channel bind(io.netty.channel.ChannelFuture future, String protocol, String address)
            throws IOException {
        future.awaitUninterruptibly();
        if (!future.isSuccess()) {
            Throwable cause = future.cause();
            throw new IOException(
                    "syslog " + protocol + ": cannot listen on " + address + ": "
                            + (cause == null ? "unknown error" : cause.getMessage()),
                    cause);
        }
        return future.channel();
    }

    /** Admission control and pipeline of one accepted connection; runs on its event loop. */
    private void accept(SocketChannel ch) {
        SyslogConfig.Tcp tcp = config.tcp();
        if (openConnections.incrementAndGet() > tcp.maxConnections()) {
            openConnections.decrementAndGet();
            metrics.error("connection_refused");
            String peer = peerHost(ch.remoteAddress());
            if (logLimiter.tryAcquire(peer)) {
                LOG.warn(
                        "syslog input {}: refused a connection from {}: tcp.max_connections ({}) are open",
                        name(),
                        peer,
                        tcp.maxConnections());
            }
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
        metrics.connectionOpened();
        ChannelGroup group = channels;
        if (group != null) {
            group.add(ch);
        }
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(tcp.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast("frames", new SyslogFrameDecoder(config.maxFrameBytes(), kind -> frameError(ch, kind)))
                .addLast("records", new FrameHandler());
    }

    private void frameError(Channel ch, String kind) {
        metrics.error(kind);
        String peer = peerHost(ch.remoteAddress());
        if (logLimiter.tryAcquire(peer)) {
            LOG.warn("syslog input {}: {} from {} (max_frame is {} bytes)", name(), kind, peer, config.maxFrameBytes());
        }
    }

    /** Decodes one frame and hands the record over; the frame is released by the caller. */
    private void deliver(ByteBuf frame, @Nullable SocketAddress remote) {
        RecordSink s = sink;
        if (s == null) {
            return;
        }
        String peer = peerHost(remote);
        String defaultHost = config.host().isEmpty() ? peer : config.host();
        LogRecord record = decoder.decode(frame, defaultHost, nanos(clock.instant()));
        if (SyslogDecoder.isParseError(record)) {
            metrics.error("parse_error");
            if (logLimiter.tryAcquire(peer)) {
                LOG.warn(
                        "syslog input {}: malformed message from {} ({}), kept as app unknown; further ones from"
                                + " this peer are counted but not logged for {}s",
                        name(),
                        peer,
                        record.fields().get(SyslogDecoder.PARSE_ERROR_FIELD),
                        LOG_INTERVAL_SECONDS);
            }
        }
        metrics.received(record.messageLength());
        s.accept(record);
    }

    private static String peerHost(@Nullable SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return address == null ? "unknown" : address.toString();
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    /** Receives frames of one TCP connection; also closes it on idle timeout and socket errors. */
    private final class FrameHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            deliver(frame, ctx.channel().remoteAddress());
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                metrics.error("idle_timeout");
                LOG.debug(
                        "syslog input {}: closing idle connection from {}",
                        name(),
                        ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Decoding never throws (see SyslogDecoder); what arrives here is the socket failing.
            metrics.error("connection_error");
            String peer = peerHost(ctx.channel().remoteAddress());
            if (logLimiter.tryAcquire(peer)) {
                LOG.warn("syslog input {}: closing connection from {}: {}", name(), peer, cause.toString());
            }
            ctx.close();
        }
    }

    /** One datagram is one message (RFC 5426 §3.1), cut to max_frame. */
    @ChannelHandler.Sharable
    private final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            if (content.readableBytes() > config.maxFrameBytes()) {
                metrics.error("frame_truncated");
                content = content.slice(content.readerIndex(), config.maxFrameBytes());
            }
            deliver(content, packet.sender());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A UDP socket error (e.g. ICMP unreachable) concerns no one sender: count it, keep listening.
            metrics.error("socket_error");
            LOG.debug("syslog input {}: udp error: {}", name(), cause.toString());
        }
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

    @Override
    public void stop() {
        EventLoopGroup g = group;
        if (g == null) {
            return;
        }
        long deadline = STOP_TIMEOUT.toMillis();
        if (tcpChannel != null) {
            tcpChannel.close().awaitUninterruptibly(deadline);
        }
        if (udpChannel != null) {
            udpChannel.close().awaitUninterruptibly(deadline);
        }
        ChannelGroup open = channels;
        if (open != null) {
            open.close().awaitUninterruptibly(deadline);
        }
        if (!g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(deadline)) {
            LOG.warn("syslog input {}: event loops did not stop within {}", name(), STOP_TIMEOUT);
        }
        group = null;
        tcpChannel = null;
        udpChannel = null;
        channels = null;
    }
}
