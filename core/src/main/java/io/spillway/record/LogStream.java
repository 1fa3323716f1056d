package io.spillway.record;

import java.util.Locale;

/** Which stream of a container a record came from; {@link #EVENT} marks Spillway's own events. */
public enum LogStream {
    STDOUT,
    STDERR,
    EVENT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code stderr} (any case) is STDERR, {@code event} is EVENT, everything else STDOUT. */
    public static LogStream parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "stderr" -> STDERR;
            case "event" -> EVENT;
            default -> STDOUT;
        };
    }
}
