package io.spillway.output.file;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One JSON object per line (JSON Lines), every field of the record:
 *
 * <pre>{@code
 * {"timestamp":"2015-07-29T03:00:00.003000000Z","host":"node-7","app":"web","source":"web.1",
 *  "stream":"stdout","severity":"info","message":"GET /status 200","fields":{"region":"eu"}}
 * }</pre>
 *
 * (shown on two lines here; written on one). The timestamp is RFC 3339 UTC with 9 fractional digits,
 * so it is exact; the message is the UTF-8 text (malformed bytes become U+FFFD) with JSON escapes, so
 * line breaks are {@code \n} inside the string and the line holds one record. Beyond JSON's required
 * escapes, DEL and the C1 controls are escaped too (as six-character JSON escapes), so no
 * control character reaches a terminal that tails the file. Jackson writes the object; not
 * thread-safe.
 */
final class JsonLineFormat implements LineFormat {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final CharacterEscapes ESCAPES = new ControlEscapes();

    private final Timestamps timestamps = new Timestamps(9);

    @Override
    public void encode(LogRecord r, LineBuffer out) {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.setCharacterEscapes(ESCAPES);
            g.writeStartObject();
            g.writeStringField("timestamp", timestamps.format(r.timestamp()));
            g.writeStringField("host", wellFormed(r.host()));
            g.writeStringField("app", r.app());
            g.writeStringField("source", wellFormed(r.source()));
            g.writeStringField("stream", r.stream().label());
            g.writeStringField("severity", r.severity().label());
            g.writeStringField("message", r.messageText());
            g.writeObjectFieldStart("fields");
            for (Map.Entry<String, String> e : r.fields().entrySet()) {
                g.writeStringField(wellFormed(e.getKey()), wellFormed(e.getValue()));
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            // LineBuffer never throws; Jackson declares it for other sinks.
            throw new UncheckedIOException(e);
        }
        out.append('\n');
    }

    /**
     * Replaces unpaired surrogates with U+FFFD. Strings from JSON inputs can hold them ({@code
     * "\\ud800"} is valid JSON text), and they have no UTF-8 form: written as they are, they would make
     * the line invalid. The message needs no such care: it is decoded from bytes, which never yields one.
     */
    static String wellFormed(String s) {
        int n = s.length();
        int i = 0;
        while (i < n && !Character.isSurrogate(s.charAt(i))) {
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder b = new StringBuilder(n).append(s, 0, i);
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(i + 1));
                i += 2;
            } else {
                b.append(Character.isSurrogate(c) ? '\uFFFD' : c);
                i++;
            }
        }
        return b.toString();
    }

    /** JSON's standard escapes plus DEL (U+007F) and C1 (U+0080–U+009F), written as six-character escapes. */
    private static final class ControlEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii;

        ControlEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public @Nullable SerializableString getEscapeSequence(int ch) {
            if (ch >= 0x80 && ch <= 0x9f) {
                return new SerializedString(String.format(java.util.Locale.ROOT, "\\u%04x", ch));
            }
            return null;
        }
    }
}
