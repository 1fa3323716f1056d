package io.spillway.input.forward;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The chunk ids recently acknowledged, per sender host: a chunk that comes again (its client did not
 * see the ack, reconnected and resent it, as fluent-logger-golang does when two of Docker's stream
 * copiers share its connection) is acknowledged again without being stored twice.
 *
 * <p>Bound: at most {@code capacity} ids of at most {@value #MAX_ID} bytes each (one window for the
 * whole input, shared by every sender host), the least recently seen forgotten first; a resend older than
 * that is stored again (at least once, as before). A key is the sender's host, the chunk id, and the
 * frame's length and CRC-32C: a resend is the same bytes again (Fluency, Fluent Bit and
 * fluent-logger-golang resend the frame they kept), so a client that reuses ids for different chunks
 * (a counter per connection) loses nothing, and one client cannot suppress another's chunks by
 * guessing ids. Thread-safe: one monitor, held for a map operation.
 */
final class ChunkWindow {
    private final int capacity;
    private final LinkedHashMap<String, Boolean> ids;

    /** @param capacity ids remembered at most; 0 remembers none */
    ChunkWindow(int capacity) {
        this.capacity = capacity;
        this.ids = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > ChunkWindow.this.capacity;
            }
        };
    }

    /** Longest chunk id remembered: ids are short (16 bytes of base64 in every client seen). */
    static final int MAX_ID = 128;

    /**
     * The key of a chunk, or null when it is not remembered (the window is off, or the id is not a
     * string of at most {@value #MAX_ID} bytes: a window of long ids would hold their bytes).
     */
    @org.jspecify.annotations.Nullable
    String key(String host, org.msgpack.value.Value chunk, byte[] frame) {
        if (capacity == 0 || !chunk.isRawValue() || chunk.asRawValue().asByteArray().length > MAX_ID) {
            return null;
        }
        return key(host, chunk.asRawValue().asString(), frame);
    }

    static String key(String host, String chunkId, byte[] frame) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame);
        return host + '\u0000' + chunkId + '\u0000' + frame.length + ':' + Long.toHexString(crc.getValue());
    }

    /** True when this host's chunk was acknowledged already (and is still remembered). */
    synchronized boolean seen(String key) {
        return capacity > 0 && ids.get(key) != null;
    }

    /** Remembers an acknowledged chunk. */
    synchronized void acknowledged(String key) {
        if (capacity > 0) {
            ids.put(key, Boolean.TRUE);
        }
    }

    synchronized int size() {
        return ids.size();
    }
}
