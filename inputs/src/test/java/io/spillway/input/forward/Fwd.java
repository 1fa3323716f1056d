package io.spillway.input.forward;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** Builds forward frames with msgpack-core, byte for byte as the spec (and Docker's driver) sends them. */
final class Fwd {
    private Fwd() {}

    interface Body {
        void write(MessageBufferPacker p) throws IOException;
    }

    static byte[] pack(Body body) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            body.write(p);
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void map(MessageBufferPacker p, Map<String, String> m) throws IOException {
        p.packMapHeader(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            p.packString(e.getKey()).packString(e.getValue());
        }
    }

    /** EventTime: ext type 0, seconds and nanoseconds as big-endian uint32. */
    static void eventTime(MessageBufferPacker p, long seconds, int nanos) throws IOException {
        p.packExtensionTypeHeader((byte) 0, 8);
        p.writePayload(
                ByteBuffer.allocate(8).putInt((int) seconds).putInt(nanos).array());
    }

    /** A Docker fluentd-driver record (Forward mode, one entry, EventTime, option chunk when given). */
    static byte[] docker(String tag, String containerName, String source, String log, String chunk) {
        return pack(p -> {
            p.packArrayHeader(chunk == null ? 2 : 3).packString(tag);
            p.packArrayHeader(1).packArrayHeader(2);
            eventTime(p, 1_438_138_800L, 500_000_000);
            p.packMapHeader(4);
            p.packString("container_id").packString("c0ffee0123456789");
            p.packString("container_name").packString(containerName);
            p.packString("source").packString(source);
            p.packString("log").packString(log);
            if (chunk != null) {
                p.packMapHeader(1).packString("chunk").packString(chunk);
            }
        });
    }

    /** One part of a long line as Docker's fluentd driver sends it (Forward mode, string markers). */
    static byte[] dockerPart(String containerName, String log, String id, int ordinal, boolean last, String chunk) {
        return pack(p -> {
            p.packArrayHeader(3).packString("docker");
            p.packArrayHeader(1).packArrayHeader(2);
            eventTime(p, 1_438_138_800L, ordinal);
            p.packMapHeader(8);
            p.packString("container_id").packString("c0ffee0123456789");
            p.packString("container_name").packString(containerName);
            p.packString("source").packString("stdout");
            p.packString("log").packString(log);
            p.packString("partial_message").packString("true");
            p.packString("partial_id").packString(id);
            p.packString("partial_ordinal").packString(Integer.toString(ordinal));
            p.packString("partial_last").packString(Boolean.toString(last));
            p.packMapHeader(1).packString("chunk").packString(chunk);
        });
    }

    /** The value of {@code spillway_input_errors{kind}} in {@code metrics}, 0 when never counted. */
    static double errors(io.spillway.metrics.Metrics metrics, String kind) {
        for (io.prometheus.metrics.model.snapshots.MetricSnapshot s :
                metrics.registry().scrape()) {
            if (!s.getMetadata().getName().equals("spillway_input_errors")) {
                continue;
            }
            for (io.prometheus.metrics.model.snapshots.DataPointSnapshot dp : s.getDataPoints()) {
                if (kind.equals(dp.getLabels().get("kind"))) {
                    return ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) dp)
                            .getValue();
                }
            }
        }
        return 0;
    }

    /** Message mode {@code [tag, time, record]}. */
    static byte[] message(String tag, long time, Map<String, String> record) {
        return pack(p -> {
            p.packArrayHeader(3).packString(tag).packLong(time);
            map(p, record);
        });
    }

    /** Concatenated {@code [time, record]} entries, the PackedForward payload. */
    static byte[] entries(int count, String prefix) {
        return pack(p -> {
            for (int i = 0; i < count; i++) {
                p.packArrayHeader(2).packLong(1_438_138_800L + i);
                map(p, Map.of("log", prefix + i));
            }
        });
    }

    static byte[] packed(String tag, byte[] entries, String chunk, boolean gzip) {
        return pack(p -> {
            p.packArrayHeader(3).packString(tag);
            p.packBinaryHeader(entries.length).writePayload(entries);
            int n = (chunk != null ? 1 : 0) + (gzip ? 1 : 0);
            p.packMapHeader(n);
            if (chunk != null) {
                p.packString("chunk").packString(chunk);
            }
            if (gzip) {
                p.packString("compressed").packString("gzip");
            }
        });
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A gzip bomb: {@code mib} concatenated gzip members of 1 MiB of zeros each (about 1 KiB apiece), so
     * 1024 of them inflate to 1 GiB from about 1 MB.
     */
    static byte[] bomb(int mib) {
        byte[] member = gzip(new byte[1024 * 1024]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < mib; i++) {
            out.writeBytes(member);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b : parts) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }
}
