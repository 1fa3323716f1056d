package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.msgpack.value.Value;

class ForwardDecoderTest {
    private static final long NOW = 1_700_000_000_000_000_000L;

    private final ForwardDecoder decoder =
            new ForwardDecoder(1024 * 1024, 4 * 1024 * 1024, AppTemplate.parse("{{container_name}}"));
    private final List<LogRecord> records = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final ForwardDecoder.Events events = new ForwardDecoder.Events() {
        @Override
        public void batch(List<LogRecord> batch) {
            assertThat(batch).hasSizeLessThanOrEqualTo(ForwardDecoder.BATCH);
            records.addAll(batch);
        }

        @Override
        public void error(String kind, String detail) {
            errors.add(kind);
        }
    };

    private ForwardDecoder.Decoded decode(byte[] frame) throws ForwardException {
        return (ForwardDecoder.Decoded) decoder.decode(frame, "10.0.0.9", NOW, events);
    }

    /** msgpack's timestamp ext (type -1, 12 bytes: nanoseconds, seconds) with seconds past what Instant holds. */
    private static final byte[] TIMESTAMP_PAST_INSTANT = {
        (byte) 0xc7, 12, -1, 0, 0, 0, 0, 0x7f, -1, -1, -1, -1, -1, -1, -1
    };

    @Test
    void decode_timestampExtPastInstantRange_malformedNotDateTimeException() {
        // Found by HandshakeFuzzTest: msgpack-core's unpackValue throws java.time.DateTimeException for
        // such a timestamp, which escaped the decoder (and chunkOf) instead of failing the frame.
        byte[] frame = Fwd.concat(
                new byte[] {(byte) 0x93, (byte) 0xa1, 't', 1, (byte) 0x81, (byte) 0xa1, 'k'}, TIMESTAMP_PAST_INSTANT);
        assertThatThrownBy(() -> decode(frame))
                .isInstanceOfSatisfying(
                        ForwardException.class, e -> assertThat(e.kind()).isEqualTo("malformed"));
        byte[] withChunk = Fwd.concat(
                new byte[] {
                    (byte) 0x93, (byte) 0xa1, 't', (byte) 0x90, (byte) 0x81, (byte) 0xa5, 'c', 'h', 'u', 'n', 'k'
                },
                TIMESTAMP_PAST_INSTANT);
        assertThat(ForwardDecoder.chunkOf(withChunk)).isNull();
    }

    @Test
    void decode_dockerDriverRecord_appFromContainerNameStreamFromSourceEventTime() throws Exception {
        byte[] frame = Fwd.docker("c0ffee012345", "/web-1", "stderr", "GET / 500\n", "Y2h1bmsx");
        ForwardDecoder.Decoded d = decode(frame);
        assertThat(d.tag()).isEqualTo("c0ffee012345");
        assertThat(d.chunk()).isNotNull();
        assertThat(ForwardDecoder.text(d.chunk())).isEqualTo("Y2h1bmsx");
        assertThat(ForwardDecoder.text(ForwardDecoder.chunkOf(frame))).isEqualTo("Y2h1bmsx");
        LogRecord r = records.get(0);
        assertThat(r.app()).isEqualTo("web-1");
        assertThat(r.stream()).isEqualTo(LogStream.STDERR);
        assertThat(r.messageText()).isEqualTo("GET / 500");
        assertThat(r.timestamp()).isEqualTo(1_438_138_800_500_000_000L);
        assertThat(r.source()).isEqualTo("c0ffee0123456789");
        assertThat(r.host()).isEqualTo("10.0.0.9");
        assertThat(r.fields()).containsEntry("container_name", "web-1").doesNotContainKey("log");
    }

    @Test
    void decode_messageModeWithoutContainerName_appIsTagAndNoChunk() throws Exception {
        ForwardDecoder.Decoded d = decode(Fwd.message("billing.worker", 1_438_138_800L, Map.of("message", "hello")));
        assertThat(d.chunk()).isNull();
        assertThat(ForwardDecoder.chunkOf(Fwd.message("t", 1, Map.of("a", "b"))))
                .isNull();
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.app()).isEqualTo("billing.worker");
            assertThat(r.messageText()).isEqualTo("hello");
            assertThat(r.timestamp()).isEqualTo(1_438_138_800_000_000_000L);
            assertThat(r.stream()).isEqualTo(LogStream.STDOUT);
        });
    }

    @Test
    void decode_recordWithoutLogOrMessage_messageIsWholeRecordAsJson() throws Exception {
        decode(Fwd.message("t", 1, Map.of("status", "500")));
        assertThat(records.get(0).messageText()).isEqualTo("{\"status\":\"500\"}");
    }

    @Test
    void decode_packedForwardOf3000Entries_allInBatchesInOrder() throws Exception {
        ForwardDecoder.Decoded d = decode(Fwd.packed("app", Fwd.entries(3000, "line "), "c1", false));
        assertThat(d.records()).isEqualTo(3000);
        assertThat(records).hasSize(3000);
        assertThat(records.get(2999).messageText()).isEqualTo("line 2999");
    }

    @Test
    void decode_compressedPackedForwardOfTwoGzipMembers_both() throws Exception {
        byte[] gz = Fwd.concat(Fwd.gzip(Fwd.entries(10, "a")), Fwd.gzip(Fwd.entries(5, "b")));
        ForwardDecoder.Decoded d = decode(Fwd.packed("app", gz, null, true));
        assertThat(d.records()).isEqualTo(15);
        assertThat(records.get(14).messageText()).isEqualTo("b4");
    }

    @Test
    void decode_gzipBombOf1GiBZeros_refusedAtMaxDecompressed() throws Exception {
        byte[] bomb = Fwd.bomb(1024);
        assertThat(bomb.length).isLessThan(2 * 1024 * 1024);
        assertThatThrownBy(() -> decode(Fwd.packed("app", bomb, "c", true)))
                .isInstanceOf(ForwardException.class)
                .hasMessageContaining("max_decompressed")
                .satisfies(e -> assertThat(((ForwardException) e).kind()).isEqualTo("too_large"));
    }

    @Test
    void decode_entryOverMaxEntry_skippedOthersKept() throws Exception {
        ForwardDecoder small = new ForwardDecoder(200, 4096, AppTemplate.parse("{{tag}}"));
        byte[] frame = Fwd.pack(p -> {
            p.packArrayHeader(2).packString("t").packArrayHeader(3);
            for (String log : List.of("a", "x".repeat(500), "c")) {
                p.packArrayHeader(2).packLong(1);
                Fwd.map(p, Map.of("log", log));
            }
        });
        ForwardDecoder.Decoded d = (ForwardDecoder.Decoded) small.decode(frame, "h", NOW, events);
        assertThat(d.entries()).isEqualTo(3);
        assertThat(records).extracting(LogRecord::messageText).containsExactly("a", "c");
        assertThat(errors).containsExactly("too_large");
    }

    @Test
    void decode_packedStreamCutShort_malformedAfterHandingOnTheGoodEntries() throws Exception {
        byte[] entries = Fwd.entries(3, "e");
        byte[] cut = java.util.Arrays.copyOf(entries, entries.length - 2);
        assertThatThrownBy(() -> decode(Fwd.packed("t", cut, null, false)))
                .isInstanceOf(ForwardException.class)
                .satisfies(e -> assertThat(((ForwardException) e).kind()).isEqualTo("malformed"));
        assertThat(records).extracting(LogRecord::messageText).containsExactly("e0", "e1");
    }

    @Test
    void decode_badTimeAndNonMapRecord_counted() throws Exception {
        byte[] frame = Fwd.pack(p -> {
            p.packArrayHeader(2).packString("t").packArrayHeader(2);
            p.packArrayHeader(2).packString("yesterday");
            Fwd.map(p, Map.of("log", "x"));
            p.packArrayHeader(2).packLong(1).packString("not a map");
        });
        decode(frame);
        assertThat(records)
                .singleElement()
                .satisfies(r -> assertThat(r.timestamp()).isEqualTo(NOW));
        assertThat(errors).containsExactly("bad_time", "malformed");
    }

    @Test
    void decode_ping_parsed() throws Exception {
        byte[] frame = Fwd.pack(p -> p.packArrayHeader(6)
                .packString("PING")
                .packString("client-1")
                .packString("salt")
                .packString("d1g")
                .packString("")
                .packString(""));
        ForwardDecoder.Frame f = decoder.decode(frame, "h", NOW, events);
        assertThat(f).isInstanceOfSatisfying(ForwardDecoder.Ping.class, p -> {
            assertThat(p.hostname()).isEqualTo("client-1");
            assertThat(p.digest()).isEqualTo("d1g");
        });
    }

    @Test
    void decode_notAnArrayOrNoTag_malformed() {
        for (byte[] frame : List.of(
                Fwd.pack(p -> p.packString("hello")),
                Fwd.pack(p -> p.packArrayHeader(2).packInt(1).packInt(2)),
                Fwd.pack(p -> p.packArrayHeader(2).packString("t").packBoolean(true)))) {
            assertThatThrownBy(() -> decode(frame))
                    .isInstanceOf(ForwardException.class)
                    .satisfies(e -> assertThat(((ForwardException) e).kind()).isEqualTo("malformed"));
        }
    }

    @Test
    void timestamp_floatAndEventTime() throws IOException {
        Value f = org.msgpack.value.ValueFactory.newFloat(1.5);
        assertThat(ForwardDecoder.timestamp(f)).isEqualTo(1_500_000_000L);
        Value bad = org.msgpack.value.ValueFactory.newExtension((byte) 0, new byte[4]);
        assertThat(ForwardDecoder.timestamp(bad)).isEqualTo(-1);
    }

    @Test
    void appTemplate_literalAndFieldsAndFallback() {
        AppTemplate t = AppTemplate.parse("team-{{team}}.{{tag}}");
        assertThat(t.render("svc", Map.of("team", "a")::get)).isEqualTo("team-a.svc");
        assertThat(t.render("svc", Map.<String, String>of()::get)).isEqualTo("svc");
        assertThatThrownBy(() -> AppTemplate.parse("{{oops")).hasMessageContaining("unclosed");
    }

    @Test
    void gunzip_budgetHeldElsewhere_refusedAsInflightMemoryAndNothingLeftReserved() throws Exception {
        io.spillway.pipeline.InflightMemory budget =
                io.spillway.pipeline.InflightMemory.standalone(io.spillway.config.DataSize.ofMiB(4));
        ForwardDecoder bounded = new ForwardDecoder(1 << 20, 64 << 20, AppTemplate.parse("{{tag}}"), budget);
        byte[] bomb = Fwd.bomb(8); // 8 MiB of zeros: within max_decompressed, beyond the budget
        try (io.spillway.pipeline.InflightMemory.Lease other = budget.lease("http")) {
            assertThat(other.tryReserve(1 << 20)).isTrue();
            assertThatThrownBy(() -> bounded.decode(Fwd.packed("app", bomb, "c", true), "h", NOW, events))
                    .isInstanceOf(ForwardException.class)
                    .hasMessageContaining("limits.inflight_memory")
                    .satisfies(e -> assertThat(((ForwardException) e).kind()).isEqualTo("inflight_memory"));
            assertThat(budget.used()).isEqualTo(1 << 20);
        }
        assertThat(budget.used()).isZero();
        assertThat(budget.peak()).isLessThanOrEqualTo(budget.limit());
    }

    @Test
    void gunzip_eightBombsInParallel_neverPassTheBudgetAndReturnToZero() throws Exception {
        io.spillway.pipeline.InflightMemory budget =
                io.spillway.pipeline.InflightMemory.standalone(io.spillway.config.DataSize.ofMiB(16));
        ForwardDecoder bounded = new ForwardDecoder(1 << 20, 64 << 20, AppTemplate.parse("{{tag}}"), budget);
        byte[] bomb = Fwd.bomb(6); // inflating 6 MiB holds up to 12 MiB (the 4 MiB array and its 8 MiB successor)
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger inflated = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (io.spillway.pipeline.InflightMemory.Lease lease = budget.lease("forward")) {
                    go.await();
                    assertThat(bounded.gunzip(bomb, lease)).hasSize(6 << 20);
                    inflated.incrementAndGet();
                } catch (ForwardException e) {
                    assertThat(e.kind()).isEqualTo("inflight_memory");
                    refused.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(inflated.get() + refused.get()).isEqualTo(8);
        assertThat(budget.peak()).isLessThanOrEqualTo(budget.limit());
        assertThat(budget.used()).isZero();
    }
}
