package io.spillway.input.gelf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.spillway.config.DataSize;
import io.spillway.input.netty.NettyServer;
import io.spillway.input.netty.PeerErrorLog;
import io.spillway.pipeline.InflightMemory;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
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
 *   <li>Connections: at most {@code tcp.max_connections}; one more closes the connection idle the
 *       longest ({@code idle_evicted}), or, when none has been idle for a second, is closed itself
 *       ({@code connection_refused}); at most {@code tcp.max_connections_per_source} from one address
 *       ({@code per_source_limit}). See {@link NettyServer}.
 *   <li>Time: a silent connection is closed after {@code tcp.idle_timeout} ({@code idle_timeout}); an
 *       incomplete chunked message is dropped after {@code chunk_timeout} ({@code chunk_timeout}), checked
 *       on every datagram and once a second.
 *   <li>Bytes: a TCP frame is at most {@code max_message} bytes; a longer one is discarded up to its NUL
 *       ({@code too_large}) and the connection goes on. A decompressed payload is at most {@code
 *       max_message} ({@code too_large}). Reassembly holds at most {@code max_chunked_messages} messages
 *       and {@code max_reassembly_bytes} bytes ({@code chunk_evicted}). Inflated payloads and chunks in
 *       reassembly are reserved in the process-wide {@code limits.inflight_memory}; what does not fit is
 *       dropped ({@code inflight_memory}).
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

    private static final Logger LOG = LoggerFactory.getLogger(GelfInput.class);

    private final GelfConfig config;
    private final InputMetrics metrics;
    private final InstantSource clock;
    private final GelfDecoder decoder;
    private final GelfChunkAggregator chunks;
    private final PeerErrorLog errors;
    private final InflightMemory inflight;

    private final NettyServer server;
    private @Nullable ScheduledFuture<?> expiry;
    private volatile @Nullable RecordSink sink;

    /**
     * @param config the input's configuration
     * @param metrics the input's counters; its {@link InputMetrics#input()} is this input's {@link #name()}
     * @param clock the wall clock: receive times, chunk timeouts
     */
    public GelfInput(GelfConfig config, InputMetrics metrics, InstantSource clock) {
        this(config, metrics, clock, InflightMemory.standalone(DataSize.ofBytes(Long.MAX_VALUE)));
    }

    /**
     * @param inflight the process-wide budget inflated payloads and reassembled chunks are reserved in
     *     ({@code limits.inflight_memory})
     */
    public GelfInput(GelfConfig config, InputMetrics metrics, InstantSource clock, InflightMemory inflight) {
        this.config = config;
        this.inflight = inflight;
        this.metrics = metrics;
        this.clock = clock;
        this.decoder = new GelfDecoder(config.appField());
        this.server = new NettyServer("gelf", 2, metrics, LOG, clock);
        this.errors = new PeerErrorLog("gelf", metrics, LOG, clock, Duration.ofSeconds(LOG_INTERVAL_SECONDS));
        this.chunks = new GelfChunkAggregator(
                config.maxChunkedMessages(),
                config.maxMessageBytes(),
                config.maxReassemblyBytes().bytes(),
                config.chunkTimeout(),
                clock,
                kind -> errors.error(kind, null, "chunked message dropped"),
                inflight.lease("gelf"));
    }

    @Override
    public String describe() {
        return (NettyServer.listening("udp", config.udp().listen().host(), udpPort())
                        + NettyServer.listening("tcp", config.tcp().listen().host(), tcpPort()))
                .strip();
    }

    @Override
    public String name() {
        return metrics.input();
    }

    @Override
    public void start(RecordSink sink) throws IOException {
        if (server.started()) {
            throw new IllegalStateException("gelf input " + name() + " already started");
        }
        this.sink = sink;
        if (!config.enabled() || (!config.tcp().enabled() && !config.udp().enabled())) {
            LOG.info("gelf input {} is disabled", name());
            return;
        }
        server.start();
        try {
            if (config.tcp().enabled()) {
                Channel listener = server.bindTcp(config.tcp(), null, this::refused, this::initConnection);
                LOG.info("gelf input {} listening on tcp {}", name(), listener.localAddress());
            }
            if (config.udp().enabled()) {
                Channel listener = server.bindUdp(config.udp(), new DatagramHandler(), "udp");
                expiry = listener.eventLoop().scheduleAtFixedRate(chunks::expire, 1, 1, TimeUnit.SECONDS);
                LOG.info("gelf input {} listening on udp {}", name(), listener.localAddress());
            }
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** A connection the limits closed (already counted by the server): log it, throttled. */
    private void refused(SocketChannel ch, String kind, String detail) {
        errors.warn(kind, ch.remoteAddress(), "tcp." + detail);
    }

    /** The pipeline of one admitted connection; runs on its event loop. */
    private void initConnection(SocketChannel ch) {
        // GELF TCP: each message ends with a NUL byte; see GelfFrameDecoder for the bound.
        ch.pipeline()
                .addLast(
                        "frames",
                        new GelfFrameDecoder(
                                config.maxMessageBytes(),
                                kind -> errors.error(
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
        // The inflated bytes stay reserved in limits.inflight_memory until the record is decoded.
        try (InflightMemory.Lease lease = inflight.lease("gelf")) {
            byte[] plain = GelfPayloads.decompress(payload, config.maxMessageBytes(), lease);
            record = decoder.decode(plain, NettyServer.peerHost(remote), NettyServer.epochNanos(clock.instant()));
        } catch (GelfException e) {
            errors.error(e.kind(), remote, e.getMessage());
            return;
        }
        metrics.received(record.messageLength());
        s.accept(record);
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
    }

    /** The bound TCP port, or -1 when TCP is not listening. */
    public int tcpPort() {
        return server.tcpPort();
    }

    /** The bound UDP port, or -1 when UDP is not listening. */
    public int udpPort() {
        return server.udpPort();
    }

    /** Chunked messages in reassembly now (for tests and a gauge). */
    public int pendingChunkedMessages() {
        return chunks.pendingMessages();
    }

    @Override
    public void stop() {
        if (!server.started()) {
            return;
        }
        ScheduledFuture<?> e = expiry;
        if (e != null) {
            e.cancel(false);
        }
        server.stop();
        chunks.clear();
        sink = null;
        expiry = null;
    }
}
