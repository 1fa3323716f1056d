package io.spillway.input.tail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.spillway.record.LogStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import org.jspecify.annotations.Nullable;

/**
 * Decodes lines of Docker's {@code json-file} log driver:
 * {@code {"log":"GET / 200\n","stream":"stdout","time":"2015-07-29T02:59:58.123456789Z"}}.
 *
 * <p>Partial lines: the daemon splits a message longer than 16 KiB into entries whose {@code log}
 * lacks the trailing {@code \n}; the entry whose {@code log} ends in {@code \n} completes it. Entries
 * are joined per stream by a {@link PartialJoiner} bounded by {@code maxLine} bytes (beyond it the
 * joined bytes are emitted truncated, the rest of that line is discarded). The last line of a file
 * may lack the newline (a container that exited mid-line); {@link #flush()} emits it.
 *
 * <p>Errors: a line that is not a JSON object with a string {@code log}, a {@code stream} of
 * {@code stdout}/{@code stderr} and an RFC 3339 {@code time} decodes to {@link Decoded#error}; it
 * never throws. Unknown keys (e.g. {@code attrs} from {@code --log-opt labels}) are skipped. No I/O.
 * Not thread-safe: one decoder per file, since partial lines are state.
 */
public final class DockerJsonLineDecoder {
    /** json-file splits messages at 16 KiB (moby {@code daemon/logger/copier.go} bufSize). */
    public static final int DOCKER_PARTIAL_SIZE = 16 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxNumberLength(40)
                    .build())
            .build();

    private final PartialJoiner joiner;

    /** @param maxLine longest joined line in bytes ({@code max_line}) */
    public DockerJsonLineDecoder(int maxLine) {
        this.joiner = new PartialJoiner(maxLine);
    }

    /** Decodes one file line, given without its line feed. */
    public Decoded decode(byte[] buf, int off, int len) {
        String log = null;
        LogStream stream = null;
        String time = null;
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Decoded.error("not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "log" -> log = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "stream" -> stream = v == JsonToken.VALUE_STRING ? stream(p.getText()) : null;
                    case "time" -> time = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return Decoded.error("malformed JSON object");
            }
            if (p.nextToken() != null) {
                return Decoded.error("trailing data after the JSON object");
            }
        } catch (IOException | RuntimeException e) {
            return Decoded.error("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (log == null) {
            return Decoded.error("no string \"log\"");
        }
        if (stream == null) {
            return Decoded.error("\"stream\" is not stdout or stderr");
        }
        if (time == null) {
            return Decoded.error("no string \"time\"");
        }
        long nanos;
        try {
            nanos = Rfc3339.parseNanos(time);
        } catch (DateTimeException e) {
            return Decoded.error("bad \"time\": " + firstLine(e.getMessage()));
        }
        byte[] bytes = log.getBytes(StandardCharsets.UTF_8);
        boolean last = bytes.length > 0 && bytes[bytes.length - 1] == '\n';
        return Decoded.of(joiner.add(nanos, stream, bytes, 0, last ? bytes.length - 1 : bytes.length, last));
    }

    /** Emits a line still waiting for its final entry (end of a file that is finished), or null. */
    public @Nullable TailLine flush() {
        return joiner.flush();
    }

    /** Whether a partial line is held (its bytes are not yet emitted). */
    public boolean hasPending() {
        return joiner.hasPending();
    }

    private static @Nullable LogStream stream(String s) {
        return switch (s) {
            case "stdout" -> LogStream.STDOUT;
            case "stderr" -> LogStream.STDERR;
            default -> null;
        };
    }

    static String firstLine(@Nullable String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        String s = nl < 0 ? message : message.substring(0, nl);
        return s.length() > 200 ? s.substring(0, 200) : s;
    }
}
