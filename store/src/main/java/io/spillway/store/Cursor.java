package io.spillway.store;

import java.util.Base64;

/**
 * The opaque position of one stored record, and where a page continues.
 *
 * <p>A position is the record's time and its place in the store (chunk id and index in that chunk).
 * Two orders are built on it. Arrival ({@link #compareTo}): chunk, then index; chunks are immutable
 * once sealed and append-only before, and ids are never reused, so a position stays valid across
 * restarts and evictions (an evicted one is simply before everything left). Time ({@link #byTime}):
 * the record's time, ties by arrival; the order of {@code newest} and {@code oldest} queries.
 *
 * <p>A time-ordered query that runs out of budget before it can be sure of any record's place goes on
 * in arrival order from then on ({@link QueryRun}): its cursor then also carries {@code resume}, the
 * arrival position reached ({@code resumeChunk < 0}: from the start), and {@code hasTime} says whether
 * the time boundary ({@code ts, chunk, index}: the last record of an earlier time-ordered page) is set.
 *
 * <p>Encoding, unpadded base64url: {@code version:u8 ts:int64 chunk:int64 index:int32} (version 2), or
 * version 3 with {@code flags:u8 resumeChunk:int64 resumeIndex:int32} after it (bit 0: hasTime).
 */
record Cursor(long ts, long chunk, int index, boolean hasTime, boolean resume, long resumeChunk, int resumeIndex)
        implements Comparable<Cursor> {
    private static final int POSITION = 2;
    private static final int CONTINUATION = 3;
    private static final int POSITION_LENGTH = 21;
    private static final int CONTINUATION_LENGTH = POSITION_LENGTH + 13;

    /** The position of one record. */
    Cursor(long ts, long chunk, int index) {
        this(ts, chunk, index, true, false, -1, -1);
    }

    /** An arrival-order continuation after {@code resumeChunk, resumeIndex} (-1: from the start). */
    Cursor withResume(long resumeChunk, int resumeIndex) {
        return new Cursor(ts, chunk, index, hasTime, true, resumeChunk, resumeIndex);
    }

    /** A continuation with no time boundary (the query's first page ran out of budget). */
    static Cursor resumeOnly(long resumeChunk, int resumeIndex) {
        return new Cursor(0, 0, 0, false, true, resumeChunk, resumeIndex);
    }

    String encode() {
        byte[] b = new byte[resume ? CONTINUATION_LENGTH : POSITION_LENGTH];
        b[0] = (byte) (resume ? CONTINUATION : POSITION);
        putLong(b, 1, ts);
        putLong(b, 9, chunk);
        putInt(b, 17, index);
        if (resume) {
            b[21] = (byte) (hasTime ? 1 : 0);
            putLong(b, 22, resumeChunk);
            putInt(b, 30, resumeIndex);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    private static int getInt(byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    /** @throws IllegalArgumentException if {@code text} is not a cursor this store made */
    static Cursor decode(String text) {
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cursor: not base64url");
        }
        boolean position = b.length == POSITION_LENGTH && b[0] == POSITION;
        boolean continuation = b.length == CONTINUATION_LENGTH && b[0] == CONTINUATION;
        if (!position && !continuation) {
            throw new IllegalArgumentException("invalid cursor");
        }
        long ts = getLong(b, 1);
        long chunk = getLong(b, 9);
        int index = getInt(b, 17);
        if (chunk < 0 || index < 0) {
            throw new IllegalArgumentException("invalid cursor");
        }
        if (position) {
            return new Cursor(ts, chunk, index);
        }
        if ((b[21] & ~1) != 0) {
            throw new IllegalArgumentException("invalid cursor");
        }
        long resumeChunk = getLong(b, 22);
        int resumeIndex = getInt(b, 30);
        if (resumeChunk < -1 || resumeIndex < -1) {
            throw new IllegalArgumentException("invalid cursor");
        }
        return new Cursor(ts, chunk, index, (b[21] & 1) != 0, true, resumeChunk, resumeIndex);
    }

    /** Arrival order: chunk, then index. */
    @Override
    public int compareTo(Cursor o) {
        int c = Long.compare(chunk, o.chunk);
        return c != 0 ? c : Integer.compare(index, o.index);
    }

    /** Time order: the record's time, ties by arrival. */
    static int byTime(long ts1, long chunk1, int index1, long ts2, long chunk2, int index2) {
        int c = Long.compare(ts1, ts2);
        if (c != 0) {
            return c;
        }
        c = Long.compare(chunk1, chunk2);
        return c != 0 ? c : Integer.compare(index1, index2);
    }
}
