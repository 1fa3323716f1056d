package io.spillway.output.file;

import io.spillway.record.LogRecord;
import java.nio.charset.StandardCharsets;

/**
 * The human format, close to {@code heroku logs}:
 *
 * <pre>{@code
 * 2015-07-29T03:00:00.003000Z node-7 web.1[stdout] info: GET /status 200
 * TIMESTAMP SP HOST SP SOURCE "[" STREAM "]" SP SEVERITY ":" SP MESSAGE LF
 * }</pre>
 *
 * <ul>
 *   <li>TIMESTAMP: RFC 3339, UTC, always 6 fractional digits (microseconds) and {@code Z}.
 *   <li>HOST, SOURCE: never empty ({@code -} stands for empty) and never contain whitespace or
 *       control characters (each becomes {@code _}), so a line splits on spaces unambiguously.
 *   <li>STREAM: {@code stdout}, {@code stderr} or {@code event}; SEVERITY: the syslog keyword
 *       ({@code err}, {@code warning}, {@code info}, …) or {@code unknown}.
 *   <li>MESSAGE: the message as UTF-8 (malformed bytes become U+FFFD). Line breaks are written
 *       {@code \n} and {@code \r}, and every other control character except tab (C0, DEL, C1) as
 *       {@code \xHH}, so that one record is exactly one line and a message cannot move a terminal's
 *       cursor when the file is {@code tail}ed. Backslashes are written as they are (so a literal
 *       {@code \n} in a message reads the same as an escaped line break): this format is for people
 *       and grep; the JSON format is exact.
 * </ul>
 *
 * <p>Fields are not written in this format. Not thread-safe.
 */
final class TextLineFormat implements LineFormat {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Timestamps timestamps = new Timestamps(6);
    private final StringBuilder scratch = new StringBuilder(256);

    @Override
    public void encode(LogRecord r, LineBuffer out) {
        timestamps.append(r.timestamp(), out);
        out.append(' ');
        token(r.host(), out);
        out.append(' ');
        token(r.source(), out);
        out.append('[');
        out.appendAscii(r.stream().label());
        out.appendAscii("] ");
        out.appendAscii(r.severity().label());
        out.appendAscii(": ");
        message(r.messageBytes(), out);
        out.append('\n');
    }

    private void token(String s, LineBuffer out) {
        if (s.isEmpty()) {
            out.append('-');
            return;
        }
        boolean plain = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                plain = false;
                break;
            }
        }
        if (plain) {
            out.appendAscii(s);
            return;
        }
        scratch.setLength(0);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            scratch.append(
                    Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c) ? '_' : c);
        }
        out.appendUtf8(scratch);
    }

    private void message(byte[] m, LineBuffer out) {
        boolean plain = true;
        for (byte b : m) {
            // Printable ASCII and tab copy through; anything else takes the careful path.
            if ((b < 0x20 && b != '\t') || b >= 0x7f || b < 0) {
                plain = false;
                break;
            }
        }
        if (plain) {
            out.write(m, 0, m.length);
            return;
        }
        String text = new String(m, StandardCharsets.UTF_8);
        scratch.setLength(0);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                scratch.append("\\n");
            } else if (c == '\r') {
                scratch.append("\\r");
            } else if (c != '\t' && Character.isISOControl(c)) {
                scratch.append("\\x").append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            } else {
                scratch.append(c);
            }
        }
        out.appendUtf8(scratch);
    }
}
