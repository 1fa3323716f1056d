package io.spillway.server;

import io.spillway.config.Durations;
import io.spillway.store.Filter;
import io.spillway.store.Query;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Parsing and printing of the read API's query parameters; every failure names its parameter. */
final class ApiParams {
    static final int DEFAULT_LIMIT = 100;

    /** RFC 3339 with nine fraction digits in UTC, so times sort as text and keep the store's nanos. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSX", Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);

    private ApiParams() {}

    /** A 400 answer naming the parameter. */
    static final class BadParameter extends RuntimeException {
        final String parameter;

        BadParameter(String parameter, String message) {
            super(parameter + ": " + message);
            this.parameter = parameter;
        }
    }

    /**
     * An instant as RFC 3339 ({@code 2026-11-25T10:00:00Z}, {@code ...+01:00}, fractions allowed) or
     * as a duration before {@code now} ({@code 1h}, {@code 30m}, {@code 1h30m}, {@code 2d}).
     */
    static @Nullable Instant instant(String name, @Nullable String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (Character.isDigit(v.charAt(0)) && v.length() >= 10 && v.charAt(4) == '-') {
            try {
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeException e) {
                throw new BadParameter(
                        name,
                        "expected an RFC 3339 time like 2026-11-25T10:00:00Z or a duration like 1h, got \"" + v + "\"");
            }
        }
        try {
            Duration d = Durations.parse(v);
            return now.minus(d);
        } catch (IllegalArgumentException | ArithmeticException | DateTimeException e) {
            throw new BadParameter(
                    name,
                    "expected an RFC 3339 time like 2026-11-25T10:00:00Z or a duration like 1h, got \"" + v + "\"");
        }
    }

    static int limit(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= Query.MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadParameter(
                "limit", "expected a whole number from 1 to " + Query.MAX_LIMIT + ", got \"" + value + "\"");
    }

    static Query.Order order(@Nullable String value) {
        if (value == null || value.isBlank() || value.equals("newest")) {
            return Query.Order.NEWEST_FIRST;
        }
        if (value.equals("oldest")) {
            return Query.Order.OLDEST_FIRST;
        }
        throw new BadParameter("order", "expected newest or oldest, got \"" + value + "\"");
    }

    /** {@code grep} is a substring, {@code regex} a regular expression; at most one of them. */
    static @Nullable Filter filter(@Nullable String grep, @Nullable String regex) {
        boolean hasGrep = grep != null && !grep.isEmpty();
        boolean hasRegex = regex != null && !regex.isEmpty();
        if (hasGrep && hasRegex) {
            throw new BadParameter("regex", "give grep or regex, not both");
        }
        if (hasGrep) {
            return Filter.substring(grep);
        }
        if (hasRegex) {
            if (regex.length() > 1024) {
                throw new BadParameter("regex", "longer than 1024 characters");
            }
            try {
                return Filter.regex(regex);
            } catch (IllegalArgumentException e) {
                throw new BadParameter("regex", e.getMessage());
            }
        }
        return null;
    }

    static String time(long epochNanos) {
        return TIME.format(Instant.ofEpochSecond(
                Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L)));
    }
}
