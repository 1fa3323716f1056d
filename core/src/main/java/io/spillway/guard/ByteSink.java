package io.spillway.guard;

import java.util.Arrays;

/**
 * A growable byte array: where the redaction scanners write a changed message. Made only for a line
 * that a rule changes, so the common line never allocates one. Not thread-safe: one per call.
 */
final class ByteSink {
    private byte[] buf;
    private int len;

    ByteSink(int capacity) {
        this.buf = new byte[Math.max(16, capacity)];
    }

    /** Appends one byte: {@code b}'s low 8 bits (an ASCII char, or a byte of a message). */
    void append(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    void append(byte[] src) {
        append(src, 0, src.length);
    }

    /** Appends {@code src[from, to)}. */
    void append(byte[] src, int from, int to) {
        int n = to - from;
        ensure(n);
        System.arraycopy(src, from, buf, len, n);
        len += n;
    }

    /** True when the bytes written equal {@code other}. */
    boolean contentEquals(byte[] other) {
        return Arrays.equals(buf, 0, len, other, 0, other.length);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
