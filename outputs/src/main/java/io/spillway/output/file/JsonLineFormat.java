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
            g.writeStringField("host", r.host());
            g.writeStringField("app", r.app());
            g.writeStringField("source", r.source());
            g.writeStringField("stream", r.stream().label());
            g.writeStringField("severity", r.severity().label());
            g.writeStringField("message", r.messageText());
            g.writeObjectFieldStart("fields");
            for (Map.Entry<String, String> e : r.fields().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            // LineBuffer never throws; Jackson declares it for other sinks.
            throw new UncheckedIOException(e);
        }
        out.append('\n');
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
