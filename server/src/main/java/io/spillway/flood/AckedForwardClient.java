package io.spillway.flood;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * A fluent forward client that survives its server being killed, as a Docker host's forwarder
 * must: PackedForward chunks with {@code option.chunk}, at most {@link #MAX_IN_FLIGHT} awaiting their
 * acks, and on a broken connection every chunk not yet acknowledged is resent, unchanged, once a new
 * connection is up (at least once, as Fluency and Fluent Bit do).
 *
 * <p>It records, per app, which sequence numbers the server acknowledged: that is the set the soak
 * holds Spillway to (G5: nothing acknowledged is lost). A line counts as acknowledged only when the
 * ack of a chunk holding it arrived; a resent chunk acknowledged twice counts once.
 *
 * <p>Bounds: the in-flight window ({@link #MAX_IN_FLIGHT} chunks of at most {@link #MAX_ENTRIES}
 * lines or {@link #MAX_BYTES} bytes each) is all it holds; the caller blocks while the server is
 * away. Not thread-safe: one sender thread; only {@link #ackedLines} may be read from another.
 */
final class AckedForwardClient implements AutoCloseable {
    static final int MAX_ENTRIES = 256;
    static final int MAX_BYTES = 256 * 1024;
    static final int MAX_IN_FLIGHT = 8;

    private record Chunk(String id, byte[] frame, int app, long[] seqs) {}

    private final InetSocketAddress target;
    private final InstantSource clock;
    private final String[] apps;
    private final BitSet[] acked;
    private final MessageBufferPacker[] entries;
    private final List<List<Long>> entrySeqs = new ArrayList<>();
    private final ArrayDeque<Chunk> inFlight = new ArrayDeque<>();
    private final long reconnectDeadlineNanos;
    private Socket socket;
    private OutputStream out;
    private MessageUnpacker acks;
    private final java.util.concurrent.atomic.AtomicLong ackedLines = new java.util.concurrent.atomic.AtomicLong();
    private long chunkSeq;
    private long reconnects;
    private long resentChunks;

    /**
     * @param reconnectFor how long to keep trying to reconnect after the connection breaks, before
     *     giving up with the last error (the soak restarts the node within seconds)
     */
    AckedForwardClient(InetSocketAddress target, String[] apps, InstantSource clock, java.time.Duration reconnectFor)
            throws IOException {
        this.target = target;
        this.clock = clock;
        this.apps = apps.clone();
        this.acked = new BitSet[apps.length];
        this.entries = new MessageBufferPacker[apps.length];
        for (int i = 0; i < apps.length; i++) {
            acked[i] = new BitSet();
            entries[i] = MessagePack.newDefaultBufferPacker();
            entrySeqs.add(new ArrayList<>());
        }
        this.reconnectDeadlineNanos = reconnectFor.toNanos();
        connect();
    }

    private void connect() throws IOException {
        long deadline = System.nanoTime() + reconnectDeadlineNanos;
        IOException last = null;
        while (true) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(target, 2000);
                s.setSoTimeout(30_000);
                socket = s;
                out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
                acks = MessagePack.newDefaultUnpacker(s.getInputStream());
                return;
            } catch (IOException e) {
                last = e;
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a socket that never connected
                }
            }
            if (System.nanoTime() > deadline) {
                throw last;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reconnecting to " + target, e);
            }
        }
    }

    /** Queues one line of app {@code app} (an index into the apps given at construction). */
    void send(int app, long seq, String line) throws IOException {
        MessageBufferPacker p = entries[app];
        Instant now = clock.instant();
        p.packArrayHeader(2);
        p.packExtensionTypeHeader((byte) 0, 8);
        p.writePayload(ByteBuffer.allocate(8)
                .putInt((int) now.getEpochSecond())
                .putInt(now.getNano())
                .array());
        p.packMapHeader(3);
        p.packString("container_name").packString("/" + apps[app]);
        p.packString("source").packString("stdout");
        p.packString("log").packString(line);
        entrySeqs.get(app).add(seq);
        if (entrySeqs.get(app).size() >= MAX_ENTRIES || p.getBufferSize() >= MAX_BYTES) {
            chunk(app);
        }
    }

    private void chunk(int app) throws IOException {
        List<Long> seqs = entrySeqs.get(app);
        if (seqs.isEmpty()) {
            return;
        }
        byte[] body = entries[app].toByteArray();
        entries[app].clear();
        String id = "soak-" + (++chunkSeq);
        byte[] frame;
        try (MessageBufferPacker f = MessagePack.newDefaultBufferPacker()) {
            f.packArrayHeader(3).packString(apps[app]);
            f.packBinaryHeader(body.length).writePayload(body);
            f.packMapHeader(2);
            f.packString("size").packInt(seqs.size());
            f.packString("chunk").packString(id);
            frame = f.toByteArray();
        }
        long[] s = seqs.stream().mapToLong(Long::longValue).toArray();
        seqs.clear();
        Chunk c = new Chunk(id, frame, app, s);
        inFlight.add(c);
        write(c);
        while (inFlight.size() > MAX_IN_FLIGHT) {
            awaitOldest();
        }
    }

    private void write(Chunk c) throws IOException {
        try {
            out.write(c.frame());
        } catch (IOException e) {
            recover();
        }
    }

    /** Waits for the oldest chunk's ack, reconnecting and resending as often as needed. */
    private void awaitOldest() throws IOException {
        while (true) {
            try {
                out.flush();
                Value v = acks.unpackValue();
                Chunk c = inFlight.poll();
                Value got = v.isMapValue() ? v.asMapValue().map().get(ValueFactory.newString("ack")) : null;
                if (c != null
                        && got != null
                        && got.isRawValue()
                        && got.asRawValue().asString().equals(c.id())) {
                    BitSet b = acked[c.app()];
                    for (long seq : c.seqs()) {
                        if (!b.get((int) seq)) {
                            b.set((int) seq);
                            ackedLines.incrementAndGet();
                        }
                    }
                } else if (c != null) {
                    // Not this chunk's ack: the stream is out of step; start over on a new connection.
                    inFlight.addFirst(c);
                    recover();
                }
                return;
            } catch (IOException | org.msgpack.core.MessagePackException e) {
                // A closed connection shows as EOF inside the unpacker (MessageInsufficientBufferException).
                recover();
            }
        }
    }

    /** A broken connection: reconnect and resend every unacknowledged chunk, oldest first. */
    private void recover() throws IOException {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already broken
        }
        while (true) {
            connect();
            reconnects++;
            try {
                for (Chunk c : inFlight) {
                    out.write(c.frame());
                    resentChunks++;
                }
                out.flush();
                return;
            } catch (IOException e) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // broken again; try once more
                }
            }
        }
    }

    /** Sends everything queued and waits until every chunk is acknowledged. */
    void drain() throws IOException {
        for (int i = 0; i < apps.length; i++) {
            chunk(i);
        }
        while (!inFlight.isEmpty()) {
            awaitOldest();
        }
    }

    /** Puts queued lines on the wire without waiting for acks. */
    void flush() throws IOException {
        for (int i = 0; i < apps.length; i++) {
            chunk(i);
        }
        try {
            out.flush();
        } catch (IOException e) {
            recover();
        }
    }

    /** Distinct lines acknowledged so far, over all apps; safe to read from any thread. */
    long ackedLines() {
        return ackedLines.get();
    }

    /** The app's acknowledged sequence numbers; read it only after the sender thread ended. */
    BitSet acked(int app) {
        return acked[app];
    }

    long reconnects() {
        return reconnects;
    }

    long resentChunks() {
        return resentChunks;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
