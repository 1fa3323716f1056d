package io.spillway.input.syslog;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.spillway.input.netty.NettyServer;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.InstantSource;
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
 *   <li>Connections: at most {@code tcp.max_connections} open; one more closes the connection idle the
 *       longest ({@code idle_evicted}), or, when none has been idle for a second, is closed itself
 *       ({@code connection_refused}); at most {@code tcp.max_connections_per_source} from one address
 *       ({@code per_source_limit}). See {@link NettyServer}.
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

    private static final Logger LOG = LoggerFactory.getLogger(SyslogInput.class);

    private final SyslogConfig config;
    private final InputMetrics metrics;
    private final InstantSource clock;
    private final SyslogDecoder decoder;
    private final PeerLogLimiter logLimiter;

    private final NettyServer server;
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
        this.server =
                new NettyServer("syslog", Math.max(2, Runtime.getRuntime().availableProcessors()), metrics, LOG, clock);
    }

    @Override
    public String name() {
        return metrics.input();
    }

    @Override
    public void start(RecordSink sink) throws IOException {
        if (server.started()) {
            throw new IllegalStateException("syslog input " + name() + " already started");
        }
        this.sink = sink;
        if (!config.enabled() || (!config.tcp().enabled() && !config.udp().enabled())) {
            LOG.info("syslog input {} is disabled", name());
            return;
        }
        server.start();
        try {
            if (config.tcp().enabled()) {
                Channel listener = server.bindTcp(config.tcp(), null, this::refused, this::initConnection);
                LOG.info("syslog input {} listening on tcp {}", name(), listener.localAddress());
            }
            if (config.udp().enabled()) {
                Channel listener = server.bindUdp(config.udp(), new DatagramHandler(), "udp");
                LOG.info("syslog input {} listening on udp {}", name(), listener.localAddress());
            }
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** A connection the limits closed (already counted by the server): log it, per peer. */
    private void refused(SocketChannel ch, String kind, String detail) {
        String peer = NettyServer.peerHost(ch.remoteAddress());
        if (logLimiter.tryAcquire(peer)) {
            LOG.warn("syslog input {}: {} from {}: tcp.{}", name(), kind, peer, detail);
        }
    }

    /** The pipeline of one admitted connection; runs on its event loop. */
    private void initConnection(SocketChannel ch) {
        ch.pipeline()
                .addLast("frames", new SyslogFrameDecoder(config.maxFrameBytes(), kind -> frameError(ch, kind)))
                .addLast("records", new FrameHandler());
    }

    private void frameError(Channel ch, String kind) {
        metrics.error(kind);
        String peer = NettyServer.peerHost(ch.remoteAddress());
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
        String peer = NettyServer.peerHost(remote);
        String defaultHost = config.host().isEmpty() ? peer : config.host();
        LogRecord record = decoder.decode(frame, defaultHost, NettyServer.epochNanos(clock.instant()));
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

    /** Receives frames of one TCP connection; also closes it on socket errors (idle: see NettyServer). */
    private final class FrameHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            deliver(frame, ctx.channel().remoteAddress());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Decoding never throws (see SyslogDecoder); what arrives here is the socket failing.
            metrics.error("connection_error");
            String peer = NettyServer.peerHost(ctx.channel().remoteAddress());
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
    }

    /** The bound TCP port, or -1 when TCP is not listening. */
    @Override
    public String describe() {
        return (NettyServer.listening("tcp", config.tcp().listen().host(), tcpPort())
                        + NettyServer.listening("udp", config.udp().listen().host(), udpPort()))
                .strip();
    }

    public int tcpPort() {
        return server.tcpPort();
    }

    /** The bound UDP port, or -1 when UDP is not listening. */
    public int udpPort() {
        return server.udpPort();
    }

    @Override
    public void stop() {
        server.stop();
    }
}
