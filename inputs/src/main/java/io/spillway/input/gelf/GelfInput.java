package io.spillway.input.gelf;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
import io.netty.util.concurrent.ScheduledFuture;
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
 * The GELF server: UDP (chunked, gzip/zlib/plain datagrams, see {@link GelfChunkAggregator} and {@link
 * GelfPayloads}) and TCP (NUL-terminated frames) listeners on Netty NIO, decoding with {@link GelfDecoder}
 * and handing every record to the {@link RecordSink} given to {@link #start}.
 *
 * <h2>Bounds</h2>
 *
 * <ul>
 *   <li>Connections: at most {@code tcp.max_connections}; one more is closed when accepted ({@code
 *       connection_refused}); the connected clients are served on.
 *   <li>Time: a silent connection is closed after {@code tcp.idle_timeout} ({@code idle_timeout}); an
 *       incomplete chunked message is dropped after {@code chunk_timeout} ({@code chunk_timeout}), checked
 *       on every datagram and once a second.
 *   <li>Bytes: a TCP frame is at most {@code max_message} bytes; a longer one is discarded up to its NUL
 *       ({@code too_large}) and the connection goes on. A decompressed payload is at most {@code
 *       max_message} ({@code too_large}). Reassembly holds at most {@code max_chunked_messages} messages
 *       and {@code max_reassembly_bytes} bytes ({@code chunk_evicted}).
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * A message that cannot be decoded is dropped and counted with its kind ({@code parse_error}, {@code
 * decompress_error}, {@code too_large}, {@code chunk_invalid}); it never closes a connection. Unlike
 * syslog there is no record to keep: a GELF payload that is not JSON has no message to carry. Errors
 * are logged at most once per {@value #LOG_INTERVAL_SECONDS} seconds per input.
 *
 * <h2>Threads</h2>
 *
 * One event loop group of named daemon threads serves both listeners; the sink is called on them and
 * must not block. {@link #start} and {@link #stop} are called once each, from one thread; after {@link
 * #stop} returns no record is handed to the sink.
 */
public final class GelfInput implements Input {
    static final int LOG_INTERVAL_SECONDS = 10;

    /** The largest UDP payload fits in 64 KiB. */
    static final int UDP_DATAGRAM_BUFFER = 64 * 1024;

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(GelfInput.class);

    private final GelfConfig config;
    private final InputMetrics metrics;
    private final InstantSource clock;
    private final GelfDecoder decoder;
    private final GelfChunkAggregator chunks;
    private final AtomicInteger openConnections = new AtomicInteger();
    private volatile long lastLogMillis = Long.MIN_VALUE;

    private @Nullable EventLoopGroup group;
    private @Nullable ChannelGroup channels;
    private @Nullable Channel tcpChannel;
    private @Nullable Channel udpChannel;
    private @Nullable ScheduledFuture<?> expiry;
    private volatile @Nullable RecordSink sink;

    /**
     * @param config the input's configuration
     * @param metrics the input's counters; its {@link InputMetrics#input()} is this input's {@link #name()}
     * @param clock the wall clock: receive times, chunk timeouts
     */
    public GelfInput(GelfConfig config, InputMetrics metrics, InstantSource clock) {
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.decoder = new GelfDecoder(config.appField());
        this.chunks = new GelfChunkAggregator(
                config.maxChunkedMessages(),
                config.maxMessageBytes(),
                config.maxReassemblyBytes().bytes(),
                config.chunkTimeout(),
                clock,
                kind -> error(kind, null, "chunked message dropped"));
    }

    @Override
    public String name() {
        return metrics.input();
    }

    @Override
    public void start(RecordSink sink) throws IOException {
        if (group != null) {
            throw new IllegalStateException("gelf input " + name() + " already started");
        }
        this.sink = sink;
        if (!config.enabled() || (!config.tcp().enabled() && !config.udp().enabled())) {
            LOG.info("gelf input {} is disabled", name());
            return;
        }
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(
                2, new DefaultThreadFactory("spillway-gelf", true), NioIoHandler.newFactory());
        group = g;
        channels = new DefaultChannelGroup("gelf", GlobalEventExecutor.INSTANCE);
        try {
            if (config.tcp().enabled()) {
                tcpChannel = bindTcp(g);
                LOG.info("gelf input {} listening on tcp {}", name(), tcpChannel.localAddress());
            }
            if (config.udp().enabled()) {
                Channel udp = bindUdp(g);
                udpChannel = udp;
                expiry = udp.eventLoop().scheduleAtFixedRate(chunks::expire, 1, 1, TimeUnit.SECONDS);
                LOG.info("gelf input {} listening on udp {}", name(), udp.localAddress());
            }
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    private Channel bindTcp(EventLoopGroup g) throws IOException {
        GelfConfig.Tcp tcp = config.tcp();
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
        GelfConfig.Udp udp = config.udp();
        Bootstrap b = new Bootstrap()
                .group(g)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, udp.receiveBuffer().toIntBytes())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UDP_DATAGRAM_BUFFER))
                .handler(new DatagramHandler());
        return bind(b.bind(udp.listen().toSocketAddress()), "udp", udp.listen().toString());
    }

    private static Channel bind(ChannelFuture future, String protocol, String address) throws IOException {
        future.awaitUninterruptibly();
        if (!future.isSuccess()) {
            Throwable cause = future.cause();
            throw new IOException(
                    "gelf " + protocol + ": cannot listen on " + address + ": "
                            + (cause == null ? "unknown error" : cause.getMessage()),
                    cause);
        }
        return future.channel();
    }

    private void accept(SocketChannel ch) {
        GelfConfig.Tcp tcp = config.tcp();
        if (openConnections.incrementAndGet() > tcp.maxConnections()) {
            openConnections.decrementAndGet();
            error(
                    "connection_refused",
                    ch.remoteAddress(),
                    "tcp.max_connections (" + tcp.maxConnections() + ") are open");
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
        metrics.connectionOpened();
        ChannelGroup open = channels;
        if (open != null) {
            open.add(ch);
        }
        // GELF TCP: each message ends with a NUL byte; see GelfFrameDecoder for the bound.
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(tcp.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast(
                        "frames",
                        new GelfFrameDecoder(
                                config.maxMessageBytes(),
                                kind -> error(
                                        kind,
                                        ch.remoteAddress(),
                                        "frame exceeds max_message (" + config.maxMessageBytes() + " bytes)")))
                .addLast("records", new FrameHandler());
    }

    /** Decompresses, decodes and hands over one payload; counts and drops it when it fails. */
    private void deliver(byte[] payload, @Nullable SocketAddress remote) {
        RecordSink s = sink;
        if (s == null) {
            return;
        }
        LogRecord record;
        try {
            byte[] plain = GelfPayloads.decompress(payload, config.maxMessageBytes());
            record = decoder.decode(plain, peerHost(remote), nanos(clock.instant()));
        } catch (GelfException e) {
            error(e.kind(), remote, e.getMessage());
            return;
        }
        metrics.received(record.messageLength());
        s.accept(record);
    }

    private void error(String kind, @Nullable SocketAddress remote, @Nullable String detail) {
        metrics.error(kind);
        long now = clock.millis();
        long last = lastLogMillis;
        if (last == Long.MIN_VALUE || now - last >= TimeUnit.SECONDS.toMillis(LOG_INTERVAL_SECONDS)) {
            lastLogMillis = now;
            LOG.warn(
                    "gelf input {}: {} from {}: {}; further errors are counted but not logged for {}s",
                    name(),
                    kind,
                    remote == null ? "-" : peerHost(remote),
                    detail,
                    LOG_INTERVAL_SECONDS);
        }
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

    /** Receives NUL-delimited frames of one TCP connection. */
    private final class FrameHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            if (frame.readableBytes() == 0) {
                return; // clients may send a NUL between messages; an empty frame is not an error
            }
            deliver(ByteBufUtil.getBytes(frame), ctx.channel().remoteAddress());
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                metrics.error("idle_timeout");
                LOG.debug(
                        "gelf input {}: closing idle connection from {}",
                        name(),
                        ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Framing and decoding never throw (see GelfFrameDecoder, GelfDecoder): this is the socket failing.
            metrics.error("connection_error");
            LOG.debug(
                    "gelf input {}: closing connection from {}: {}",
                    name(),
                    ctx.channel().remoteAddress(),
                    cause.toString());
            ctx.close();
        }
    }

    /** A datagram is a whole message or one chunk of one. */
    @ChannelHandler.Sharable
    private final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            byte[] whole = chunks.offer(ByteBufUtil.getBytes(packet.content()));
            if (whole != null) {
                deliver(whole, packet.sender());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            metrics.error("socket_error");
            LOG.debug("gelf input {}: udp error: {}", name(), cause.toString());
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

    /** Chunked messages in reassembly now (for tests and a gauge). */
    public int pendingChunkedMessages() {
        return chunks.pendingMessages();
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
        ScheduledFuture<?> e = expiry;
        if (e != null) {
            e.cancel(false);
        }
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
            LOG.warn("gelf input {}: event loops did not stop within {}", name(), STOP_TIMEOUT);
        }
        sink = null;
        group = null;
        tcpChannel = null;
        udpChannel = null;
        channels = null;
        expiry = null;
    }
}
