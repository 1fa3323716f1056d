package io.spillway.store;

import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The compact binary form of one stored record. The app is not stored: it is the chunk's directory.
 *
 * <pre>
 * record   := timestamp:int64(big-endian) kind:u8 message:bytes host:str source:str
 *             fieldCount:varint (key:str value:str)*
 * kind     := stream ordinal (high nibble) | severity code + 1 (low nibble, 0 = unknown)
 * str      := bytes holding UTF-8
 * bytes    := length:varint octet*
 * varint   := unsigned LEB128, at most 5 octets (values up to 2^31-1)
 * </pre>
 *
 * <p>The message comes right after the fixed 9-byte head so a scan finds it with one varint read and
 * never decodes host, source or fields of a record that does not match. Decoding trusts nothing:
 * every length is checked against the record's bytes, and a malformed record raises {@link
 * IllegalArgumentException}. Stateless and thread-safe.
 */
final class RecordFormat {
    /** Bytes before the message length: timestamp and kind. */
    static final int HEAD = 9;

    private static final LogStream[] STREAMS = LogStream.values();

    /** Stream ordinals a kind byte may carry (the high nibble is below this). */
    static final int STREAM_COUNT = STREAMS.length;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private RecordFormat() {}

    /** Appends {@code r} (with its message replaced by {@code message}) to {@code out}. */
    static void encode(LogRecord r, byte[] message, GrowableBuffer out) {
        out.putLong(r.timestamp());
        out.put((r.stream().ordinal() << 4) | (r.severity().code() + 1));
        out.putBytes(message, 0, message.length);
        out.putString(r.host(), true);
        out.putString(r.source(), false);
        Map<String, String> fields = r.fields();
        out.putVarint(fields.size());
        for (Map.Entry<String, String> e : fields.entrySet()) {
            out.putString(e.getKey());
            out.putString(e.getValue());
        }
    }

    static long timestamp(byte[] b, int off) {
        return (long) LONG_BE.get(b, off);
    }

    /**
     * Where the message of the record at {@code off} starts; its length is {@link #messageLength}.
     * Packs start (low 32 bits) and length (high 32 bits) into one long to avoid an allocation per record.
     */
    static long messageSpan(byte[] b, int off, int end) {
        int p = off + HEAD;
        int len = 0;
        for (int shift = 0; ; shift += 7) {
            if (p >= end || shift > 28) {
                throw new IllegalArgumentException("message length cut short");
            }
            int x = b[p++] & 0xff;
            len |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                break;
            }
        }
        if (len < 0 || len > end - p) {
            throw new IllegalArgumentException("message length " + len + " exceeds the record");
        }
        return ((long) len << 32) | (p & 0xffffffffL);
    }

    static LogRecord decode(byte[] b, int off, int len, String app) {
        Reader in = new Reader(b, off, off + len);
        if (len < HEAD + 1) {
            throw new IllegalArgumentException("record of " + len + " bytes is too short");
        }
        long ts = timestamp(b, off);
        in.pos = off + 8;
        int kind = b[in.pos++] & 0xff;
        int stream = kind >>> 4;
        int sev = kind & 0x0f;
        if (stream >= STREAMS.length || sev > 8) {
            throw new IllegalArgumentException("unknown stream/severity " + kind);
        }
        byte[] message = in.bytes();
        String host = in.string();
        String source = in.string();
        int n = in.varint();
        if (n > (in.end - in.pos) / 2) {
            throw new IllegalArgumentException("field count " + n + " exceeds the bytes left");
        }
        Map<String, String> fields = n == 0 ? Map.of() : new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            fields.put(in.string(), in.string());
        }
        if (in.pos != in.end) {
            throw new IllegalArgumentException((in.end - in.pos) + " bytes left after the record");
        }
        Severity severity = sev == 0 ? Severity.UNKNOWN : Severity.ofCode(sev - 1);
        return new LogRecord(ts, host, app, source, STREAMS[stream], severity, message, fields);
    }

    /** A bounds-checked cursor over one record's bytes. */
    private static final class Reader {
        final byte[] b;
        int pos;
        final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        int varint() {
            int value = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (pos >= end) {
                    throw new IllegalArgumentException("varint cut short");
                }
                int x = b[pos++] & 0xff;
                value |= (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    if (value < 0) {
                        throw new IllegalArgumentException("varint out of range");
                    }
                    return value;
                }
            }
            throw new IllegalArgumentException("varint longer than 5 bytes");
        }

        byte[] bytes() {
            int len = varint();
            if (len > end - pos) {
                throw new IllegalArgumentException("length " + len + " exceeds the " + (end - pos) + " bytes left");
            }
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + len);
            pos += len;
            return out;
        }

        String string() {
            int len = varint();
            if (len > end - pos) {
                throw new IllegalArgumentException("length " + len + " exceeds the " + (end - pos) + " bytes left");
            }
            String s = new String(b, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }
    }
}
