package io.spillway.input.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decodes newline-delimited JSON: one object per line, e.g.
 * {@code {"app":"web","message":"GET / 200","time":"2026-11-25T10:00:00Z","stream":"stderr","level":"err"}}.
 *
 * <p>Keys: {@code message} (or {@code msg}, {@code log}; Docker json-file's trailing newline is cut),
 * {@code app}, {@code host}, {@code source} (or {@code container_id}), {@code stream}, {@code severity}
 * (or {@code level}; a syslog keyword or code), {@code time} (or {@code timestamp}; RFC 3339 text or
 * epoch seconds as a number), {@code fields} (an object of strings). Other top-level scalar keys become
 * fields. The app is the {@code defaultApp} when given (the request's {@code ?app=}), else the line's
 * {@code app}, else {@code unknown}.
 *
 * <p>Bounds: a line over {@code maxRecord} bytes is skipped as too large; at most {@link #MAX_FIELDS}
 * fields of at most {@link #MAX_FIELD_VALUE} characters; nesting deeper than 8 is malformed; at most
 * {@code maxRecords} records, after which decoding stops with {@code overLimit}. Blank lines are
 * ignored. Never throws on any bytes. Thread-safe.
 */
public final class NdjsonDecoder {
    public static final int MAX_FIELDS = 64;
    public static final int MAX_FIELD_VALUE = 1024;

    private final JsonFactory json = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxNumberLength(40)
                    .build())
            .build();
    private final int maxRecord;
    private final int maxRecords;

    public NdjsonDecoder(int maxRecord, int maxRecords) {
        this.maxRecord = maxRecord;
        this.maxRecords = maxRecords;
    }

    public DecodeResult decode(byte[] body, @Nullable String defaultApp, String defaultHost, long receivedAtNanos) {
        List<LogRecord> out = new ArrayList<>();
        int malformed = 0;
        int tooLarge = 0;
        String firstError = "";
        int start = 0;
        int lineNo = 0;
        while (start < body.length) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            lineNo++;
            int len = end - start;
            if (len > 0 && body[end - 1] == '\r') {
                len--;
            }
            if (!isBlank(body, start, len)) {
                if (out.size() >= maxRecords) {
                    return new DecodeResult(out, malformed, tooLarge, firstError, true);
                }
                if (len > maxRecord) {
                    tooLarge++;
                    if (firstError.isEmpty()) {
                        firstError = "line " + lineNo + ": " + len + " bytes exceeds max_record " + maxRecord;
                    }
                } else {
                    try {
                        out.add(decodeLine(body, start, len, defaultApp, defaultHost, receivedAtNanos));
                    } catch (IOException | IllegalArgumentException e) {
                        malformed++;
                        if (firstError.isEmpty()) {
                            firstError = "line " + lineNo + ": " + shortMessage(e);
                        }
                    }
                }
            }
            start = end + 1;
        }
        return new DecodeResult(out, malformed, tooLarge, firstError, false);
    }

    private static boolean isBlank(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String shortMessage(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    private LogRecord decodeLine(byte[] b, int off, int len, @Nullable String defaultApp, String defaultHost, long now)
            throws IOException {
        String message = null;
        String app = null;
        String host = null;
        String source = "";
        LogStream stream = LogStream.STDOUT;
        Severity severity = Severity.UNKNOWN;
        long timestamp = now;
        Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser p = json.createParser(b, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("expected a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                switch (key) {
                    case "message", "msg", "log" -> message = text(p, v, key);
                    case "app" -> app = text(p, v, key);
                    case "host", "hostname" -> host = text(p, v, key);
                    case "source", "container_id" -> source = bounded(text(p, v, key));
                    case "stream" -> stream = LogStream.parse(text(p, v, key));
                    case "severity", "level" -> {
                        Severity s = v == JsonToken.VALUE_NUMBER_INT
                                ? Severity.ofCode(p.getIntValue())
                                : Severity.parse(text(p, v, key));
                        severity = s == null ? Severity.UNKNOWN : s;
                    }
                    case "time", "timestamp" -> timestamp = time(p, v, key);
                    case "fields" -> readFields(p, v, fields);
                    default -> {
                        if (v.isScalarValue()) {
                            putField(fields, key, p.getText());
                        } else {
                            p.skipChildren();
                        }
                    }
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IllegalArgumentException("truncated JSON object");
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("more than one JSON value on the line");
            }
        }
        if (message == null) {
            throw new IllegalArgumentException("no \"message\" (or \"msg\", \"log\") key");
        }
        if (message.endsWith("\n")) {
            message = message.substring(0, message.length() - 1);
        }
        String chosenApp = defaultApp != null ? defaultApp : app;
        return new LogRecord(
                timestamp,
                host == null || host.isBlank() ? defaultHost : bounded(host),
                chosenApp == null ? AppNames.UNKNOWN : AppNames.normalize(chosenApp),
                source,
                stream,
                severity,
                message.getBytes(StandardCharsets.UTF_8),
                fields);
    }

    private static String text(JsonParser p, JsonToken v, String key) throws IOException {
        if (!v.isScalarValue() || v == JsonToken.VALUE_NULL) {
            throw new IllegalArgumentException("\"" + key + "\" must be a string");
        }
        return p.getText();
    }

    private static long time(JsonParser p, JsonToken v, String key) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            // Exact decimal arithmetic: 1438138800.25 must be .250000000, not what a double makes of it.
            java.math.BigDecimal seconds = p.getDecimalValue();
            if (seconds.signum() < 0 || seconds.compareTo(java.math.BigDecimal.valueOf(9_200_000_000L)) >= 0) {
                throw new IllegalArgumentException("\"" + key + "\" out of range: " + p.getText());
            }
            return seconds.movePointRight(9).longValue();
        }
        String s = text(p, v, key);
        try {
            Instant i = java.time.OffsetDateTime.parse(s).toInstant();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("\"" + key + "\" is not an RFC 3339 time: " + bounded(s));
        }
    }

    private static void readFields(JsonParser p, JsonToken v, Map<String, String> fields) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("\"fields\" must be an object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken fv = p.nextToken();
            if (fv.isScalarValue()) {
                putField(fields, k, p.getText());
            } else {
                p.skipChildren();
            }
        }
    }

    private static void putField(Map<String, String> fields, String key, String value) {
        if (fields.size() < MAX_FIELDS) {
            fields.put(bounded(key), bounded(value));
        }
    }

    private static String bounded(String s) {
        return s.length() <= MAX_FIELD_VALUE ? s : s.substring(0, MAX_FIELD_VALUE);
    }
}
