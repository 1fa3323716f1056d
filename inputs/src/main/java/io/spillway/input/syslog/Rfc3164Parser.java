package io.spillway.input.syslog;

import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;

/**
 * Parses what follows {@code <PRI>} of a BSD syslog message (RFC 3164 §4.1):
 * {@code Mmm dd hh:mm:ss HOSTNAME TAG[pid]: MSG}.
 *
 * <ul>
 *   <li>TIMESTAMP: the day is space-padded ({@code Jul  9}); a leading zero is accepted too. It has no
 *       year and no zone: it is read in the configured zone, in the current year of the injected clock,
 *       or the previous year when that would put it more than a day in the future (a December line
 *       read in January). Without a valid TIMESTAMP, the time is the receive time and HOSTNAME is not
 *       expected (local senders such as {@code logger} to {@code /dev/log} write {@code <13>tag: msg}).
 *   <li>HOSTNAME: the token after the timestamp, unless it ends with {@code :} or holds {@code [} —
 *       then it is the TAG of a sender that left HOSTNAME out, and the host is the default host.
 *   <li>Also accepted in place of the BSD timestamp: an RFC 3339 timestamp, as written by Go's
 *       {@code log/syslog} and by the Docker syslog driver's default format.
 *   <li>TAG: up to {@link AppNames#MAX_LENGTH} bytes other than SP, {@code [} and {@code :}, followed
 *       by an optional {@code [pid]} and a {@code :}. The Docker syslog driver writes
 *       {@code docker/NAME[pid]} ({@code dockerd/NAME} since Docker 17): that prefix is removed, so the
 *       app is NAME. Content that starts with no such tag is all message, of app {@code unknown}.
 * </ul>
 *
 * Never fails: after a valid PRI everything is some message. Never reads outside {@code [pos, end)}.
 * Thread-safe.
 */
final class Rfc3164Parser {
    private static final String[] MONTHS = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };
    /** "Mmm dd hh:mm:ss" (RFC 3164 §4.1.2). */
    static final int TIMESTAMP_LENGTH = 15;

    static final int MAX_PID = 32;
    /** "2015-07-29T03:00:00.123456789+00:00". */
    static final int MAX_RFC3339_LENGTH = 35;

    private static final Duration FUTURE_TOLERANCE = Duration.ofDays(1);

    private final InstantSource clock;
    private final ZoneId zone;

    Rfc3164Parser(InstantSource clock, ZoneId zone) {
        this.clock = clock;
        this.zone = zone;
    }

    LogRecord parse(byte[] b, int pos, int end, int pri, String defaultHost, long receivedAtNanos) {
        long timestamp = receivedAtNanos;
        String host = defaultHost;
        int timestampEnd = -1;
        long parsed = end - pos >= TIMESTAMP_LENGTH ? parseTimestamp(b, pos) : Long.MIN_VALUE;
        if (parsed != Long.MIN_VALUE && (pos + TIMESTAMP_LENGTH == end || b[pos + TIMESTAMP_LENGTH] == ' ')) {
            timestampEnd = pos + TIMESTAMP_LENGTH;
        } else if (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            // Go's log/syslog and srslog "default" format (the Docker syslog driver's default):
            // <PRI>RFC3339-TIMESTAMP HOST TAG[PID]: MSG.
            int sp = SyslogDecoder.indexOf(b, (byte) ' ', pos, Math.min(end, pos + MAX_RFC3339_LENGTH + 1));
            int tokenEnd = sp < 0 && end - pos <= MAX_RFC3339_LENGTH ? end : sp;
            if (tokenEnd > pos) {
                parsed = Rfc5424Parser.parseTimestamp(b, pos, tokenEnd);
                if (parsed != Long.MIN_VALUE) {
                    timestampEnd = tokenEnd;
                }
            }
        }
        if (timestampEnd >= 0) {
            timestamp = parsed;
            pos = Math.min(end, timestampEnd + 1);
            int sp = SyslogDecoder.indexOf(b, (byte) ' ', pos, Math.min(end, pos + Rfc5424Parser.MAX_HOSTNAME + 1));
            if (sp > pos
                    && b[sp - 1] != ':'
                    && SyslogDecoder.indexOf(b, (byte) '[', pos, sp) < 0
                    && SyslogDecoder.printable(b, pos, sp)) {
                host = SyslogDecoder.ascii(b, pos, sp);
                pos = sp + 1;
            }
        }
        String app = AppNames.UNKNOWN;
        String pid = "";
        int tagEnd = pos;
        int limit = Math.min(end, pos + AppNames.MAX_LENGTH + SyslogDecoder.DOCKERD_PREFIX.length());
        while (tagEnd < limit && b[tagEnd] != ' ' && b[tagEnd] != '[' && b[tagEnd] != ':' && b[tagEnd] > 32) {
            tagEnd++;
        }
        int after = -1;
        if (tagEnd > pos && tagEnd < end) {
            int i = tagEnd;
            String maybePid = "";
            if (b[i] == '[') {
                int close = SyslogDecoder.indexOf(b, (byte) ']', i + 1, Math.min(end, i + 2 + MAX_PID));
                if (close > i + 1 && SyslogDecoder.printable(b, i + 1, close)) {
                    maybePid = SyslogDecoder.ascii(b, i + 1, close);
                    i = close + 1;
                    if (i < end && b[i] == ':') {
                        i++;
                    }
                    after = i;
                }
            } else if (b[i] == ':') {
                after = i + 1;
            }
            if (after >= 0) {
                String tag = new String(b, pos, tagEnd - pos, java.nio.charset.StandardCharsets.UTF_8);
                app = AppNames.normalize(SyslogDecoder.stripDockerPrefix(tag));
                pid = maybePid;
                pos = after;
                if (pos < end && b[pos] == ' ') {
                    pos++;
                }
            }
        }
        BoundedFields fields = new BoundedFields();
        fields.put("facility", Facility.name(pri >> 3));
        return new LogRecord(
                timestamp,
                host,
                app,
                pid,
                LogStream.UNKNOWN, // syslog has no stream: a severity is not stdout or stderr
                Severity.ofCode(pri & 7),
                Arrays.copyOfRange(b, pos, end),
                fields.build());
    }

    /** Epoch nanos of "Mmm dd hh:mm:ss" at {@code pos} (15 bytes exist), or {@link Long#MIN_VALUE}. */
    long parseTimestamp(byte[] b, int pos) {
        int month = -1;
        for (int m = 0; m < MONTHS.length; m++) {
            String name = MONTHS[m];
            if (b[pos] == name.charAt(0) && b[pos + 1] == name.charAt(1) && b[pos + 2] == name.charAt(2)) {
                month = m + 1;
                break;
            }
        }
        if (month < 0 || b[pos + 3] != ' ' || b[pos + 6] != ' ' || b[pos + 9] != ':' || b[pos + 12] != ':') {
            return Long.MIN_VALUE;
        }
        int day;
        if (b[pos + 4] == ' ') {
            day = Rfc5424Parser.digits(b, pos + 5, 1);
        } else {
            day = Rfc5424Parser.digits(b, pos + 4, 2);
        }
        int hour = Rfc5424Parser.digits(b, pos + 7, 2);
        int minute = Rfc5424Parser.digits(b, pos + 10, 2);
        int second = Rfc5424Parser.digits(b, pos + 13, 2);
        if (day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return Long.MIN_VALUE;
        }
        Instant now = clock.instant();
        int year = LocalDate.ofInstant(now, zone).getYear();
        Instant latest = now.plus(FUTURE_TOLERANCE);
        // Walk back from this year: past "now + 1 day" means last year's line; Feb 29 needs a leap year.
        for (int y = year; y >= year - 8; y--) {
            Instant candidate;
            try {
                candidate = LocalDateTime.of(y, month, day, hour, minute, second)
                        .atZone(zone)
                        .toInstant();
            } catch (DateTimeException e) {
                continue;
            }
            if (!candidate.isAfter(latest)) {
                return candidate.getEpochSecond() * 1_000_000_000L + candidate.getNano();
            }
        }
        return Long.MIN_VALUE;
    }
}
