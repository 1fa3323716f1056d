package io.spillway.output.file;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array that lines are encoded into and copied out of, reused from record to record
 * so that encoding allocates nothing in the common case. Its size is bounded by its user: the
 * encoders write one record, the directory's pending buffer is written out at {@link
 * LogDirectory#PENDING_LIMIT}. Not thread-safe.
 */
final class LineBuffer extends OutputStream {
    private byte[] bytes;
    private int size;

    LineBuffer(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    int size() {
        return size;
    }

    /** The backing array; valid up to {@link #size()} until the next write. */
    byte[] array() {
        return bytes;
    }

    void reset() {
        size = 0;
    }

    /** Empties the buffer and gives back memory beyond {@code capacity} kept from an unusually big line. */
    void shrink(int capacity) {
        size = 0;
        if (bytes.length > capacity) {
            bytes = new byte[capacity];
        }
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    void append(char asciiChar) {
        write(asciiChar);
    }

    void appendAscii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[size++] = (byte) s.charAt(i);
        }
    }

    void appendUtf8(CharSequence s) {
        byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
        write(b, 0, b.length);
    }

    /** Copies the content out (tests, rare paths). */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int extra) {
        int needed = size + extra;
        if (needed < 0) {
            throw new IllegalStateException("line buffer over 2 GiB");
        }
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(needed, Math.min(Integer.MAX_VALUE - 8, bytes.length * 2)));
        }
    }
}
