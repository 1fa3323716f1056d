package io.spillway.input.http;

import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decodes {@code application/logplex-1} bodies, as Heroku-style log drains POST them: RFC 6587
 * octet-counted frames ({@code LEN SP MSG}), each an RFC 5424 message whose STRUCTURED-DATA field is
 * left out ({@code <190>1 2026-11-25T10:00:00+00:00 host app web.1 - State changed}). Logplex omits
 * the field, so every frame gets a nil SD after its MSGID before it is handed to the syslog decoder:
 * the message is everything after the MSGID, whatever its first character.
 *
 * <p>Bounds: the declared length is checked against {@code maxRecord} before anything is copied
 * (too large frames are skipped, their bytes stepped over); a length that is not a number, or runs
 * past the body, ends decoding as malformed, because octet counting cannot resynchronise. At most
 * {@code maxRecords} frames. Thread-safe.
 */
public final class LogplexDecoder {
    private static final int MAX_LENGTH_DIGITS = 10;

    private final SyslogDecoder syslog;
    private final int maxRecord;
    private final int maxRecords;

    public LogplexDecoder(SyslogDecoder syslog, int maxRecord, int maxRecords) {
        this.syslog = syslog;
        this.maxRecord = maxRecord;
        this.maxRecords = maxRecords;
    }

    public DecodeResult decode(byte[] body, @Nullable String defaultApp, String defaultHost, long receivedAtNanos) {
        List<LogRecord> out = new ArrayList<>();
        int malformed = 0;
        int tooLarge = 0;
        String firstError = "";
        int i = 0;
        while (i < body.length) {
            while (i < body.length && (body[i] == '\n' || body[i] == '\r' || body[i] == ' ')) {
                i++;
            }
            if (i >= body.length) {
                break;
            }
            long len = 0;
            int digits = 0;
            while (i < body.length && body[i] >= '0' && body[i] <= '9' && digits <= MAX_LENGTH_DIGITS) {
                len = len * 10 + (body[i] - '0');
                i++;
                digits++;
            }
            if (digits == 0 || digits > MAX_LENGTH_DIGITS || i >= body.length || body[i] != ' ') {
                malformed++;
                if (firstError.isEmpty()) {
                    firstError = "byte " + i + ": expected an octet count and a space (logplex-1 framing)";
                }
                break;
            }
            i++;
            if (len > body.length - i) {
                malformed++;
                if (firstError.isEmpty()) {
                    firstError = "frame of " + len + " bytes runs past the end of the body";
                }
                break;
            }
            if (out.size() >= maxRecords) {
                return new DecodeResult(out, malformed, tooLarge, firstError, true);
            }
            if (len > maxRecord) {
                tooLarge++;
                if (firstError.isEmpty()) {
                    firstError = "frame of " + len + " bytes exceeds max_record " + maxRecord;
                }
            } else {
                byte[] frame = withNilStructuredData(body, i, (int) len);
                LogRecord r = syslog.decode(frame, 0, frame.length, defaultHost, receivedAtNanos);
                if (SyslogDecoder.isParseError(r)) {
                    malformed++;
                    if (firstError.isEmpty()) {
                        firstError = "frame at byte " + i + " is not an RFC 5424 message";
                    }
                }
                out.add(defaultApp == null ? r : r.withApp(AppNames.normalize(defaultApp)));
            }
            i += (int) len;
        }
        return new DecodeResult(out, malformed, tooLarge, firstError, false);
    }

    /**
     * Returns the frame with {@code "- "} inserted after the MSGID, where logplex leaves out the
     * STRUCTURED-DATA field. Always: in logplex-1 everything after the MSGID is the message, so a
     * message that starts with {@code [} ({@code [INFO] Started GET "/"}) or with {@code - } is text,
     * not structured data, and must reach the syslog decoder as text (Heroku's drains never send SD).
     */
    static byte[] withNilStructuredData(byte[] b, int off, int len) {
        int end = off + len;
        int p = off;
        for (int token = 0; token < 6; token++) {
            while (p < end && b[p] != ' ') {
                p++;
            }
            if (p >= end) {
                return java.util.Arrays.copyOfRange(b, off, end);
            }
            p++;
        }
        byte[] out = new byte[len + 2];
        int head = p - off;
        System.arraycopy(b, off, out, 0, head);
        out[head] = '-';
        out[head + 1] = ' ';
        System.arraycopy(b, p, out, head + 2, end - p);
        return out;
    }
}
