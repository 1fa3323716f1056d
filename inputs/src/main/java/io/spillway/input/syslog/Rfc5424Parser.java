package io.spillway.input.syslog;

import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Parses what follows {@code <PRI>1 } of an RFC 5424 message: TIMESTAMP HOSTNAME APP-NAME PROCID
 * MSGID STRUCTURED-DATA [SP MSG].
 *
 * <ul>
 *   <li>Each header field is {@code -} (nil) or printable US-ASCII within the RFC's length limits
 *       (HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32; APP-NAME is allowed up to
 *       {@link AppNames#MAX_LENGTH} plus the Docker driver's prefix, because container names are longer).
 *   <li>TIMESTAMP is RFC 3339 with up to 9 fraction digits (RFC 5424 allows 6) and {@code Z} or an offset.
 *   <li>STRUCTURED-DATA: {@code -} or one or more {@code [SD-ID *(SP PARAM="VALUE")]}; inside a value
 *       {@code \"}, {@code \\} and {@code \]} are unescaped (§6.3.3), any other backslash is kept.
 *       Each parameter becomes field {@code SD-ID.PARAM}.
 *   <li>A UTF-8 BOM at the start of MSG is removed (§6.4).
 *   <li>The Docker syslog driver's {@code docker/} or {@code dockerd/} prefix of APP-NAME is removed.
 *   <li>Departure from the spec: some senders leave out PROCID and MSGID when they have none; a
 *       {@code [} where PROCID or MSGID should be starts the structured data, the missing fields
 *       being nil.
 * </ul>
 *
 * Returns null when the header is malformed; the caller then keeps the whole frame (see {@link
 * SyslogDecoder}). Never reads outside {@code [pos, end)}. Stateless and thread-safe.
 */
final class Rfc5424Parser {
    static final int MAX_HOSTNAME = 255;
    static final int MAX_PROCID = 128;
    static final int MAX_MSGID = 32;
    /** RFC 5424 §6.3.2: SD-NAME is 1*32 PRINTUSASCII except '=', SP, ']', '"'. */
    static final int MAX_SD_NAME = 32;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    @Nullable
    LogRecord parse(byte[] b, int pos, int end, int pri, String defaultHost, long receivedAtNanos) {
        // TIMESTAMP
        int sp = SyslogDecoder.indexOf(b, (byte) ' ', pos, end);
        if (sp < 0) {
            return null;
        }
        long timestamp;
        if (isNil(b, pos, sp)) {
            timestamp = receivedAtNanos;
        } else {
            timestamp = parseTimestamp(b, pos, sp);
            if (timestamp == Long.MIN_VALUE) {
                return null;
            }
        }
        pos = sp + 1;
        // HOSTNAME
        sp = token(b, pos, end, MAX_HOSTNAME);
        if (sp < 0) {
            return null;
        }
        String host = isNil(b, pos, sp) ? defaultHost : SyslogDecoder.ascii(b, pos, sp);
        pos = sp + 1;
        // APP-NAME
        sp = token(b, pos, end, AppNames.MAX_LENGTH + SyslogDecoder.DOCKERD_PREFIX.length());
        if (sp < 0) {
            return null;
        }
        String app = isNil(b, pos, sp)
                ? AppNames.UNKNOWN
                : AppNames.normalize(SyslogDecoder.stripDockerPrefix(SyslogDecoder.ascii(b, pos, sp)));
        pos = sp + 1;
        // PROCID and MSGID, unless the sender went straight to structured data (see class comment).
        String procid = "";
        String msgid = "";
        if (pos < end && b[pos] != '[') {
            sp = token(b, pos, end, MAX_PROCID);
            if (sp < 0) {
                return null;
            }
            procid = isNil(b, pos, sp) ? "" : SyslogDecoder.ascii(b, pos, sp);
            pos = sp + 1;
            if (pos < end && b[pos] != '[') {
                sp = token(b, pos, end, MAX_MSGID);
                if (sp < 0) {
                    return null;
                }
                msgid = isNil(b, pos, sp) ? "" : SyslogDecoder.ascii(b, pos, sp);
                pos = sp + 1;
            }
        }
        BoundedFields fields = new BoundedFields();
        fields.put("facility", Facility.name(pri >> 3));
        if (!msgid.isEmpty()) {
            fields.put("msgid", msgid);
        }
        // STRUCTURED-DATA
        if (pos >= end) {
            return null;
        }
        if (b[pos] == '-') {
            pos++;
        } else if (b[pos] == '[') {
            pos = parseStructuredData(b, pos, end, fields);
            if (pos < 0) {
                return null;
            }
        } else {
            return null;
        }
        // MSG
        if (pos < end) {
            if (b[pos] != ' ') {
                return null;
            }
            pos++;
        }
        if (end - pos >= 3 && b[pos] == (byte) 0xEF && b[pos + 1] == (byte) 0xBB && b[pos + 2] == (byte) 0xBF) {
            pos += 3;
        }
        return new LogRecord(
                timestamp,
                host,
                app,
                procid,
                LogStream.UNKNOWN, // syslog has no stream: a severity is not stdout or stderr
                Severity.ofCode(pri & 7),
                Arrays.copyOfRange(b, pos, end),
                fields.build());
    }

    /** End (the SP) of a header token of 1 to {@code max} printable bytes starting at pos, or -1. */
    private static int token(byte[] b, int pos, int end, int max) {
        int limit = Math.min(end, pos + max + 1);
        int sp = SyslogDecoder.indexOf(b, (byte) ' ', pos, limit);
        if (sp <= pos || !SyslogDecoder.printable(b, pos, sp)) {
            return -1;
        }
        return sp;
    }

    private static boolean isNil(byte[] b, int from, int to) {
        return to - from == 1 && b[from] == '-';
    }

    /** Parses SD-ELEMENTs from pos (at '['); returns the index after the last ']' or -1. */
    private static int parseStructuredData(byte[] b, int pos, int end, BoundedFields fields) {
        while (pos < end && b[pos] == '[') {
            pos++;
            int idEnd = sdName(b, pos, end);
            if (idEnd < 0) {
                return -1;
            }
            String id = SyslogDecoder.ascii(b, pos, idEnd);
            pos = idEnd;
            while (true) {
                if (pos >= end) {
                    return -1;
                }
                if (b[pos] == ']') {
                    pos++;
                    break;
                }
                if (b[pos] != ' ') {
                    return -1;
                }
                pos++;
                int nameEnd = sdName(b, pos, end);
                if (nameEnd < 0 || nameEnd + 1 >= end || b[nameEnd] != '=' || b[nameEnd + 1] != '"') {
                    return -1;
                }
                String name = SyslogDecoder.ascii(b, pos, nameEnd);
                pos = nameEnd + 2;
                ByteArrayOutputStream value = new ByteArrayOutputStream();
                boolean closed = false;
                while (pos < end) {
                    byte c = b[pos];
                    if (c == '\\' && pos + 1 < end && (b[pos + 1] == '"' || b[pos + 1] == '\\' || b[pos + 1] == ']')) {
                        value.write(b[pos + 1]);
                        pos += 2;
                    } else if (c == '"') {
                        pos++;
                        closed = true;
                        break;
                    } else {
                        value.write(c);
                        pos++;
                    }
                }
                if (!closed) {
                    return -1;
                }
                fields.put(id + "." + name, value.toString(StandardCharsets.UTF_8));
            }
        }
        return pos;
    }

    /** End of an SD-NAME starting at pos, or -1 when empty, too long or holding a forbidden byte. */
    private static int sdName(byte[] b, int pos, int end) {
        int i = pos;
        int limit = Math.min(end, pos + MAX_SD_NAME + 1);
        while (i < limit) {
            byte c = b[i];
            if (c == '=' || c == ' ' || c == ']' || c == '"') {
                break;
            }
            if (c < 33 || c > 126) {
                return -1;
            }
            i++;
        }
        if (i == pos || i - pos > MAX_SD_NAME || i >= end) {
            return -1;
        }
        return i;
    }

    /**
     * RFC 3339 {@code YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|+HH:MM|-HH:MM)} to epoch nanoseconds, or
     * {@link Long#MIN_VALUE} when malformed or outside the years epoch nanos can hold (1678–2261).
     */
    static long parseTimestamp(byte[] b, int from, int to) {
        if (to - from < 20) {
            return Long.MIN_VALUE;
        }
        int p = from;
        int year = digits(b, p, 4);
        int month = sep(b, p + 4, '-') ? digits(b, p + 5, 2) : -1;
        int day = sep(b, p + 7, '-') ? digits(b, p + 8, 2) : -1;
        int hour = (b[p + 10] == 'T' || b[p + 10] == 't') ? digits(b, p + 11, 2) : -1;
        int minute = sep(b, p + 13, ':') ? digits(b, p + 14, 2) : -1;
        int second = sep(b, p + 16, ':') ? digits(b, p + 17, 2) : -1;
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return Long.MIN_VALUE;
        }
        p += 19;
        long fraction = 0;
        if (b[p] == '.') {
            p++;
            int n = 0;
            while (p < to && b[p] >= '0' && b[p] <= '9') {
                if (n == 9) {
                    return Long.MIN_VALUE;
                }
                fraction = fraction * 10 + (b[p] - '0');
                n++;
                p++;
            }
            if (n == 0) {
                return Long.MIN_VALUE;
            }
            for (int i = n; i < 9; i++) {
                fraction *= 10;
            }
        }
        if (p >= to) {
            return Long.MIN_VALUE;
        }
        int offsetSeconds;
        if ((b[p] == 'Z' || b[p] == 'z') && p + 1 == to) {
            offsetSeconds = 0;
        } else if ((b[p] == '+' || b[p] == '-') && p + 6 == to && sep(b, p + 3, ':')) {
            int oh = digits(b, p + 1, 2);
            int om = digits(b, p + 4, 2);
            if (oh < 0 || om < 0 || oh > 23 || om > 59) {
                return Long.MIN_VALUE;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (b[p] == '-' ? -1 : 1);
        } else {
            return Long.MIN_VALUE;
        }
        try {
            long epochSecond = LocalDateTime.of(year, month, day, hour, minute, second)
                    .toEpochSecond(ZoneOffset.ofTotalSeconds(offsetSeconds));
            return Math.addExact(Math.multiplyExact(epochSecond, NANOS_PER_SECOND), fraction);
        } catch (DateTimeException | ArithmeticException e) {
            return Long.MIN_VALUE;
        }
    }

    private static boolean sep(byte[] b, int i, char c) {
        return b[i] == c;
    }

    /** The value of {@code n} ASCII digits at {@code i}, or -1. The caller guarantees the bytes exist. */
    static int digits(byte[] b, int i, int n) {
        int v = 0;
        for (int k = 0; k < n; k++) {
            byte c = b[i + k];
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
