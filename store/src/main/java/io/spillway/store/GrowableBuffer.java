package io.spillway.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable byte array that grows as needed, with big-endian and varint writers. Not thread-safe;
 * each user owns its own.
 */
final class GrowableBuffer {
    private byte[] buf;
    private int size;

    GrowableBuffer(int capacity) {
        this.buf = new byte[capacity];
    }

    byte[] array() {
        return buf;
    }

    int size() {
        return size;
    }

    void reset() {
        size = 0;
    }

    /** Forgets the bytes after the first {@code n}. */
    void truncate(int n) {
        size = n;
    }

    /** Lets go of a buffer grown past {@code capacity} by one huge record. */
    void shrink(int capacity) {
        if (buf.length > capacity) {
            buf = new byte[capacity];
        }
        size = 0;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    void put(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    void putInt(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    void putVarint(int v) {
        ensure(5);
        while ((v & ~0x7f) != 0) {
            buf[size++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    void put(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    void putBytes(byte[] b, int off, int len) {
        putVarint(len);
        put(b, off, len);
    }

    /** Host and source repeat from record to record: their UTF-8 form is cached, one entry each. */
    private String cachedA = "";

    private byte[] bytesA = new byte[0];
    private String cachedB = "";
    private byte[] bytesB = new byte[0];

    void putString(String s, boolean slotA) {
        byte[] b;
        if (slotA) {
            if (!s.equals(cachedA)) {
                cachedA = s;
                bytesA = s.getBytes(StandardCharsets.UTF_8);
            }
            b = bytesA;
        } else {
            if (!s.equals(cachedB)) {
                cachedB = s;
                bytesB = s.getBytes(StandardCharsets.UTF_8);
            }
            b = bytesB;
        }
        putBytes(b, 0, b.length);
    }

    void putString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putBytes(b, 0, b.length);
    }

    static int getInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    static long getLong(byte[] b, int at) {
        return ((long) getInt(b, at) << 32) | (getInt(b, at + 4) & 0xffffffffL);
    }
}
