package io.spillway.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Substring search over UTF-8 bytes, for the common {@code grep} case. Case-sensitive byte equality is
 * exactly string equality for valid UTF-8, so no message is decoded to find out it does not match.
 *
 * <p>It scans for one "anchor" byte of the needle eight bytes at a time (SWAR: the zero-byte trick
 * over a {@code long}), then verifies the whole needle with the vectorised {@link Arrays#equals}. The
 * anchor is the needle byte least likely in log text by a crude rank (punctuation and upper case
 * before lower-case letters, spaces last), so candidates stay rare. Immutable and thread-safe.
 */
final class ByteSearch {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private final byte[] needle;
    private final int anchor;
    private final long anchorPattern;

    ByteSearch(String text) {
        this.needle = text.getBytes(StandardCharsets.UTF_8);
        int best = 0;
        int bestRank = -1;
        for (int i = 0; i < needle.length; i++) {
            int r = rank(needle[i]);
            if (r >= bestRank) {
                best = i;
                bestRank = r;
            }
        }
        this.anchor = best;
        this.anchorPattern = needle.length == 0 ? 0 : (needle[best] & 0xffL) * ONES;
    }

    private static int rank(byte b) {
        int c = b & 0xff;
        if (c == ' ') {
            return 0;
        }
        if ("etaoinsrlhdcu".indexOf(c) >= 0) {
            return 1;
        }
        if (c >= 'a' && c <= 'z') {
            return 2;
        }
        if (c >= '0' && c <= '9') {
            return 3;
        }
        return 4;
    }

    /** Whether the needle occurs in {@code h[from, to)}. */
    boolean contains(byte[] h, int from, int to) {
        return indexOf(h, from, to) >= 0;
    }

    /** The first start of the needle in {@code h[from, to)}, or -1. */
    int indexOf(byte[] h, int from, int to) {
        int n = needle.length;
        if (n == 0) {
            return from;
        }
        // Scan anchor positions p in [from + anchor, to - n + anchor]; the match starts at p - anchor.
        int p = from + anchor;
        int lastP = to - n + anchor;
        byte a = needle[anchor];
        while (p <= lastP) {
            if (p + 8 <= lastP + 1) {
                long x = ((long) LONG_LE.get(h, p)) ^ anchorPattern;
                long t = (x - ONES) & ~x & HIGHS;
                if (t == 0) {
                    p += 8;
                    continue;
                }
                p += Long.numberOfTrailingZeros(t) >>> 3;
            } else if (h[p] != a) {
                p++;
                continue;
            }
            int start = p - anchor;
            if (Arrays.equals(h, start, start + n, needle, 0, n)) {
                return start;
            }
            p++;
        }
        return -1;
    }
}
