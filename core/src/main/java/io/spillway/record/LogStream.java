package io.spillway.record;

import java.util.Locale;

/**
 * Which stream of a container a record came from; {@link #EVENT} marks Spillway's own events, and
 * {@link #UNKNOWN} a record whose protocol does not say (syslog: a sender's severity is not its
 * stream). The order of the constants is part of the buffer's and the store's record formats (they
 * store the ordinal): new constants go at the end.
 */
public enum LogStream {
    STDOUT,
    STDERR,
    EVENT,
    UNKNOWN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@code stdout}, {@code stderr}, {@code event} and {@code unknown} (any case) are themselves;
     * anything else is STDOUT, the default of the inputs that take a stream name (HTTP NDJSON).
     */
    public static LogStream parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "stderr" -> STDERR;
            case "event" -> EVENT;
            case "unknown" -> UNKNOWN;
            default -> STDOUT;
        };
    }
}
