package io.spillway.input.gelf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.spillway.input.netty.DecodeError;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns one GELF payload (uncompressed JSON, GELF 1.1) into a {@link LogRecord}.
 *
 * <h2>Mapping</h2>
 *
 * <ul>
 *   <li>message: {@code full_message} when present and non-empty, else {@code short_message}; when both
 *       are present the short one is also kept as field {@code short_message}. A payload with neither
 *       is refused ({@code parse_error}): the spec makes {@code short_message} mandatory.
 *   <li>timestamp: {@code timestamp} (seconds since the epoch, fractional) as nanoseconds; absent or
 *       not a finite positive number means the receive time.
 *   <li>host: {@code host}, else the peer's address. severity: {@code level} (syslog 0–7), else UNKNOWN.
 *   <li>app: the additional field named by {@code app_field} (default {@code _container_name}), else
 *       {@code _tag}, else {@code _app}, else {@code facility} (deprecated in GELF 1.1, still sent by
 *       many libraries), else {@code unknown}, through {@link AppNames#normalize}. source: {@code
 *       _container_id} or empty.
 *   <li>stream: Docker's gelf driver sends level 3 for stderr and 6 for stdout, and nothing else says
 *       the stream; so a record carrying {@code _container_id} is STDERR at level 3, STDOUT at level
 *       6, and every other record is UNKNOWN (a sender's level is not its stream).
 *   <li>fields: additional fields ({@code _x}) as {@code x} (the underscore dropped, as Graylog shows
 *       them), numbers and booleans as their text; at most {@value #MAX_FIELDS} fields of at most
 *       {@value #MAX_FIELD_VALUE} characters; when fields were left out, {@code fields_truncated=true}.
 *       Nested objects and arrays are not GELF and are skipped.
 * </ul>
 *
 * Never throws anything but {@link GelfException}, whatever the bytes. Thread-safe (no mutable state).
 */
public final class GelfDecoder {
    public static final int MAX_FIELDS = 64;
    public static final int MAX_FIELD_VALUE = 1024;
    static final String TRUNCATED = "fields_truncated";

    private final JsonFactory json = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxNumberLength(40)
                    .build())
            .build();
    private final String appField;

    /** @param appField the additional field naming the app, with its underscore, e.g. {@code _container_name} */
    public GelfDecoder(String appField) {
        this.appField = appField;
    }

    /**
     * Decodes one payload.
     *
     * @param payload the uncompressed JSON object
     * @param peerHost host to use when the message names none
     * @param receivedAtNanos receive time, epoch nanoseconds, used when the message has no timestamp
     * @throws GelfException kind {@code parse_error} for anything that is not a GELF JSON object
     */
    public LogRecord decode(byte[] payload, String peerHost, long receivedAtNanos) throws GelfException {
        try {
            return parse(payload, peerHost, receivedAtNanos);
        } catch (GelfException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Jackson reports malformed JSON and constraint violations as IOException subclasses;
            // RuntimeException covers whatever else hostile bytes might provoke in the parser.
            throw new GelfException(
                    DecodeError.PARSE_ERROR, "not a GELF JSON object: " + shorten(String.valueOf(e.getMessage())));
        }
    }

    private LogRecord parse(byte[] payload, String peerHost, long receivedAtNanos) throws IOException, GelfException {
        String shortMessage = null;
        String fullMessage = null;
        String host = null;
        long timestamp = receivedAtNanos;
        Severity severity = Severity.UNKNOWN;
        Map<String, String> extra = new LinkedHashMap<>();
        boolean truncated = false;
        String appValue = null;
        String tagValue = null;
        String appFieldValue = null;
        String facility = null;
        String containerId = null;
        try (JsonParser p = json.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new GelfException(DecodeError.PARSE_ERROR, "payload is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                if (v == null) {
                    break;
                }
                switch (key) {
                    case "short_message" -> shortMessage = text(p, v);
                    case "full_message" -> fullMessage = text(p, v);
                    case "host" -> host = text(p, v);
                    case "timestamp" -> timestamp = timestamp(p, v, receivedAtNanos);
                    case "level" -> severity = level(p, v);
                    case "facility" -> facility = text(p, v);
                    default -> {
                        if (key.length() > 1 && key.charAt(0) == '_' && v != JsonToken.VALUE_NULL) {
                            String value = text(p, v);
                            // The fields that name app and source are kept even past the field bound.
                            if (value != null && key.equals(appField) && appValue == null) {
                                appValue = value;
                            } else if (value != null && key.equals("_tag") && tagValue == null) {
                                tagValue = value;
                            } else if (value != null && key.equals("_app") && appFieldValue == null) {
                                appFieldValue = value;
                            } else if (value != null && key.equals("_container_id") && containerId == null) {
                                containerId = value;
                            }
                            if (value != null && !extra.containsKey(key)) {
                                if (extra.size() >= MAX_FIELDS) {
                                    truncated = true;
                                } else {
                                    extra.put(key, value);
                                }
                            }
                        }
                        // version, line, file (deprecated in 1.1) and unknown keys are ignored.
                    }
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new GelfException(DecodeError.PARSE_ERROR, "JSON object is not closed");
            }
        }
        if (shortMessage == null && (fullMessage == null || fullMessage.isEmpty())) {
            throw new GelfException(DecodeError.PARSE_ERROR, "short_message is missing (GELF 1.1: mandatory)");
        }
        boolean useFull = fullMessage != null && !fullMessage.isEmpty();
        String message = useFull ? fullMessage : shortMessage;

        String appRaw = appValue;
        for (String fallback : new String[] {tagValue, appFieldValue, facility}) {
            if (appRaw == null || appRaw.isBlank()) {
                appRaw = fallback;
            }
        }
        String app = appRaw == null || appRaw.isBlank() ? AppNames.UNKNOWN : AppNames.normalize(appRaw);
        String source = containerId == null ? "" : bound(containerId);
        LogStream stream = containerId == null
                ? LogStream.UNKNOWN
                : severity == Severity.ofCode(3)
                        ? LogStream.STDERR
                        : severity == Severity.ofCode(6) ? LogStream.STDOUT : LogStream.UNKNOWN;

        Map<String, String> fields = new LinkedHashMap<>();
        if (useFull && shortMessage != null) {
            fields.put("short_message", bound(shortMessage));
        }
        for (Map.Entry<String, String> e : extra.entrySet()) {
            if (fields.size() >= MAX_FIELDS - 1) {
                truncated = true;
                break;
            }
            fields.putIfAbsent(bound(e.getKey().substring(1)), bound(e.getValue()));
        }
        if (truncated) {
            fields.put(TRUNCATED, "true");
        }
        String h = host == null || host.isBlank() ? peerHost : bound(host);
        return new LogRecord(
                timestamp, h, app, source, stream, severity, message.getBytes(StandardCharsets.UTF_8), fields);
    }

    private static @Nullable String text(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL || !v.isScalarValue()) {
            return null;
        }
        return p.getText();
    }

    private static long timestamp(JsonParser p, JsonToken v, long fallback) throws IOException {
        double seconds;
        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            seconds = p.getDoubleValue();
        } else if (v == JsonToken.VALUE_STRING) {
            // Some clients send the number as a string; accept it, anything else falls back.
            try {
                seconds = Double.parseDouble(p.getText().trim());
            } catch (NumberFormatException e) {
                return fallback;
            }
        } else {
            return fallback;
        }
        // Finite, after 1970 and before year ~2262 (the long-nanos limit).
        if (!(seconds > 0 && seconds < 9.2e9)) {
            return fallback;
        }
        long whole = (long) seconds;
        // Millisecond precision is what GELF clients send; rounding avoids 0.123 becoming 122999999 ns.
        long millis = Math.round((seconds - whole) * 1000.0);
        return whole * 1_000_000_000L + millis * 1_000_000L;
    }

    private static Severity level(JsonParser p, JsonToken v) throws IOException {
        int code;
        if (v == JsonToken.VALUE_NUMBER_INT) {
            long l = p.getLongValue();
            code = l < 0 || l > 7 ? -1 : (int) l;
        } else if (v == JsonToken.VALUE_STRING) {
            try {
                code = Integer.parseInt(p.getText().trim());
            } catch (NumberFormatException e) {
                Severity s = Severity.parse(p.getText());
                return s == null ? Severity.UNKNOWN : s;
            }
        } else {
            return Severity.UNKNOWN;
        }
        return code >= 0 && code <= 7 ? Severity.ofCode(code) : Severity.UNKNOWN;
    }

    private static String bound(String s) {
        return s.length() > MAX_FIELD_VALUE ? s.substring(0, MAX_FIELD_VALUE) : s;
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
