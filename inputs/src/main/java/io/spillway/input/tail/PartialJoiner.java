package io.spillway.input.tail;

import io.spillway.record.LogStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Joins partial entries of one stream into a complete line, bounded by {@code maxLine} bytes.
 *
 * <p>Both Docker json-file (entries of at most 16 KiB whose {@code log} lacks the trailing newline)
 * and CRI ({@code P} tags) split long lines into entries. stdout and stderr are joined separately,
 * because a runtime may interleave the two streams between the parts of one line.
 *
 * <p>Bound: at most {@code maxLine} bytes are held per stream. Once a line passes the bound the
 * bytes kept so far are emitted at once with {@code truncated = true}, cut back to a UTF-8 character
 * boundary, and the remaining parts of that line are discarded until its final entry arrives. Not
 * thread-safe: one joiner per file.
 */
final class PartialJoiner {
    private final int maxLine;
    private final Pending[] pending = new Pending[LogStream.values().length];

    PartialJoiner(int maxLine) {
        if (maxLine < 1) {
            throw new IllegalArgumentException("max_line must be at least 1, got " + maxLine);
        }
        this.maxLine = maxLine;
    }

    /**
     * Adds one entry; returns the completed line when {@code last} is set or the bound was passed,
     * else null.
     */
    @Nullable
    TailLine add(long timeNanos, LogStream stream, byte[] chunk, int off, int len, boolean last) {
        Pending p = pending[stream.ordinal()];
        if (p == null) {
            if (last && len <= maxLine) {
                // the common case: a whole line in one entry, no copy into a join buffer
                return new TailLine(timeNanos, stream, Arrays.copyOfRange(chunk, off, off + len), false);
            }
            p = new Pending(timeNanos);
            pending[stream.ordinal()] = p;
        }
        TailLine out = null;
        if (!p.emitted) {
            int room = maxLine - p.bytes.size();
            if (len <= room) {
                p.bytes.write(chunk, off, len);
            } else {
                p.bytes.write(chunk, off, room);
                out = new TailLine(p.timeNanos, stream, cutToCharBoundary(p.bytes.toByteArray()), true);
                p.emitted = true;
                p.bytes = new ByteArrayOutputStream(0);
            }
        }
        if (last) {
            pending[stream.ordinal()] = null;
            if (!p.emitted) {
                out = new TailLine(p.timeNanos, stream, p.bytes.toByteArray(), false);
            }
        }
        return out;
    }

    /** Emits the line still being joined on the stream that has one (oldest first), or null. */
    @Nullable
    TailLine flush() {
        for (LogStream stream : LogStream.values()) {
            Pending p = pending[stream.ordinal()];
            if (p != null) {
                pending[stream.ordinal()] = null;
                if (!p.emitted) {
                    return new TailLine(p.timeNanos, stream, p.bytes.toByteArray(), false);
                }
            }
        }
        return null;
    }

    /** Whether a partial line is held. */
    boolean hasPending() {
        for (Pending p : pending) {
            if (p != null) {
                return true;
            }
        }
        return false;
    }

    /** Drops the bytes of a cut multi-byte UTF-8 sequence at the end. */
    static byte[] cutToCharBoundary(byte[] bytes) {
        int end = bytes.length;
        int i = end - 1;
        while (i >= 0 && i > end - 4 && (bytes[i] & 0xC0) == 0x80) {
            i--;
        }
        if (i >= 0 && (bytes[i] & 0x80) != 0) {
            int lead = bytes[i] & 0xFF;
            int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (end - i < need) {
                end = i;
            }
        }
        return end == bytes.length ? bytes : Arrays.copyOf(bytes, end);
    }

    private static final class Pending {
        final long timeNanos;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean emitted;

        Pending(long timeNanos) {
            this.timeNanos = timeNanos;
        }
    }
}
