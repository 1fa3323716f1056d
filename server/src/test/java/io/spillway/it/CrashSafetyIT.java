package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * G5: Spillway as a real process takes a steady stream over HTTP ingest, is killed with {@code kill
 * -9} mid-stream and restarted on the same data dir; every acknowledged record is then delivered, in
 * order per app (duplicates allowed, losses not). And the one acknowledgement that comes before its
 * record is stored: a part of a long Docker line, held in the forward input's journal until the line's
 * last part arrives.
 */
class CrashSafetyIT {
    @TempDir
    Path dir;

    @Test
    void kill9_midStream_everyAcknowledgedRecordDeliveredInOrder() throws Exception {
        int http = SpillwayProcess.freePort();
        int syslog = SpillwayProcess.freePort();
        String[] args = {"--set", "guard.rate_limit.enabled=false", "--set", "buffer.memory=64KiB"};
        SpillwayProcess first = SpillwayProcess.start(dir, http, syslog, args);
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String[] apps = {"crash-a", "crash-b"};
        BitSet[] acked = {new BitSet(), new BitSet()};
        AtomicInteger batches = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread sender = Thread.ofPlatform().start(() -> {
            int[] seq = {0, 0};
            while (!stop.get()) {
                int a = batches.get() % 2;
                StringBuilder body = new StringBuilder();
                int from = seq[a];
                for (int i = 0; i < 50; i++) {
                    body.append("{\"app\":\"")
                            .append(apps[a])
                            .append("\",\"message\":\"crash seq=")
                            .append(seq[a]++)
                            .append(" ")
                            .append("p".repeat(100))
                            .append("\"}\n");
                }
                try {
                    HttpResponse<String> r = client.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/v1/ingest"))
                                    .timeout(Duration.ofSeconds(5))
                                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().contains("\"durable\":true")) {
                        synchronized (acked) {
                            acked[a].set(from, seq[a]);
                        }
                    }
                } catch (Exception e) {
                    // the process died under us: this batch was not acknowledged
                }
                batches.incrementAndGet();
            }
        });
        while (batches.get() < 200) {
            Thread.sleep(10);
        }
        first.kill();
        stop.set(true);
        sender.join(10_000);
        assertThat(acked[0].cardinality() + acked[1].cardinality()).isGreaterThan(1000);

        try (SpillwayProcess second = SpillwayProcess.start(dir, http, syslog, args)) {
            for (int a = 0; a < 2; a++) {
                BitSet want = acked[a];
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                List<Integer> seen;
                while (true) {
                    seen = seqs(second.dataDir.resolve("files"), apps[a]);
                    BitSet got = new BitSet();
                    seen.forEach(got::set);
                    BitSet missing = (BitSet) want.clone();
                    missing.andNot(got);
                    if (missing.isEmpty()) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(
                                apps[a] + ": acknowledged but never delivered: " + missing + "\n" + second.output());
                    }
                    Thread.sleep(200);
                }
                // In order per app: the first delivery of each record follows the previous one's.
                BitSet firstSeen = new BitSet();
                int last = -1;
                for (int s : seen) {
                    if (!firstSeen.get(s)) {
                        assertThat(s).as(apps[a] + " first deliveries in order").isGreaterThan(last);
                        last = s;
                        firstSeen.set(s);
                    }
                }
            }
        }
    }

    @Test
    void kill9_betweenTheAcknowledgedPartsOfALongDockerLine_lineJoinedOnceAfterRestart() throws Exception {
        String part1 = "first-part-" + "a".repeat(16_373);
        String part2 = "second-part-" + "b".repeat(3_000);
        String[] args = {"--set", "guard.truncate.max_message=64KiB"};
        SpillwayProcess first = SpillwayProcess.start(dir, args);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), first.forwardPort)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(dockerPart("long-line", part1, 1, false, "Y2h1bmstMQ=="));
            assertThat(ackOf(s.getInputStream()))
                    .as("the part is acknowledged (journaled) before its line can be stored")
                    .isEqualTo("Y2h1bmstMQ==");
        }
        first.kill();

        try (SpillwayProcess second = SpillwayProcess.start(dir, args)) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), second.forwardPort)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(dockerPart("long-line", part2, 2, true, "Y2h1bmstMg=="));
                assertThat(ackOf(s.getInputStream())).isEqualTo("Y2h1bmstMg==");
            }
            Path file = second.appFile("long-line");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(file) || !Files.readString(file).contains("second-part-")) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the joined line never arrived\n" + second.output());
                }
                Thread.sleep(100);
            }
            List<String> lines = Files.readAllLines(file);
            assertThat(lines)
                    .as("one line holding both parts, the one acknowledged before the crash first")
                    .singleElement()
                    .satisfies(l -> assertThat(l).contains(part1 + part2));
        }
    }

    /** One part of a long line as Docker's fluentd driver sends it, in Forward mode with a chunk id. */
    private static byte[] dockerPart(String name, String text, int ordinal, boolean last, String chunk)
            throws IOException {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(3).packString("docker." + name);
            p.packArrayHeader(1).packArrayHeader(2).packLong(System.currentTimeMillis() / 1000);
            Map<String, String> record = Map.of(
                    "container_id",
                    "c".repeat(64),
                    "container_name",
                    "/" + name,
                    "source",
                    "stdout",
                    "log",
                    text,
                    "partial_message",
                    "true",
                    "partial_id",
                    "d".repeat(64),
                    "partial_ordinal",
                    Integer.toString(ordinal),
                    "partial_last",
                    Boolean.toString(last));
            p.packMapHeader(record.size());
            for (Map.Entry<String, String> e : record.entrySet()) {
                p.packString(e.getKey()).packString(e.getValue());
            }
            p.packMapHeader(1).packString("chunk").packString(chunk);
            return p.toByteArray();
        }
    }

    /** The chunk id of the {@code {"ack": id}} answer. */
    private static String ackOf(InputStream in) throws IOException {
        MessageUnpacker u = MessagePack.newDefaultUnpacker(new DataInputStream(in));
        Value v = u.unpackValue();
        return v.asMapValue()
                .map()
                .get(org.msgpack.value.ValueFactory.newString("ack"))
                .asStringValue()
                .asString();
    }

    /** Sequence numbers in an app's files, oldest rotated file first. */
    private static List<Integer> seqs(Path files, String app) throws Exception {
        List<Path> parts = new ArrayList<>();
        for (int i = 10; i >= 1; i--) {
            Path p = files.resolve(app + ".log." + i);
            if (Files.exists(p)) {
                parts.add(p);
            }
        }
        if (Files.exists(files.resolve(app + ".log"))) {
            parts.add(files.resolve(app + ".log"));
        }
        List<Integer> out = new ArrayList<>();
        for (Path p : parts) {
            try (Stream<String> lines = Files.lines(p)) {
                lines.forEach(l -> {
                    int i = l.indexOf("crash seq=");
                    if (i >= 0) {
                        int j = l.indexOf(' ', i + 10);
                        out.add(Integer.parseInt(l.substring(i + 10, j)));
                    }
                });
            }
        }
        return out;
    }
}
