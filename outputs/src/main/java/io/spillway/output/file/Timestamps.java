package io.spillway.output.file;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Formats epoch nanoseconds as RFC 3339 UTC timestamps with a fixed number of fractional digits,
 * e.g. {@code 2015-07-29T03:00:00.003000Z} with 6 digits. Fixed width, so lines sort and align.
 * Caches the {@code yyyy-MM-ddTHH:mm:ss} part of the last second seen, since consecutive records
 * nearly always share it. Not thread-safe.
 */
final class Timestamps {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int digits;
    private final long divisor;
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedPrefix = "";

    /** @param digits 3 (millis), 6 (micros) or 9 (nanos) */
    Timestamps(int digits) {
        if (digits != 3 && digits != 6 && digits != 9) {
            throw new IllegalArgumentException("digits must be 3, 6 or 9: " + digits);
        }
        this.digits = digits;
        long d = 1;
        for (int i = digits; i < 9; i++) {
            d *= 10;
        }
        this.divisor = d;
    }

    void append(long epochNanos, LineBuffer out) {
        long second = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        long fraction = Math.floorMod(epochNanos, NANOS_PER_SECOND) / divisor;
        if (second != cachedSecond) {
            cachedPrefix = SECONDS.format(LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC));
            cachedSecond = second;
        }
        out.appendAscii(cachedPrefix);
        out.append('.');
        long scale = NANOS_PER_SECOND / divisor / 10;
        for (int i = 0; i < digits; i++) {
            out.append((char) ('0' + (fraction / scale) % 10));
            scale /= 10;
        }
        out.append('Z');
    }

    String format(long epochNanos) {
        LineBuffer b = new LineBuffer(40);
        append(epochNanos, b);
        return new String(b.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII);
    }
}
