package io.spillway.flood;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * The fluent forward protocol as a Docker host's forwarder sends it: PackedForward frames (one per
 * app per flush, at most {@link #MAX_ENTRIES} events or {@link #MAX_BYTES} bytes), each asking for an
 * ack with {@code option.chunk}. Events have Docker's record shape ({@code container_name}, {@code
 * source}, {@code log}) and an EventTime. At most {@link #MAX_IN_FLIGHT} chunks await their acks; the
 * sender blocks on the oldest beyond that, so Spillway's durability pace is part of what is measured.
 * One connection for all the apps of a sender thread. Not thread-safe.
 */
final class ForwardTransport implements Transport {
    static final int MAX_ENTRIES = 512;
    static final int MAX_BYTES = 512 * 1024;
    static final int MAX_IN_FLIGHT = 8;

    private final Socket socket;
    private final OutputStream out;
    private final MessageUnpacker acks;
    private final InstantSource clock;
    private final MessageBufferPacker[] entries;
    private final int[] counts;
    private final String[] apps;
    private final ArrayDeque<String> inFlight = new ArrayDeque<>();
    private long chunkSeq;
    private final String idPrefix = "flood-" + Long.toHexString(new java.security.SecureRandom().nextLong()) + "-";
    long unacknowledged;

    ForwardTransport(InetSocketAddress target, int apps, InstantSource clock) throws IOException {
        this.clock = clock;
        this.socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(target, 5000);
        socket.setSoTimeout(60_000);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        InputStream in = socket.getInputStream();
        this.acks = MessagePack.newDefaultUnpacker(in);
        this.entries = new MessageBufferPacker[apps];
        this.counts = new int[apps];
        this.apps = new String[apps];
        for (int i = 0; i < apps; i++) {
            entries[i] = MessagePack.newDefaultBufferPacker();
        }
    }

    @Override
    public void send(int appIndex, String app, String line) throws IOException {
        MessageBufferPacker p = entries[appIndex];
        apps[appIndex] = app;
        Instant now = clock.instant();
        p.packArrayHeader(2);
        p.packExtensionTypeHeader((byte) 0, 8);
        p.writePayload(ByteBuffer.allocate(8)
                .putInt((int) now.getEpochSecond())
                .putInt(now.getNano())
                .array());
        p.packMapHeader(3);
        p.packString("container_name").packString("/" + app);
        p.packString("source").packString("stdout");
        p.packString("log").packString(line);
        counts[appIndex]++;
        if (counts[appIndex] >= MAX_ENTRIES || p.getBufferSize() >= MAX_BYTES) {
            chunk(appIndex);
        }
    }

    private void chunk(int i) throws IOException {
        if (counts[i] == 0) {
            return;
        }
        byte[] body = entries[i].toByteArray();
        entries[i].clear();
        // Unique per chunk, as the protocol asks (a resend reuses its id): a random prefix per connection.
        String id = idPrefix + (++chunkSeq);
        try (MessageBufferPacker frame = MessagePack.newDefaultBufferPacker()) {
            frame.packArrayHeader(3).packString(apps[i]);
            frame.packBinaryHeader(body.length).writePayload(body);
            frame.packMapHeader(2);
            frame.packString("size").packInt(counts[i]);
            frame.packString("chunk").packString(id);
            out.write(frame.toByteArray());
        }
        counts[i] = 0;
        inFlight.add(id);
        while (inFlight.size() > MAX_IN_FLIGHT) {
            out.flush();
            awaitAck();
        }
    }

    /** Reads one ack; acks come back in the order of their chunks on one connection. */
    private void awaitAck() throws IOException {
        Value v = acks.unpackValue();
        String expected = inFlight.poll();
        Value got = v.isMapValue() ? v.asMapValue().map().get(ValueFactory.newString("ack")) : null;
        if (got == null || !got.isRawValue() || !got.asRawValue().asString().equals(expected)) {
            unacknowledged++;
        }
    }

    @Override
    public void flush() throws IOException {
        for (int i = 0; i < counts.length; i++) {
            chunk(i);
        }
        out.flush();
    }

    @Override
    public void close() {
        try {
            flush();
            while (!inFlight.isEmpty()) {
                awaitAck();
            }
        } catch (IOException e) {
            unacknowledged += inFlight.size();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // the run is over; unacknowledged chunks are counted
        }
    }
}
