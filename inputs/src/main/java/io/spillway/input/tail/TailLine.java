package io.spillway.input.tail;

import io.spillway.record.LogStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One complete log line decoded from a container log file, after partial entries were joined.
 *
 * @param timeNanos epoch nanoseconds of the first entry of the line (when the runtime read it)
 * @param stream stdout or stderr
 * @param message the UTF-8 message without the trailing newline; owned, never mutated
 * @param truncated the joined line was longer than {@code max_line} and was cut to it
 */
public record TailLine(long timeNanos, LogStream stream, byte[] message, boolean truncated) {
    public TailLine {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(message, "message");
    }

    public String messageText() {
        return new String(message, StandardCharsets.UTF_8);
    }
}
