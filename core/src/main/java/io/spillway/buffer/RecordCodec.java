package io.spillway.buffer;

import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The compact binary form of a {@link LogRecord} in spill segments (and in the forward input's journal
 * of partial messages). Every field is kept:
 *
 * <pre>
 * record   := timestamp:int64(big-endian) stream:u8 severity:u8 host:str app:str source:str
 *             message:bytes fieldCount:varint (key:str value:str)*
 * str      := bytes holding UTF-8
 * bytes    := length:varint octet*
 * varint   := unsigned LEB128, at most 5 octets (values up to 2^31-1)
 * stream   := LogStream ordinal (0 stdout, 1 stderr, 2 event, 3 unknown)
 * severity := syslog code + 1 (0 = unknown)
 * </pre>
 *
 * <p>Decoding trusts nothing: every length is checked against the bytes left, and a malformed record
 * raises {@link IllegalArgumentException} (segments are CRC-checked first, so this means a bug or a
 * deliberately forged file). Stateless and thread-safe.
 */
public final class RecordCodec {
    private static final LogStream[] STREAMS = LogStream.values();

    private RecordCodec() {}

    /** Encodes {@code r} into a new array. */
    public static byte[] encode(LogRecord r) {
        byte[] host = utf8(r.host());
        byte[] app = utf8(r.app());
        byte[] source = utf8(r.source());
        byte[] message = r.messageBytes();
        Map<String, String> fields = r.fields();
        byte[][] fieldBytes = new byte[fields.size() * 2][];
        int size = 8 + 1 + 1;
        size += varintSize(host.length) + host.length;
        size += varintSize(app.length) + app.length;
        size += varintSize(source.length) + source.length;
        size += varintSize(message.length) + message.length;
        size += varintSize(fields.size());
        int i = 0;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            byte[] k = utf8(e.getKey());
            byte[] v = utf8(e.getValue());
            fieldBytes[i++] = k;
            fieldBytes[i++] = v;
            size += varintSize(k.length) + k.length + varintSize(v.length) + v.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putLong(r.timestamp());
        out.put((byte) r.stream().ordinal());
        out.put((byte) (r.severity().code() + 1));
        putBytes(out, host);
        putBytes(out, app);
        putBytes(out, source);
        putBytes(out, message);
        putVarint(out, fields.size());
        for (byte[] b : fieldBytes) {
            putBytes(out, b);
        }
        return out.array();
    }

    /** Decodes exactly the remaining bytes of {@code in} as one record. */
    public static LogRecord decode(ByteBuffer in) {
        if (in.remaining() < 10) {
            throw new IllegalArgumentException("record of " + in.remaining() + " bytes is shorter than 10");
        }
        long timestamp = in.getLong();
        int stream = in.get() & 0xff;
        if (stream >= STREAMS.length) {
            throw new IllegalArgumentException("unknown stream " + stream);
        }
        int severity = in.get() & 0xff;
        if (severity > 8) {
            throw new IllegalArgumentException("unknown severity " + severity);
        }
        String host = getString(in);
        String app = getString(in);
        String source = getString(in);
        byte[] message = getBytes(in);
        int n = getVarint(in);
        // Each field takes at least two bytes, so a forged count cannot make us allocate much.
        if (n > in.remaining() / 2) {
            throw new IllegalArgumentException("field count " + n + " exceeds the bytes left");
        }
        Map<String, String> fields = n == 0 ? Map.of() : new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            fields.put(getString(in), getString(in));
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes left after the record");
        }
        Severity sev = severity == 0 ? Severity.UNKNOWN : Severity.ofCode(severity - 1);
        return new LogRecord(timestamp, host, app, source, STREAMS[stream], sev, message, fields);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        putVarint(out, b.length);
        out.put(b);
    }

    static int varintSize(int v) {
        int n = 1;
        while ((v & ~0x7f) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static void putVarint(ByteBuffer out, int v) {
        while ((v & ~0x7f) != 0) {
            out.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    /** Reads a varint of at most 5 bytes holding a value in [0, 2^31). */
    static int getVarint(ByteBuffer in) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("varint cut short");
            }
            int b = in.get() & 0xff;
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0 || (shift == 28 && b > 0x07)) {
                    throw new IllegalArgumentException("varint out of range");
                }
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 5 bytes");
    }

    private static byte[] getBytes(ByteBuffer in) {
        int len = getVarint(in);
        if (len > in.remaining()) {
            throw new IllegalArgumentException("length " + len + " exceeds the " + in.remaining() + " bytes left");
        }
        byte[] b = new byte[len];
        in.get(b);
        return b;
    }

    private static String getString(ByteBuffer in) {
        int len = getVarint(in);
        if (len > in.remaining()) {
            throw new IllegalArgumentException("length " + len + " exceeds the " + in.remaining() + " bytes left");
        }
        String s = new String(in.array(), in.arrayOffset() + in.position(), len, StandardCharsets.UTF_8);
        in.position(in.position() + len);
        return s;
    }
}
