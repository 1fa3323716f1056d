package io.spillway.input.syslog;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns one syslog frame (a TCP frame from {@link SyslogFrameDecoder} or a UDP datagram) into a
 * {@link LogRecord}, whatever the bytes.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li>PRI is parsed here; {@code <PRI>1 } selects {@link Rfc5424Parser}, anything else after a valid
 *       PRI goes to {@link Rfc3164Parser}.
 *   <li>Trailing LF, CR and NUL are trimmed first: some senders end UDP datagrams and octet-counted
 *       frames with a newline.
 *   <li>Malformed input is never lost: when there is no PRI, the PRI is bad, or the RFC 5424 header or
 *       structured data does not parse, the whole frame becomes the message of a record of app
 *       {@code unknown}, host = the default host, time = the receive time, severity from the PRI when
 *       it was valid (else UNKNOWN), and field {@value #PARSE_ERROR_FIELD} naming what was wrong
 *       ({@code no_pri}, {@code bad_pri}, {@code bad_header}, {@code empty}). The server counts such
 *       records as {@code parse_error}; see {@link #isParseError}.
 * </ul>
 *
 * <h2>Invariants</h2>
 *
 * Never throws on any content, never reads outside {@code [offset, offset + length)}, and every record
 * has at most {@value #MAX_FIELDS} fields of at most {@value #MAX_FIELD_VALUE} characters each. The
 * message bytes are a fresh copy, owned by the record.
 *
 * <p>Thread-safe and stateless apart from the clock (used by RFC 3164 year inference); one instance
 * serves every connection.
 */
public final class SyslogDecoder {
    /** Field set on records whose frame did not parse; its value names the problem. */
    public static final String PARSE_ERROR_FIELD = "parse_error";

    /** Most fields a syslog record carries (facility, msgid and flattened structured data). */
    public static final int MAX_FIELDS = 64;

    /** Longest field value kept, in characters; longer values are cut. */
    public static final int MAX_FIELD_VALUE = 1024;

    /** RFC 5424 §6.2.1: PRIVAL is at most 191 (facility 23, severity 7) and has 1 to 3 digits. */
    static final int MAX_PRI = 191;

    private final Rfc5424Parser rfc5424 = new Rfc5424Parser();
    private final Rfc3164Parser rfc3164;

    /** A decoder reading RFC 3164 timestamps (which carry no zone) as UTC. */
    public SyslogDecoder(InstantSource clock) {
        this(clock, ZoneOffset.UTC);
    }

    /**
     * @param clock the current time, for the year of RFC 3164 timestamps
     * @param bsdZone the zone RFC 3164 timestamps are read in
     */
    public SyslogDecoder(InstantSource clock, ZoneId bsdZone) {
        this.rfc3164 = new Rfc3164Parser(clock, bsdZone);
    }

    /**
     * Decodes the readable bytes of {@code frame} without moving its indexes; the caller keeps
     * ownership of (and releases) the buffer.
     */
    public LogRecord decode(ByteBuf frame, String defaultHost, long receivedAtNanos) {
        byte[] bytes = ByteBufUtil.getBytes(frame, frame.readerIndex(), frame.readableBytes(), false);
        return decode(bytes, 0, bytes.length, defaultHost, receivedAtNanos);
    }

    public LogRecord decode(byte[] frame, String defaultHost, long receivedAtNanos) {
        return decode(frame, 0, frame.length, defaultHost, receivedAtNanos);
    }

    /**
     * Decodes {@code frame[offset, offset + length)}.
     *
     * @param defaultHost the host of records whose message names none (the configured host or the peer address)
     * @param receivedAtNanos epoch nanoseconds when the frame arrived, the timestamp of messages without one
     */
    public LogRecord decode(byte[] frame, int offset, int length, String defaultHost, long receivedAtNanos) {
        Objects.checkFromIndexSize(offset, length, frame.length);
        int end = offset + length;
        while (end > offset && isTrailing(frame[end - 1])) {
            end--;
        }
        if (end == offset) {
            return raw(frame, offset, end, -1, defaultHost, receivedAtNanos, "empty");
        }
        if (frame[offset] != '<') {
            // RFC 3164 §4.3.3 lets a relay wrap such a line; we keep it whole and flag it instead.
            return raw(frame, offset, end, -1, defaultHost, receivedAtNanos, "no_pri");
        }
        int pri = 0;
        int pos = offset + 1;
        int digits = 0;
        while (pos < end && digits <= 3 && frame[pos] >= '0' && frame[pos] <= '9') {
            pri = pri * 10 + (frame[pos] - '0');
            pos++;
            digits++;
        }
        if (digits == 0 || digits > 3 || pos >= end || frame[pos] != '>' || pri > MAX_PRI) {
            return raw(frame, offset, end, -1, defaultHost, receivedAtNanos, "bad_pri");
        }
        pos++;
        try {
            LogRecord record;
            if (end - pos >= 2 && frame[pos] == '1' && frame[pos + 1] == ' ') {
                record = rfc5424.parse(frame, pos + 2, end, pri, defaultHost, receivedAtNanos);
            } else {
                record = rfc3164.parse(frame, pos, end, pri, defaultHost, receivedAtNanos);
            }
            if (record != null) {
                return record;
            }
            return raw(frame, offset, end, pri, defaultHost, receivedAtNanos, "bad_header");
        } catch (RuntimeException e) {
            // Belt and braces: the parsers are written not to throw (and fuzzed); should one ever
            // do, the frame is still kept rather than the connection lost.
            return raw(frame, offset, end, pri, defaultHost, receivedAtNanos, "bad_header");
        }
    }

    /** True when {@code record} came from a frame that did not parse (see the class comment). */
    public static boolean isParseError(LogRecord record) {
        return record.fields().containsKey(PARSE_ERROR_FIELD);
    }

    private static boolean isTrailing(byte b) {
        return b == '\n' || b == '\r' || b == 0;
    }

    private static LogRecord raw(
            byte[] frame, int from, int to, int pri, String defaultHost, long receivedAtNanos, String error) {
        BoundedFields fields = new BoundedFields();
        fields.put(PARSE_ERROR_FIELD, error);
        if (pri >= 0) {
            fields.put("facility", Facility.name(pri >> 3));
        }
        return new LogRecord(
                receivedAtNanos,
                defaultHost,
                AppNames.UNKNOWN,
                "",
                LogStream.UNKNOWN, // syslog has no stream: a severity is not stdout or stderr
                pri >= 0 ? Severity.ofCode(pri & 7) : Severity.UNKNOWN,
                Arrays.copyOfRange(frame, from, to),
                fields.build());
    }

    /** Header tokens are PRINTUSASCII (RFC 5424 §6): anything else makes the header malformed. */
    /**
     * The Docker syslog driver prefixes the tag with its own program name ({@code docker/} before
     * Docker 17, {@code dockerd/} since), in RFC 3164 TAG and RFC 5424 APP-NAME alike; the app is what follows.
     */
    static String stripDockerPrefix(String tag) {
        for (String prefix : new String[] {DOCKERD_PREFIX, DOCKER_PREFIX}) {
            if (tag.startsWith(prefix) && tag.length() > prefix.length()) {
                return tag.substring(prefix.length());
            }
        }
        return tag;
    }

    static final String DOCKER_PREFIX = "docker/";
    static final String DOCKERD_PREFIX = "dockerd/";

    static boolean printable(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < 33 || b[i] > 126) {
                return false;
            }
        }
        return true;
    }

    static String ascii(byte[] b, int from, int to) {
        return new String(b, from, to - from, java.nio.charset.StandardCharsets.US_ASCII);
    }

    static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
