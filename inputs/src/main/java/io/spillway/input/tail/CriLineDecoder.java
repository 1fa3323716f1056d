package io.spillway.input.tail;

import io.spillway.record.LogStream;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import org.jspecify.annotations.Nullable;

/**
 * Decodes lines of the CRI log format written by containerd and CRI-O:
 * {@code TIME SP STREAM SP TAGS SP MESSAGE}, e.g.
 * {@code 2015-07-29T03:00:01.000000001Z stdout P first half}.
 *
 * <p>{@code TAGS} is a {@code :}-separated list whose first tag is {@code P} (partial) or {@code F}
 * (full); later tags are ignored (Kubernetes {@code pkg/kubelet/kuberuntime/logs}). {@code P} entries
 * are joined per stream until the next {@code F}, bounded by {@code maxLine} bytes like {@link
 * DockerJsonLineDecoder}. {@code TIME} is RFC 3339 with nanoseconds and {@code Z} or a numeric offset.
 * An empty message ({@code TIME stdout F} with or without the final space) is an empty line.
 *
 * <p>A malformed line decodes to {@link Decoded#error}; never throws. No I/O. Not thread-safe: one
 * decoder per file.
 */
public final class CriLineDecoder {
    private final PartialJoiner joiner;

    /** @param maxLine longest joined line in bytes ({@code max_line}) */
    public CriLineDecoder(int maxLine) {
        this.joiner = new PartialJoiner(maxLine);
    }

    /** Decodes one file line, given without its line feed. */
    public Decoded decode(byte[] buf, int off, int len) {
        int end = off + len;
        int sp1 = indexOf(buf, off, Math.min(end, off + Rfc3339.MAX_LENGTH + 1), (byte) ' ');
        if (sp1 < 0) {
            return Decoded.error("no timestamp field");
        }
        int sp2 = indexOf(buf, sp1 + 1, Math.min(end, sp1 + 8), (byte) ' ');
        if (sp2 < 0) {
            return Decoded.error("no stream field");
        }
        LogStream stream;
        String s = new String(buf, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.US_ASCII);
        switch (s) {
            case "stdout" -> stream = LogStream.STDOUT;
            case "stderr" -> stream = LogStream.STDERR;
            default -> {
                return Decoded.error("stream is not stdout or stderr");
            }
        }
        int tagStart = sp2 + 1;
        int sp3 = indexOf(buf, tagStart, end, (byte) ' ');
        int tagEnd = sp3 < 0 ? end : sp3;
        int colon = indexOf(buf, tagStart, tagEnd, (byte) ':');
        int firstTagEnd = colon < 0 ? tagEnd : colon;
        boolean last;
        if (firstTagEnd - tagStart == 1 && buf[tagStart] == 'F') {
            last = true;
        } else if (firstTagEnd - tagStart == 1 && buf[tagStart] == 'P') {
            last = false;
        } else {
            return Decoded.error("tag is not P or F");
        }
        long nanos;
        try {
            nanos = Rfc3339.parseNanos(new String(buf, off, sp1 - off, StandardCharsets.US_ASCII));
        } catch (DateTimeException e) {
            return Decoded.error("bad timestamp: " + DockerJsonLineDecoder.firstLine(e.getMessage()));
        }
        int msg = sp3 < 0 ? end : sp3 + 1;
        return Decoded.of(joiner.add(nanos, stream, buf, msg, end - msg, last));
    }

    /** Emits a line still waiting for its {@code F} entry (end of a finished file), or null. */
    public @Nullable TailLine flush() {
        return joiner.flush();
    }

    /** Whether a partial line is held. */
    public boolean hasPending() {
        return joiner.hasPending();
    }

    private static int indexOf(byte[] buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
