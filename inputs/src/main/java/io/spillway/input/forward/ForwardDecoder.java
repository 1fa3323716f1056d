package io.spillway.input.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.spillway.config.DataSize;
import io.spillway.input.netty.DecodeError;
import io.spillway.pipeline.InflightMemory;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ExtensionValue;
import org.msgpack.value.ImmutableValue;
import org.msgpack.value.MapValue;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;
import org.msgpack.value.ValueType;

/**
 * Turns one complete forward frame (a msgpack array, its end found by {@link MsgpackWalker}) into
 * records: Message mode {@code [tag, time, record, option?]}, Forward mode {@code [tag, [[time,
 * record], …], option?]}, PackedForward {@code [tag, bin|str of concatenated [time, record], option?]}
 * and CompressedPackedForward (the same with {@code option.compressed == "gzip"}, possibly several
 * concatenated gzip members), or a handshake {@code PING}. A time is integer or float seconds, or an
 * EventTime (ext type 0); anywhere a time stands it may also be {@code [time, {metadata}]}, the form
 * Fluent Bit 2.1+ sends by default, whose metadata entries become {@code metadata.*} fields.
 *
 * <h2>Bounds</h2>
 *
 * Each entry is measured before it is decoded: one longer than {@code max_entry} is skipped and
 * reported ({@code too_large}). Compressed entries are inflated into at most {@code max_decompressed}
 * bytes; a chunk that inflates further is refused as a whole ({@code too_large}) without inflating the
 * rest; the inflated bytes are reserved in the process-wide {@code limits.inflight_memory} as they grow,
 * and a chunk the budget cannot hold is refused ({@code inflight_memory}). Records leave in batches of at most {@value #BATCH} through {@link Events#batch}, so a frame of
 * millions of tiny entries never materialises as millions of records at once. A record keeps at most
 * {@value #MAX_FIELDS} fields of at most {@value #MAX_FIELD_VALUE} characters.
 *
 * <h2>Errors</h2>
 *
 * A broken entry (not {@code [time, map]}, too large) is skipped and reported to {@link Events#error};
 * a broken frame (not an array, no tag, a packed stream cut short, bad gzip) fails with {@link
 * ForwardException}, after the records decoded before the fault were handed on. Nothing else is thrown:
 * msgpack's own exceptions become {@code malformed}.
 *
 * <p>Immutable and thread-safe; {@link #decode} keeps its state on the stack.
 */
final class ForwardDecoder {
    static final int BATCH = 1024;
    static final int MAX_FIELDS = 32;
    static final int MAX_FIELD_VALUE = 1024;
    static final int MAX_FIELD_KEY = 128;
    static final String FIELDS_TRUNCATED = "fields_truncated";

    /** EventTime: msgpack ext type 0, 8 bytes (seconds, nanoseconds; big-endian uint32 each), per spec. */
    static final byte EVENT_TIME_TYPE = 0;

    private static final long MAX_SECONDS = Long.MAX_VALUE / 1_000_000_000L;

    /** A budget no decoding fills, for decoders that are not part of a node (tests, fuzzing). */
    private static final InflightMemory UNBOUNDED = InflightMemory.standalone(DataSize.ofBytes(Long.MAX_VALUE));

    private final int maxEntry;
    private final int maxDecompressed;
    private final AppTemplate app;
    private final InflightMemory inflight;

    /**
     * @param inflight the process-wide budget inflated chunks are reserved in ({@code limits.inflight_memory})
     */
    ForwardDecoder(int maxEntry, int maxDecompressed, AppTemplate app, InflightMemory inflight) {
        this.maxEntry = maxEntry;
        this.maxDecompressed = maxDecompressed;
        this.app = app;
        this.inflight = inflight;
    }

    /** Without a process-wide budget: only {@code max_decompressed} bounds inflation. */
    ForwardDecoder(int maxEntry, int maxDecompressed, AppTemplate app) {
        this(maxEntry, maxDecompressed, app, UNBOUNDED);
    }

    ForwardDecoder(ForwardConfig config, InflightMemory inflight) {
        this(config.maxEntryBytes(), config.maxDecompressedBytes(), AppTemplate.parse(config.app()), inflight);
    }

    ForwardDecoder(ForwardConfig config) {
        this(config, UNBOUNDED);
    }

    /** Receives what a frame holds. Called on the decoding thread, in order. */
    interface Events {
        /** At most {@value #BATCH} records, in the frame's order. The list is not reused. */
        void batch(List<LogRecord> records);

        /** An entry was skipped. */
        void error(String kind, String detail);
    }

    /** What a frame was. */
    sealed interface Frame permits Ping, Decoded {}

    /**
     * The handshake's {@code ["PING", self_hostname, shared_key_salt, sha512_hex(salt + hostname + nonce
     * + key), username, password_digest]}.
     */
    record Ping(String hostname, byte[] salt, String digest, String username, String passwordDigest) implements Frame {}

    /**
     * An event frame whose records went to {@link Events#batch}.
     *
     * @param tag the fluent tag
     * @param chunk {@code option.chunk} to acknowledge, or null when the sender wants no ack
     * @param records records handed on
     * @param entries entries the frame held (records plus skipped)
     */
    record Decoded(String tag, @Nullable Value chunk, int records, int entries) implements Frame {}

    /**
     * Decodes one frame.
     *
     * @param frame one complete msgpack object
     * @param host the sender's address, the records' host unless a record names its own
     * @param receivedNanos the receive time, for events without a usable time
     */
    Frame decode(byte[] frame, String host, long receivedNanos, Events out) throws ForwardException {
        Batcher batcher = new Batcher(out);
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(frame)) {
            return decode(u, frame, host, receivedNanos, batcher);
        } catch (IOException | MessagePackException | ArithmeticException | DateTimeException e) {
            // msgpack-core turns a timestamp ext (type -1) into an Instant and throws DateTimeException
            // for seconds outside its range (found by HandshakeFuzzTest).
            batcher.flush();
            throw new ForwardException(DecodeError.MALFORMED, "not a forward frame: " + e.getMessage());
        } catch (ForwardException e) {
            batcher.flush();
            throw e;
        }
    }

    private Frame decode(MessageUnpacker u, byte[] frame, String host, long now, Batcher batcher)
            throws IOException, ForwardException {
        if (u.getNextFormat().getValueType() != ValueType.ARRAY) {
            throw new ForwardException(
                    DecodeError.MALFORMED,
                    "a forward frame is an array, got " + u.getNextFormat().getValueType());
        }
        int n = u.unpackArrayHeader();
        if (n < 2 || u.getNextFormat().getValueType() != ValueType.STRING) {
            throw new ForwardException(DecodeError.MALFORMED, "a forward frame is [tag, …] with a string tag");
        }
        String tag = u.unpackString();
        if (tag.equals("PING") && n == 6) {
            return ping(u);
        }
        if (n > 4) {
            throw new ForwardException(DecodeError.MALFORMED, "a forward frame has 2 to 4 elements, got " + n);
        }
        ValueType second = u.getNextFormat().getValueType();
        switch (second) {
            case ARRAY -> {
                int count = u.unpackArrayHeader();
                if (count == 2 && n >= 3 && isTime(u.getNextFormat().getValueType())) {
                    // Message mode with a metadata time, as Fluent Bit sends it:
                    // [tag, [time, {metadata}], record, option?]. Forward mode's array holds entries
                    // (arrays), never a time first, so the two cannot be confused.
                    Value time = ValueFactory.newArray(u.unpackValue(), u.unpackValue());
                    return message(u, frame, n, time, tag, host, now, batcher);
                }
                for (int i = 0; i < count; i++) {
                    int start = (int) u.getTotalReadBytes();
                    int len = measure(frame, start, frame.length - start);
                    if (len > maxEntry) {
                        u.skipValue();
                        batcher.skipped(
                                DecodeError.TOO_LARGE,
                                "entry of " + len + " bytes exceeds max_entry (" + maxEntry + ")");
                        continue;
                    }
                    entry(u.unpackValue(), tag, host, now, batcher);
                }
                Value option = n >= 3 ? u.unpackValue() : null;
                return batcher.done(tag, chunk(option));
            }
            case STRING, BINARY -> {
                int len = second == ValueType.STRING ? u.unpackRawStringHeader() : u.unpackBinaryHeader();
                byte[] packed = u.readPayload(len);
                Value option = n >= 3 ? u.unpackValue() : null;
                if (option != null && option.isMapValue() && isGzip(option.asMapValue())) {
                    // The inflated bytes stay reserved until their entries are decoded.
                    try (InflightMemory.Lease lease = inflight.lease("forward")) {
                        packed(gunzip(packed, lease), tag, host, now, batcher);
                    }
                } else {
                    packed(packed, tag, host, now, batcher);
                }
                return batcher.done(tag, chunk(option));
            }
            case INTEGER, FLOAT, EXTENSION -> {
                if (n < 3) {
                    throw new ForwardException(
                            DecodeError.MALFORMED, "a Message mode frame is [tag, time, record, option?]");
                }
                return message(u, frame, n, u.unpackValue(), tag, host, now, batcher);
            }
            default ->
                throw new ForwardException(
                        DecodeError.MALFORMED,
                        "the second element of a forward frame is a time, an array or a bin, got " + second);
        }
    }

    /** Message mode after its time: {@code record, option?}. */
    private Frame message(
            MessageUnpacker u, byte[] frame, int n, Value time, String tag, String host, long now, Batcher batcher)
            throws IOException, ForwardException {
        int start = (int) u.getTotalReadBytes();
        int len = measure(frame, start, frame.length - start);
        if (len > maxEntry) {
            u.skipValue();
            batcher.skipped(DecodeError.TOO_LARGE, "record of " + len + " bytes exceeds max_entry (" + maxEntry + ")");
        } else {
            event(time, u.unpackValue(), tag, host, now, batcher);
        }
        Value option = n == 4 ? u.unpackValue() : null;
        return batcher.done(tag, chunk(option));
    }

    private static boolean isTime(ValueType t) {
        return t == ValueType.INTEGER || t == ValueType.FLOAT || t == ValueType.EXTENSION;
    }

    private static Ping ping(MessageUnpacker u) throws IOException {
        ImmutableValue hostname = u.unpackValue();
        ImmutableValue salt = u.unpackValue();
        ImmutableValue digest = u.unpackValue();
        ImmutableValue user = u.unpackValue();
        ImmutableValue password = u.unpackValue();
        return new Ping(text(hostname), bytes(salt), text(digest), text(user), text(password));
    }

    /** PackedForward: entries back to back; each is measured against what is left, then decoded. */
    private void packed(byte[] packed, String tag, String host, long now, Batcher batcher)
            throws IOException, ForwardException {
        int offset = 0;
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(packed)) {
            while (offset < packed.length) {
                int len = measure(packed, offset, packed.length - offset);
                if (len > maxEntry) {
                    u.skipValue();
                    batcher.skipped(
                            DecodeError.TOO_LARGE, "entry of " + len + " bytes exceeds max_entry (" + maxEntry + ")");
                } else {
                    entry(u.unpackValue(), tag, host, now, batcher);
                }
                offset += len;
            }
        }
    }

    /** The length of the object at {@code data[offset..]}; the stream is broken when it does not fit. */
    private static int measure(byte[] data, int offset, int left) throws ForwardException {
        ByteBuf view = Unpooled.wrappedBuffer(data, offset, left);
        try {
            return MsgpackWalker.length(view, left, "the frame");
        } catch (ForwardException e) {
            if (e.error() == DecodeError.FRAME_TOO_LARGE) {
                // The limit was what is left: the object announces more bytes than the frame holds.
                throw new ForwardException(
                        DecodeError.MALFORMED, "an entry runs past the end of its frame: " + e.getMessage());
            }
            throw e;
        }
    }

    private void entry(Value entry, String tag, String host, long now, Batcher batcher) {
        if (!entry.isArrayValue() || entry.asArrayValue().size() < 2) {
            batcher.skipped(DecodeError.MALFORMED, "an entry is [time, record], got " + entry.getValueType());
            return;
        }
        event(entry.asArrayValue().get(0), entry.asArrayValue().get(1), tag, host, now, batcher);
    }

    private void event(Value time, Value record, String tag, String host, long now, Batcher batcher) {
        if (!record.isMapValue()) {
            batcher.skipped(DecodeError.MALFORMED, "a record is a map, got " + record.getValueType());
            return;
        }
        // Fluent Bit 2.1+ sends [[time, {metadata}], record] (its retain_metadata_in_forward_mode is
        // on by default): the time is the array's first element, the metadata map becomes fields.
        MapValue metadata = null;
        if (time.isArrayValue()
                && time.asArrayValue().size() == 2
                && time.asArrayValue().get(1).isMapValue()) {
            metadata = time.asArrayValue().get(1).asMapValue();
            time = time.asArrayValue().get(0);
        }
        long ts = timestamp(time);
        if (ts < 0) {
            batcher.error(
                    DecodeError.BAD_TIME,
                    "event time " + abbreviate(time.toJson()) + " is not usable; receive time used");
            ts = now;
        }
        batcher.add(toRecord(ts, tag, host, record.asMapValue(), metadata));
    }

    /** Epoch nanos of an event time (integer or float seconds, or EventTime), or -1. */
    static long timestamp(Value time) {
        if (time.isIntegerValue()) {
            if (!time.asIntegerValue().isInLongRange()) {
                return -1;
            }
            long s = time.asIntegerValue().asLong();
            return s >= 0 && s <= MAX_SECONDS ? s * 1_000_000_000L : -1;
        }
        if (time.isFloatValue()) {
            double s = time.asFloatValue().toDouble();
            if (!(s >= 0 && s <= MAX_SECONDS)) {
                return -1;
            }
            // Whole seconds and the fraction apart: s * 1e9 in one double loses the last digits
            // (1438138800.25 would become ...249999872).
            long whole = (long) s;
            return whole * 1_000_000_000L + Math.round((s - whole) * 1e9);
        }
        if (time.isExtensionValue()) {
            ExtensionValue ext = time.asExtensionValue();
            byte[] d = ext.getData();
            if (ext.getType() != EVENT_TIME_TYPE || d.length != 8) {
                return -1;
            }
            long s = ((d[0] & 0xffL) << 24) | ((d[1] & 0xffL) << 16) | ((d[2] & 0xffL) << 8) | (d[3] & 0xffL);
            long ns = ((d[4] & 0xffL) << 24) | ((d[5] & 0xffL) << 16) | ((d[6] & 0xffL) << 8) | (d[7] & 0xffL);
            return ns < 1_000_000_000L ? s * 1_000_000_000L + ns : -1;
        }
        return -1;
    }

    /**
     * @param metadata the event's metadata map (Fluent Bit's {@code [time, {metadata}]} form), whose
     *     entries become fields named {@code metadata.KEY} after the record's own, within the same
     *     field bounds; null when the event has none
     */
    private LogRecord toRecord(long ts, String tag, String host, MapValue record, @Nullable MapValue metadata) {
        Map<String, String> text = new LinkedHashMap<>();
        byte[] message = null;
        String messageKey = null;
        boolean truncated = false;
        for (Map.Entry<Value, Value> e : record.entrySet()) {
            String key = text(e.getKey());
            Value v = e.getValue();
            if (message == null && (key.equals("log") || key.equals("message"))) {
                message = bytesOrJson(v);
                messageKey = key;
                continue;
            }
            if (text.containsKey(key)) {
                continue;
            }
            if (text.size() >= MAX_FIELDS - 1 || key.length() > MAX_FIELD_KEY) {
                truncated = true;
                continue;
            }
            String value = text(v);
            if (key.equals("container_name") && value.startsWith("/")) {
                value = value.substring(1);
            }
            text.put(key, value.length() > MAX_FIELD_VALUE ? value.substring(0, MAX_FIELD_VALUE) : value);
        }
        if (metadata != null) {
            for (Map.Entry<Value, Value> e : metadata.entrySet()) {
                String key = "metadata." + text(e.getKey());
                if (text.size() >= MAX_FIELDS - 1 || key.length() > MAX_FIELD_KEY) {
                    truncated = true;
                    break;
                }
                String value = text(e.getValue());
                text.putIfAbsent(key, value.length() > MAX_FIELD_VALUE ? value.substring(0, MAX_FIELD_VALUE) : value);
            }
        }
        if (messageKey != null && messageKey.equals("log") && message != null) {
            // Docker's driver and tailing agents keep the line's newline; a record's message has none.
            int len = message.length;
            while (len > 0 && (message[len - 1] == '\n' || message[len - 1] == '\r')) {
                len--;
            }
            if (len != message.length) {
                message = Arrays.copyOf(message, len);
            }
        }
        Map<String, String> fields;
        if (message == null) {
            message = record.toJson().getBytes(StandardCharsets.UTF_8);
            fields = Map.of();
        } else {
            if (truncated) {
                text.put(FIELDS_TRUNCATED, "true");
            }
            fields = text;
        }
        String appName = app.render(tag, text::get);
        String source = text.getOrDefault("container_id", tag);
        LogStream stream = "stderr".equals(text.get("source")) ? LogStream.STDERR : LogStream.STDOUT;
        Severity severity = Severity.UNKNOWN;
        String level = text.containsKey("level") ? text.get("level") : text.get("severity");
        if (level != null) {
            Severity parsed = Severity.parse(level);
            if (parsed != null) {
                severity = parsed;
            }
        }
        String h = text.get("host");
        if (h == null || h.isEmpty()) {
            h = host;
        }
        return new LogRecord(ts, h, appName, source, stream, severity, message, fields);
    }

    /**
     * {@code option.chunk} of an event frame, read ahead of decoding (the option comes last) by
     * skipping the entries; null when there is none or the frame is not an event frame.
     */
    static @Nullable Value chunkOf(byte[] frame) {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(frame)) {
            if (u.getNextFormat().getValueType() != ValueType.ARRAY) {
                return null;
            }
            int n = u.unpackArrayHeader();
            if (n < 3 || n > 4) {
                return null;
            }
            u.skipValue(); // tag
            ValueType second = u.getNextFormat().getValueType();
            int optionAt;
            if (second == ValueType.ARRAY) {
                // Forward mode [tag, entries, option], or Message mode with a metadata time
                // [tag, [time, {metadata}], record, option?].
                int count = u.unpackArrayHeader();
                boolean metadataTime = count == 2 && isTime(u.getNextFormat().getValueType());
                u.skipValue(count);
                optionAt = metadataTime ? 3 : 2;
            } else {
                optionAt = second.isRawType() ? 2 : 3;
                u.skipValue();
            }
            if (n != optionAt + 1) {
                return null;
            }
            u.skipValue(optionAt - 2);
            return chunk(u.unpackValue());
        } catch (IOException | MessagePackException | DateTimeException e) {
            return null;
        }
    }

    private static @Nullable Value chunk(@Nullable Value option) {
        if (option == null || !option.isMapValue()) {
            return null;
        }
        for (Map.Entry<Value, Value> e : option.asMapValue().entrySet()) {
            if (e.getKey().isRawValue()
                    && text(e.getKey()).equals("chunk")
                    && !e.getValue().isNilValue()) {
                return e.getValue();
            }
        }
        return null;
    }

    private static boolean isGzip(MapValue option) {
        for (Map.Entry<Value, Value> e : option.entrySet()) {
            if (e.getKey().isRawValue() && text(e.getKey()).equals("compressed")) {
                return e.getValue().isRawValue() && text(e.getValue()).equals("gzip");
            }
        }
        return false;
    }

    /**
     * Inflates concatenated gzip members into at most {@code max_decompressed} bytes; refuses the
     * chunk as soon as one more byte would be produced, so a bomb is never inflated whole. Without a
     * lease of its own the reservation is returned before it returns (tests).
     */
    byte[] gunzip(byte[] compressed) throws ForwardException {
        try (InflightMemory.Lease lease = inflight.lease("forward")) {
            return gunzip(compressed, lease);
        }
    }

    /**
     * {@link #gunzip(byte[])}, reserving every array it allocates in {@code lease} before allocating it
     * (and returning the one it replaced after the copy): the lease holds the returned array's length
     * when it returns, and the caller closes it when done with the bytes.
     *
     * @throws ForwardException {@code too_large} past {@code max_decompressed}, {@code inflight_memory}
     *     when the process-wide budget cannot hold the next array, {@code decompress_error} for a
     *     corrupt stream
     */
    byte[] gunzip(byte[] compressed, InflightMemory.Lease lease) throws ForwardException {
        int first = Math.min(maxDecompressed + 1, Math.max(1024, compressed.length * 4));
        reserve(lease, first, compressed.length);
        byte[] out = new byte[first];
        int size = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)) {
            while (true) {
                if (size == out.length) {
                    if (out.length > maxDecompressed) {
                        throw new ForwardException(
                                DecodeError.TOO_LARGE,
                                "gzip chunk of " + compressed.length + " bytes inflates past max_decompressed ("
                                        + maxDecompressed + " bytes)");
                    }
                    int next = (int) Math.min((long) maxDecompressed + 1, out.length * 2L);
                    reserve(lease, next, compressed.length);
                    int old = out.length;
                    out = Arrays.copyOf(out, next);
                    lease.release(old);
                }
                int r = in.read(out, size, out.length - size);
                if (r < 0) {
                    break;
                }
                size += r;
            }
        } catch (IOException | RuntimeException e) {
            throw new ForwardException(
                    DecodeError.DECOMPRESS_ERROR, "cannot gunzip a compressed chunk: " + e.getMessage());
        }
        if (size == out.length) {
            return out;
        }
        reserve(lease, size, compressed.length);
        int old = out.length;
        byte[] trimmed = Arrays.copyOf(out, size);
        lease.release(old);
        return trimmed;
    }

    private static void reserve(InflightMemory.Lease lease, int bytes, int compressed) throws ForwardException {
        if (!lease.tryReserve(bytes)) {
            throw new ForwardException(
                    DecodeError.INFLIGHT_MEMORY,
                    "inflating a gzip chunk of " + compressed + " bytes needs " + bytes + " more bytes; inputs hold "
                            + lease.used() + " bytes in flight, the most limits.inflight_memory ("
                            + lease.limit() + " bytes) allows");
        }
    }

    private static byte[] bytesOrJson(Value v) {
        return v.isRawValue() ? v.asRawValue().asByteArray() : v.toJson().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Value v) {
        return bytesOrJson(v);
    }

    static String text(Value v) {
        if (v.isRawValue()) {
            return new String(v.asRawValue().asByteArray(), StandardCharsets.UTF_8);
        }
        return v.isNilValue() ? "" : v.toJson();
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    /** Collects records into batches and counts what the frame held. */
    private static final class Batcher {
        private final Events out;
        private List<LogRecord> batch = new ArrayList<>();
        private int records;
        private int entries;

        Batcher(Events out) {
            this.out = out;
        }

        void add(LogRecord r) {
            entries++;
            records++;
            batch.add(r);
            if (batch.size() == BATCH) {
                out.batch(batch);
                batch = new ArrayList<>();
            }
        }

        /** An entry dropped for {@code error} (a {@link DecodeError.Effect#SKIP}: the frame goes on). */
        void skipped(DecodeError error, String detail) {
            entries++;
            out.error(error.label(), detail);
        }

        /** An entry kept despite {@code error} (a {@link DecodeError.Effect#KEEP}). */
        void error(DecodeError error, String detail) {
            out.error(error.label(), detail);
        }

        void flush() {
            if (!batch.isEmpty()) {
                out.batch(batch);
                batch = new ArrayList<>();
            }
        }

        Decoded done(String tag, @Nullable Value chunk) {
            flush();
            return new Decoded(tag, chunk, records, entries);
        }
    }
}
