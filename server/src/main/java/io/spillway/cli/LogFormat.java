package io.spillway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How {@code spillway logs} prints a record, in the style of {@code heroku logs}:
 *
 * <pre>2026-11-25T10:00:00.123456+00:00 web[web.1]: message</pre>
 *
 * <p>Time in UTC with microseconds and an explicit {@code +00:00}; then {@code app[source]:} (just
 * {@code app:} when the source is empty); then the message. Control characters other than tab and
 * newline are printed as {@code \xNN}, so a hostile line cannot drive the terminal.
 *
 * <p>With colour: {@code app[source]} in cyan; the message of an {@code err} or worse record in red;
 * drop markers (field {@code spillway=drop_marker}, or any record of app {@code _spillway}) and the
 * client's own notices in bold yellow. Stateless and thread-safe.
 */
final class LogFormat {
    static final String RESET = "\u001b[0m";
    static final String CYAN = "\u001b[36m";
    static final String RED = "\u001b[31m";
    static final String MARKER = "\u001b[1;33m";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern(
                    "uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final boolean colour;

    LogFormat(boolean colour) {
        this.colour = colour;
    }

    String format(JsonNode r) {
        String app = r.path("app").asText("");
        String source = r.path("source").asText("");
        String message = clean(r.path("message").asText(""));
        String prefix = source.isEmpty() ? app + ":" : app + "[" + clean(source) + "]:";
        String time = time(r.path("time").asText(""));
        if (!colour) {
            return time + " " + prefix + " " + message;
        }
        if (isMarker(r)) {
            return MARKER + time + " " + prefix + " " + message + RESET;
        }
        String sev = r.path("severity").asText("");
        boolean error = switch (sev) {
            case "emerg", "alert", "crit", "err" -> true;
            default -> false;
        };
        return time + " " + CYAN + prefix + RESET + " " + (error ? RED + message + RESET : message);
    }

    /** A notice from the client itself (e.g. records missed by a slow follow), styled like a marker. */
    String notice(String text) {
        return colour ? MARKER + text + RESET : text;
    }

    static boolean isMarker(JsonNode r) {
        return r.path("app").asText("").equals("_spillway")
                || r.path("fields").path("spillway").asText("").equals("drop_marker");
    }

    static String time(String rfc3339) {
        try {
            return TIME.format(Instant.parse(rfc3339));
        } catch (DateTimeException e) {
            return rfc3339;
        }
    }

    static String clean(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0);
            if (control) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
