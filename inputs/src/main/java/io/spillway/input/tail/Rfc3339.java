package io.spillway.input.tail;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/** RFC 3339 timestamps with nanoseconds and a {@code Z} or numeric offset, as epoch nanoseconds. */
final class Rfc3339 {
    /** Longest timestamp accepted: {@code 2015-07-29T03:00:03.123456789+02:00} is 35 characters. */
    static final int MAX_LENGTH = 40;

    private Rfc3339() {}

    /** Epoch nanoseconds, or throws {@link DateTimeException} (also for years outside 1678–2262). */
    static long parseNanos(CharSequence text) {
        if (text.length() > MAX_LENGTH) {
            throw new DateTimeException("timestamp longer than " + MAX_LENGTH + " characters");
        }
        // ISO_OFFSET_DATE_TIME takes both "Z" and "+02:00", and 0–9 fraction digits
        OffsetDateTime t = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        try {
            return Math.addExact(Math.multiplyExact(t.toEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (ArithmeticException e) {
            throw new DateTimeException("timestamp out of range: " + text);
        }
    }
}
