package io.spillway.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One log line (DESIGN.md §6). Immutable: stages that change a record build a new one with the
 * {@code with…} methods.
 *
 * <p>The {@code message} array is owned by the record once constructed: nobody writes to it after
 * construction. It is not copied, because records are created and moved millions of times a second;
 * {@link #messageBytes()} hands out the same array under the same rule.
 *
 * @param timestamp epoch nanoseconds when the line was written (or received, when the input knows no better)
 * @param host the host the line comes from
 * @param app the app, already normalised by {@link AppNames#normalize}
 * @param source container id, process name or pid; empty when unknown
 * @param stream stdout, stderr or event
 * @param severity syslog severity or {@link Severity#UNKNOWN}
 * @param message UTF-8 bytes of the line, without trailing newline
 * @param fields small, immutable map of extra fields (structured data, labels)
 */
public record LogRecord(
        long timestamp,
        String host,
        String app,
        String source,
        LogStream stream,
        Severity severity,
        byte[] message,
        Map<String, String> fields) {

    public LogRecord {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        fields = Map.copyOf(fields);
    }

    /** A record with no fields, for tests and simple inputs. */
    public static LogRecord of(long timestamp, String host, String app, String message) {
        return new LogRecord(
                timestamp,
                host,
                app,
                "",
                LogStream.STDOUT,
                Severity.UNKNOWN,
                message.getBytes(StandardCharsets.UTF_8),
                Map.of());
    }

    /** The message decoded as UTF-8 (malformed sequences become U+FFFD). */
    public String messageText() {
        return new String(message, StandardCharsets.UTF_8);
    }

    /** The message bytes; see the class comment: never modify the array. */
    public byte[] messageBytes() {
        return message;
    }

    public int messageLength() {
        return message.length;
    }

    /**
     * An estimate of the bytes this record holds, used by every byte budget (buffer, rate limits).
     * It is the message plus the strings around it plus a fixed overhead, so a flood of empty lines
     * still costs something.
     */
    public long sizeBytes() {
        long size = 48L + message.length + host.length() + app.length() + source.length();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            size += e.getKey().length() + e.getValue().length() + 16;
        }
        return size;
    }

    public LogRecord withMessage(byte[] newMessage) {
        return new LogRecord(timestamp, host, app, source, stream, severity, newMessage, fields);
    }

    public LogRecord withApp(String newApp) {
        return new LogRecord(timestamp, host, newApp, source, stream, severity, message, fields);
    }

    public LogRecord withFields(Map<String, String> newFields) {
        return new LogRecord(timestamp, host, app, source, stream, severity, message, newFields);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogRecord r
                && timestamp == r.timestamp
                && host.equals(r.host)
                && app.equals(r.app)
                && source.equals(r.source)
                && stream == r.stream
                && severity == r.severity
                && Arrays.equals(message, r.message)
                && fields.equals(r.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, host, app, source, stream, severity, Arrays.hashCode(message), fields);
    }

    @Override
    public String toString() {
        return "LogRecord[" + timestamp + " " + host + " " + app + " " + source + " " + stream.label() + " "
                + severity.label() + " " + messageText() + (fields.isEmpty() ? "" : " " + fields) + "]";
    }
}
