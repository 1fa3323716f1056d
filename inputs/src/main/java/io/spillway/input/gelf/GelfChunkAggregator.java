package io.spillway.input.gelf;

import io.spillway.config.DataSize;
import io.spillway.input.netty.DecodeError;
import io.spillway.pipeline.InflightMemory;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Reassembles chunked GELF UDP datagrams.
 *
 * <h2>Format</h2>
 *
 * A chunk is {@code 1e 0f} (magic), an 8-byte message id, a 1-byte sequence number and a 1-byte
 * sequence count, then the chunk's part of the (possibly compressed) payload. The GELF spec limits a
 * message to {@value #MAX_SEQUENCE_COUNT} chunks. A datagram without the magic is a whole message and is
 * returned as it is.
 *
 * <h2>Bounds and invariants</h2>
 *
 * <ul>
 *   <li>Count: at most {@code maxMessages} messages are in reassembly; a new id beyond that evicts the
 *       oldest ({@code chunk_evicted}).
 *   <li>Bytes: one message's chunks together are at most {@code maxMessageBytes} ({@code too_large}, the
 *       message is dropped); all pending chunks together are at most {@code maxTotalBytes}, the oldest
 *       messages are evicted to make room ({@code chunk_evicted}).
 *   <li>Time: a message is dropped {@code timeout} after its first chunk arrived ({@code chunk_timeout}),
 *       checked on every {@link #offer} and on {@link #expire}, against the injected clock.
 *   <li>A header out of range (count 0 or over 128, sequence number not below count, a count that differs
 *       from the message's earlier chunks, a datagram shorter than the header) or a duplicate chunk is
 *       ignored and counted ({@code chunk_invalid}); the rest of the message still completes.
 * </ul>
 *
 * Messages are kept in arrival order of their first chunk, so both the oldest to evict and the first to
 * time out are at the head. Every drop is reported to the error consumer with its kind; nothing is
 * dropped silently.
 *
 * <p>Thread-safety: all methods are synchronized; the UDP input calls it from one event loop anyway.
 */
final class GelfChunkAggregator {
    static final int MAGIC_1 = 0x1e;
    static final int MAGIC_2 = 0x0f;
    static final int HEADER = 12;

    /** GELF spec: "a message MUST NOT consist of more than 128 chunks". */
    static final int MAX_SEQUENCE_COUNT = 128;

    private final int maxMessages;
    private final int maxMessageBytes;
    private final long maxTotalBytes;
    private final long timeoutNanos;
    private final InstantSource clock;
    private final Consumer<String> errors;
    private final InflightMemory.Lease lease;
    private final LinkedHashMap<Long, Partial> pending = new LinkedHashMap<>();
    private long pendingBytes;

    /** Without a process-wide budget: only the aggregator's own bounds apply. */
    GelfChunkAggregator(
            int maxMessages,
            int maxMessageBytes,
            long maxTotalBytes,
            Duration timeout,
            InstantSource clock,
            Consumer<String> errors) {
        this(
                maxMessages,
                maxMessageBytes,
                maxTotalBytes,
                timeout,
                clock,
                errors,
                InflightMemory.standalone(DataSize.ofBytes(Long.MAX_VALUE)).lease("gelf"));
    }

    /**
     * @param lease where the chunks held are reserved, in the process-wide {@code limits.inflight_memory};
     *     the aggregator holds exactly {@link #pendingBytes()} in it
     */
    GelfChunkAggregator(
            int maxMessages,
            int maxMessageBytes,
            long maxTotalBytes,
            Duration timeout,
            InstantSource clock,
            Consumer<String> errors,
            InflightMemory.Lease lease) {
        this.lease = lease;
        this.maxMessages = maxMessages;
        this.maxMessageBytes = maxMessageBytes;
        this.maxTotalBytes = maxTotalBytes;
        this.timeoutNanos = timeout.toNanos();
        this.clock = clock;
        this.errors = errors;
    }

    /** Whether a datagram starts with the chunk magic. */
    static boolean isChunk(byte[] datagram) {
        return datagram.length >= 2 && (datagram[0] & 0xff) == MAGIC_1 && (datagram[1] & 0xff) == MAGIC_2;
    }

    /**
     * Takes one datagram.
     *
     * @return the whole payload when this datagram completes a message (or is not chunked at all), else
     *     null
     */
    synchronized byte @Nullable [] offer(byte[] datagram) {
        long now = nowNanos();
        expire(now);
        if (!isChunk(datagram)) {
            return datagram;
        }
        if (datagram.length < HEADER) {
            errors.accept(DecodeError.CHUNK_INVALID.label());
            return null;
        }
        long id = 0;
        for (int i = 2; i < 10; i++) {
            id = id << 8 | (datagram[i] & 0xff);
        }
        int seq = datagram[10] & 0xff;
        int count = datagram[11] & 0xff;
        if (count == 0 || count > MAX_SEQUENCE_COUNT || seq >= count) {
            errors.accept(DecodeError.CHUNK_INVALID.label());
            return null;
        }
        int bodyLength = datagram.length - HEADER;
        Partial p = pending.get(id);
        if (p == null) {
            if (count == 1) {
                // A message of one chunk: no state needed.
                return copyBody(datagram);
            }
            if (bodyLength > maxMessageBytes) {
                errors.accept(DecodeError.TOO_LARGE.label());
                return null;
            }
            while (pending.size() >= maxMessages) {
                evictOldest();
            }
            p = new Partial(count, now);
            pending.put(id, p);
        } else if (p.parts.length != count) {
            errors.accept(DecodeError.CHUNK_INVALID.label());
            return null;
        }
        if (p.parts[seq] != null) {
            errors.accept(DecodeError.CHUNK_INVALID.label());
            return null;
        }
        if (p.bytes + bodyLength > maxMessageBytes) {
            errors.accept(DecodeError.TOO_LARGE.label());
            remove(id, p);
            return null;
        }
        while (pendingBytes + bodyLength > maxTotalBytes && !pending.isEmpty()) {
            Long oldest = pending.keySet().iterator().next();
            if (oldest == id) {
                // The message being added is itself the oldest: it cannot fit.
                errors.accept(DecodeError.CHUNK_EVICTED.label());
                remove(id, p);
                return null;
            }
            evictOldest();
        }
        if (!lease.tryReserve(bodyLength)) {
            // The process-wide budget is full: this message cannot complete, so it goes now.
            errors.accept(DecodeError.INFLIGHT_MEMORY.label());
            remove(id, p);
            return null;
        }
        p.parts[seq] = copyBody(datagram);
        p.received++;
        p.bytes += bodyLength;
        pendingBytes += bodyLength;
        if (p.received < count) {
            return null;
        }
        remove(id, p);
        byte[] whole = new byte[p.bytes];
        int pos = 0;
        for (byte[] part : p.parts) {
            System.arraycopy(part, 0, whole, pos, part.length);
            pos += part.length;
        }
        return whole;
    }

    /** Drops messages older than the timeout; returns how many. Called periodically by the input. */
    synchronized int expire() {
        return expire(nowNanos());
    }

    private int expire(long now) {
        int n = 0;
        Iterator<Map.Entry<Long, Partial>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Partial p = it.next().getValue();
            if (now - p.firstNanos < timeoutNanos) {
                break; // arrival order: the rest are younger
            }
            it.remove();
            pendingBytes -= p.bytes;
            lease.release(p.bytes);
            errors.accept(DecodeError.CHUNK_TIMEOUT.label());
            n++;
        }
        return n;
    }

    /** Messages in reassembly. */
    synchronized int pendingMessages() {
        return pending.size();
    }

    /** Bytes of chunks held for reassembly. */
    synchronized long pendingBytes() {
        return pendingBytes;
    }

    private void evictOldest() {
        Iterator<Map.Entry<Long, Partial>> it = pending.entrySet().iterator();
        Partial p = it.next().getValue();
        it.remove();
        pendingBytes -= p.bytes;
        lease.release(p.bytes);
        errors.accept(DecodeError.CHUNK_EVICTED.label());
    }

    private void remove(long id, Partial p) {
        pending.remove(id);
        pendingBytes -= p.bytes;
        lease.release(p.bytes);
    }

    /** Drops every message in reassembly and returns its bytes to the budget (the input stops). */
    synchronized void clear() {
        pending.clear();
        pendingBytes = 0;
        lease.close();
    }

    private static byte[] copyBody(byte[] datagram) {
        byte[] body = new byte[datagram.length - HEADER];
        System.arraycopy(datagram, HEADER, body, 0, body.length);
        return body;
    }

    private long nowNanos() {
        java.time.Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** One message in reassembly. */
    private static final class Partial {
        final byte[][] parts;
        final long firstNanos;
        int received;
        int bytes;

        Partial(int count, long firstNanos) {
            this.parts = new byte[count][];
            this.firstNanos = firstNanos;
        }
    }
}
