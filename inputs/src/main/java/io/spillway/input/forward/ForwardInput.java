package io.spillway.input.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.config.DataSize;
import io.spillway.guard.RateLimitStage;
import io.spillway.guard.RedactStage;
import io.spillway.guard.RepeatStage;
import io.spillway.guard.TruncateStage;
import io.spillway.input.netty.NettyServer;
import io.spillway.input.netty.PeerErrorLog;
import io.spillway.pipeline.InflightMemory;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.LogRecord;
import io.spillway.space.SpaceWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.msgpack.value.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fluent forward server: Forward Protocol v1 over TCP (optionally TLS) on Netty NIO, decoding with
 * {@link ForwardDecoder}, plus the UDP heartbeat responder of Fluentd's {@code in_forward} on the same
 * port (every datagram is answered with one NUL byte to its sender).
 *
 * <h2>Acknowledgements (G5)</h2>
 *
 * A frame whose option carries {@code chunk} is handed over with {@link RecordSink#acceptDurable}; the
 * server answers {@code {"ack": chunk}} only when every batch's receipt has come back and no record was
 * refused by a buffer. Records the guard dropped on purpose ({@code rate_limit}, {@code repeat}) are
 * acknowledged: they are counted and marked, and a resend would be dropped again. When a buffer refused
 * a record, or the receipts take longer than {@code ack_timeout}, no ack is sent and the connection is
 * closed, so the client resends at once instead of waiting for its own timeout. A connection has at
 * most {@value #MAX_PENDING_CHUNKS} chunks waiting for receipts; it is not read while it has more.
 *
 * <h2>Long lines</h2>
 *
 * Events carrying Docker's partial markers go to the {@link PartialJoiner} (when {@code partial.join}
 * is on and the input has a state directory): a part is acknowledged once it is durable in the
 * joiner's journal, and the joiner delivers the joined line when its last part arrives.
 *
 * <h2>Bounds</h2>
 *
 * <ul>
 *   <li>Connections: at most {@code max_connections}; one more closes the connection idle the longest
 *       ({@code idle_evicted}), or, when none has been idle for a second, is closed itself ({@code
 *       connection_refused}); at most {@code max_connections_per_source} from one address ({@code
 *       per_source_limit}). A silent connection is closed after {@code idle_timeout} ({@code
 *       idle_timeout}).
 *   <li>Bytes: a frame is at most {@code max_chunk} ({@code too_large}; the connection is closed, since
 *       the next frame cannot be found); an event at most {@code max_entry} ({@code too_large}, the
 *       event is skipped); a compressed chunk inflates to at most {@code max_decompressed} ({@code
 *       too_large}, the chunk is refused), and all inputs' inflated bytes together at most {@code
 *       limits.inflight_memory} ({@code inflight_memory}, the chunk is refused). A connection holds at most one frame in progress, and all
 *       connections together at most about {@code max_buffered} ({@code memory_budget}, see {@link
 *       ForwardFrameDecoder}), plus the frames and inflated chunks being decoded (one per event loop
 *       thread).
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * Where the frame boundary is lost (not msgpack, too large, too deep, cut short) the connection is
 * closed; a complete frame that is not a forward message ({@code malformed}, {@code
 * decompress_error}) is dropped, unacknowledged, and the connection goes on. Every error is counted in
 * {@code spillway_input_errors{input,kind}} and logged, naming the peer, at most once per {@value
 * #LOG_INTERVAL_SECONDS} seconds per input.
 *
 * <h2>Threads</h2>
 *
 * One event loop group of named daemon threads serves TCP and UDP; frames are decoded on them and the
 * sink is called on them (receipts may come back on any thread). {@link #start} and {@link #stop} are
 * called once each, from one thread; after {@link #stop} returns no record is handed to the sink.
 */
public final class ForwardInput implements Input {
    static final int LOG_INTERVAL_SECONDS = 10;

    /** The partial-message journal's name in the input's state directory. */
    public static final String JOURNAL_FILE = "partials.journal";

    /** Chunks of one connection awaiting receipts before the connection is no longer read. */
    static final int MAX_PENDING_CHUNKS = 16;

    /** Drops that are the guard's decisions: counted, marked and acknowledged. */
    static final Set<String> GUARD_DROPS =
            Set.of(RateLimitStage.NAME, RepeatStage.NAME, TruncateStage.NAME, RedactStage.NAME);

    private static final Logger LOG = LoggerFactory.getLogger(ForwardInput.class);

    private final ForwardConfig config;
    private final InputMetrics metrics;
    private final InstantSource clock;
    private final ForwardDecoder decoder;
    private final PeerErrorLog errors;
    private final ChunkWindow acknowledged;
    /** Bytes of incomplete frames held by all connections ({@code max_buffered}). */
    private final AtomicLong buffered = new AtomicLong();

    private final NettyServer server;
    private final @Nullable PartialJoiner partials;
    private @Nullable SslContext ssl;
    private volatile @Nullable RecordSink sink;

    /**
     * @param config the input's configuration
     * @param metrics the input's counters; its {@link InputMetrics#input()} is this input's {@link #name()}
     * @param clock the wall clock: receive times of events without a usable time, log rate limiting
     */
    public ForwardInput(ForwardConfig config, InputMetrics metrics, InstantSource clock) {
        this(config, metrics, clock, InflightMemory.standalone(DataSize.ofBytes(Long.MAX_VALUE)));
    }

    /**
     * @param inflight the process-wide budget inflated chunks are reserved in ({@code limits.inflight_memory})
     */
    public ForwardInput(ForwardConfig config, InputMetrics metrics, InstantSource clock, InflightMemory inflight) {
        this(config, metrics, clock, inflight, null, null);
    }

    /**
     * @param stateDir where the input keeps its partial-message journal; null: Docker's partial
     *     messages are not joined (each part is stored as it arrives)
     * @param space the journal's space writer (required with {@code stateDir})
     */
    public ForwardInput(
            ForwardConfig config,
            InputMetrics metrics,
            InstantSource clock,
            InflightMemory inflight,
            @Nullable Path stateDir,
            @Nullable SpaceWriter space) {
        this.config = config;
        this.partials = config.partial().join() && stateDir != null
                ? new PartialJoiner(
                        config.partial(),
                        stateDir.resolve(JOURNAL_FILE),
                        space != null ? space : SpaceWriter.unaccounted("forward_partials", stateDir),
                        metrics,
                        clock)
                : null;
        this.metrics = metrics;
        this.clock = clock;
        this.decoder = new ForwardDecoder(config, inflight);
        this.server = new NettyServer("forward", 2, metrics, LOG, clock);
        this.errors = new PeerErrorLog("forward", metrics, LOG, clock, Duration.ofSeconds(LOG_INTERVAL_SECONDS));
        this.acknowledged = new ChunkWindow(config.dedupWindow());
    }

    @Override
    public String name() {
        return metrics.input();
    }

    @Override
    public void start(RecordSink sink) throws IOException {
        if (server.started()) {
            throw new IllegalStateException("forward input " + name() + " already started");
        }
        this.sink = sink;
        if (!config.enabled()) {
            LOG.info("forward input {} is disabled", name());
            return;
        }
        if (config.tls().enabled()) {
            ssl = NettyServer.serverTls(config.tls().cert(), config.tls().key(), "forward: cannot load tls.cert");
        }
        PartialJoiner p = partials;
        if (p != null) {
            p.start(sink); // recovered lines are delivered before any new part arrives
        }
        server.start();
        try {
            Channel tcp = server.bindTcp(config.tcpListener(), ssl, this::refused, this::initConnection);
            LOG.info("forward input {} listening on tcp {}{}", name(), tcp.localAddress(), ssl != null ? " (tls)" : "");
            if (config.heartbeat()) {
                InetSocketAddress at =
                        new InetSocketAddress(config.listen().toSocketAddress().getAddress(), server.tcpPort());
                Channel udp = server.bindUdp(at, new HeartbeatHandler(), "udp heartbeat");
                LOG.info("forward input {} answering heartbeats on udp {}", name(), udp.localAddress());
            }
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** A connection the limits closed (already counted by the server): log it, throttled. */
    private void refused(SocketChannel ch, String kind, String detail) {
        errors.warn(kind, ch.remoteAddress(), detail);
    }

    /** The pipeline of one admitted connection; runs on its event loop. */
    private void initConnection(SocketChannel ch) {
        ch.pipeline()
                .addLast(
                        "frames",
                        new ForwardFrameDecoder(
                                config.maxChunkBytes(),
                                buffered,
                                config.maxBuffered().bytes(),
                                (ctx, e) -> errors.error(e.kind(), ctx.channel().remoteAddress(), e.getMessage())))
                .addLast("events", new Connection());
    }

    /** True when the receipt allows an ack: nothing was refused by a buffer. */
    static boolean acknowledgeable(Receipt receipt) {
        for (Admission a : receipt.admissions()) {
            if (!a.accepted() && !GUARD_DROPS.contains(a.reason())) {
                return false;
            }
        }
        return true;
    }

    /** One TCP connection: the handshake, then frames; tracks the chunks awaiting receipts. */
    private final class Connection extends SimpleChannelInboundHandler<ByteBuf> {
        private byte @Nullable [] nonce;
        private boolean authenticated = config.sharedKey().isEmpty();
        /** Chunks awaiting receipts; touched on the event loop only. */
        private int pending;
        /** Set when the connection is being closed: frames already decoded behind it are ignored. */
        private volatile boolean closing;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (!authenticated) {
                byte[] n = Handshake.nonce();
                nonce = n;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.helo(n)));
            }
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            RecordSink s = sink;
            if (s == null || closing) {
                return;
            }
            byte[] bytes = ByteBufUtil.getBytes(frame);
            SocketAddress remote = ctx.channel().remoteAddress();
            String host = NettyServer.peerHost(remote);
            long now = NettyServer.epochNanos(clock.instant());
            if (!authenticated) {
                handshake(ctx, bytes, host, now);
                return;
            }
            Value chunk = ForwardDecoder.chunkOf(bytes);
            String dedupKey = chunk == null ? null : acknowledged.key(host, chunk, bytes);
            if (dedupKey != null && acknowledged.seen(dedupKey)) {
                // A resend of a chunk acknowledged before: its client missed the ack. Answer again,
                // store nothing (it is stored already).
                metrics.error("duplicate_chunk");
                ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.ack(chunk)));
                return;
            }
            Chunk pendingChunk = chunk == null ? null : new Chunk(ctx, chunk, dedupKey);
            ForwardDecoder.Events events = new ForwardDecoder.Events() {
                @Override
                public void batch(List<LogRecord> records) {
                    PartialJoiner p = partials;
                    List<LogRecord> whole = records;
                    for (LogRecord r : records) {
                        metrics.received(r.messageLength());
                    }
                    if (p != null) {
                        whole = new ArrayList<>(records.size());
                        for (LogRecord r : records) {
                            if (!PartialJoiner.isPart(r)) {
                                whole.add(r);
                            } else if (pendingChunk == null) {
                                p.offer(r, o -> {
                                    if (o == PartialJoiner.Outcome.PASS) {
                                        s.accept(r);
                                    }
                                });
                            } else {
                                pendingChunk.offerPart(p, s, r);
                            }
                        }
                    }
                    if (pendingChunk == null) {
                        for (LogRecord r : whole) {
                            s.accept(r);
                        }
                    } else if (!whole.isEmpty()) {
                        pendingChunk.offer(s, whole);
                    }
                }

                @Override
                public void error(String kind, String detail) {
                    errors.error(kind, remote, detail);
                }
            };
            try {
                ForwardDecoder.Frame f = decoder.decode(bytes, host, now, events);
                if (f instanceof ForwardDecoder.Ping) {
                    errors.error(
                            "unexpected_ping", remote, "PING outside a handshake (shared_key is not set); ignored");
                }
                if (pendingChunk != null) {
                    pendingChunk.decoded(true);
                }
            } catch (ForwardException e) {
                errors.error(e.kind(), remote, e.getMessage());
                if (pendingChunk != null) {
                    pendingChunk.decoded(false);
                }
                if (e.error().closesConnection()) {
                    closing = true;
                    ctx.close();
                }
            }
        }

        private void handshake(ChannelHandlerContext ctx, byte[] bytes, String host, long now) {
            SocketAddress remote = ctx.channel().remoteAddress();
            ForwardDecoder.Frame f;
            try {
                f = decoder.decode(bytes, host, now, new ForwardDecoder.Events() {
                    @Override
                    public void batch(List<LogRecord> records) {}

                    @Override
                    public void error(String kind, String detail) {}
                });
            } catch (ForwardException e) {
                f = null;
            }
            byte[] n = nonce;
            if (!(f instanceof ForwardDecoder.Ping ping) || n == null) {
                errors.error("auth_required", remote, "events before the shared_key handshake; closing");
                closing = true;
                ctx.close();
                return;
            }
            String expected = Handshake.digest(ping.salt(), ping.hostname(), n, config.sharedKey());
            if (!Handshake.same(expected, ping.digest())) {
                errors.error(
                        "auth_failed", remote, "PING from '" + ping.hostname() + "' with a wrong shared_key digest");
                closing = true;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.pong(false, "shared_key mismatch", "", "")))
                        .addListener(f2 -> ctx.close());
                return;
            }
            authenticated = true;
            String answer = Handshake.digest(ping.salt(), config.selfHostname(), n, config.sharedKey());
            ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.pong(true, "", config.selfHostname(), answer)));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Framing and decoding report their errors themselves: this is the socket or TLS failing.
            metrics.error(cause instanceof io.netty.handler.codec.DecoderException ? "tls_error" : "connection_error");
            LOG.debug(
                    "forward input {}: closing connection from {}: {}",
                    name(),
                    ctx.channel().remoteAddress(),
                    cause.toString());
            ctx.close();
        }

        /**
         * One acknowledged chunk: its batches' receipts, counted down from any thread; the ack or the
         * verdict is written once, when decoding is done and every receipt is in, or at the timeout.
         */
        private final class Chunk {
            private final ChannelHandlerContext ctx;
            private final Value chunk;
            private final @Nullable String dedupKey;
            private final ScheduledFuture<?> timeout;
            private int outstanding;
            private boolean decoded;
            private boolean ok = true;
            private boolean finished;

            Chunk(ChannelHandlerContext ctx, Value chunk, @Nullable String dedupKey) {
                this.ctx = ctx;
                this.chunk = chunk;
                this.dedupKey = dedupKey;
                this.timeout = ctx.executor()
                        .schedule(this::expire, config.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
                pending++;
                ctx.channel().attr(NettyServer.BUSY).set(Boolean.TRUE); // owes an ack: never evicted
                if (pending >= MAX_PENDING_CHUNKS) {
                    ctx.channel().config().setAutoRead(false);
                }
            }

            void offer(RecordSink s, List<LogRecord> records) {
                synchronized (this) {
                    outstanding++;
                }
                s.acceptDurable(records, this::receipt);
            }

            /** A part for the joiner: acknowledgeable once held (journaled), or delivered as it is. */
            void offerPart(PartialJoiner p, RecordSink s, LogRecord part) {
                synchronized (this) {
                    outstanding++;
                }
                p.offer(part, o -> {
                    if (o == PartialJoiner.Outcome.HELD) {
                        synchronized (this) {
                            outstanding--;
                        }
                        maybeFinish();
                    } else {
                        s.acceptDurable(List.of(part), this::receipt);
                    }
                });
            }

            private void receipt(Receipt receipt) {
                boolean good = acknowledgeable(receipt);
                synchronized (this) {
                    outstanding--;
                    ok &= good;
                }
                maybeFinish();
            }

            void decoded(boolean success) {
                synchronized (this) {
                    decoded = true;
                    ok &= success;
                }
                maybeFinish();
            }

            private void maybeFinish() {
                boolean write;
                synchronized (this) {
                    if (finished || !decoded || outstanding > 0) {
                        return;
                    }
                    finished = true;
                    write = ok;
                }
                timeout.cancel(false);
                if (write) {
                    if (dedupKey != null) {
                        acknowledged.acknowledged(dedupKey);
                    }
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.ack(chunk)));
                } else {
                    errors.error(
                            "ack_refused",
                            ctx.channel().remoteAddress(),
                            "chunk not acknowledged (a buffer refused records or the frame was broken); closing so the client resends");
                    closing = true;
                    ctx.close();
                }
                released();
            }

            private void expire() {
                synchronized (this) {
                    if (finished) {
                        return;
                    }
                    finished = true;
                }
                errors.error(
                        "ack_timeout",
                        ctx.channel().remoteAddress(),
                        "chunk not durable within ack_timeout (" + config.ackTimeout() + "); closing unacknowledged");
                closing = true;
                ctx.close();
                released();
            }

            private void released() {
                ctx.executor().execute(() -> {
                    pending--;
                    if (pending == 0) {
                        ctx.channel().attr(NettyServer.BUSY).set(Boolean.FALSE);
                    }
                    if (pending < MAX_PENDING_CHUNKS && !ctx.channel().config().isAutoRead()) {
                        ctx.channel().config().setAutoRead(true);
                    }
                });
            }
        }
    }

    /** Fluentd's UDP heartbeat: any datagram is answered with one NUL byte to its sender. */
    @ChannelHandler.Sharable
    private final class HeartbeatHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {0}), packet.sender()));
        }
    }

    @Override
    public String describe() {
        String host = config.listen().host();
        return (NettyServer.listening(config.tls().enabled() ? "tcp+tls" : "tcp", host, tcpPort())
                        + NettyServer.listening("udp", host, udpPort()))
                .strip();
    }

    /** The bound TCP port, or -1 when not listening. */
    public int tcpPort() {
        return server.tcpPort();
    }

    /** Bytes of incomplete frames held by all connections now (for tests and a gauge). */
    public long bufferedBytes() {
        return buffered.get();
    }

    /** The bound UDP heartbeat port, or -1 when not listening. */
    public int udpPort() {
        return server.udpPort();
    }

    @Override
    public void stop() {
        if (!server.started()) {
            return;
        }
        server.stop();
        PartialJoiner p = partials;
        if (p != null) {
            p.stop();
        }
        sink = null;
    }
}
