package io.spillway.store;

import java.util.Base64;

/**
 * The opaque position of one stored record: its chunk id and its index in that chunk, as unpadded
 * base64url of {@code version:u8 chunk:int64 index:int32}. Positions are totally ordered (chunk, then
 * index) and stable: chunks are immutable once sealed and append-only before, and ids are never
 * reused, so a cursor stays valid across restarts and evictions (an evicted position is simply before
 * everything left).
 */
record Cursor(long chunk, int index) implements Comparable<Cursor> {
    private static final int VERSION = 1;
    private static final int LENGTH = 13;

    String encode() {
        byte[] b = new byte[LENGTH];
        b[0] = VERSION;
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (chunk >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            b[9 + i] = (byte) (index >>> (24 - 8 * i));
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** @throws IllegalArgumentException if {@code text} is not a cursor this store made */
    static Cursor decode(String text) {
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cursor: not base64url");
        }
        if (b.length != LENGTH || b[0] != VERSION) {
            throw new IllegalArgumentException("invalid cursor");
        }
        long chunk = 0;
        for (int i = 0; i < 8; i++) {
            chunk = (chunk << 8) | (b[1 + i] & 0xff);
        }
        int index = 0;
        for (int i = 0; i < 4; i++) {
            index = (index << 8) | (b[9 + i] & 0xff);
        }
        if (chunk < 0 || index < 0) {
            throw new IllegalArgumentException("invalid cursor");
        }
        return new Cursor(chunk, index);
    }

    @Override
    public int compareTo(Cursor o) {
        int c = Long.compare(chunk, o.chunk);
        return c != 0 ? c : Integer.compare(index, o.index);
    }
}
