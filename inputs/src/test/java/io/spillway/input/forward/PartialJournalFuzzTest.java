package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.FuzzRecords;
import io.spillway.input.forward.PartialJournal.Part;
import io.spillway.space.SpaceWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the forward input's partial-message journal ({@link PartialJournal}), the
 * one file of the forward input read back from disk: any file opens to an intact prefix without
 * failing, and what is written is recovered exactly.
 */
class PartialJournalFuzzTest {
    private static final Path DIR;
    private static final int MAX_ENTRY = 1 << 20;

    static {
        try {
            DIR = Files.createTempDirectory("journal-fuzz");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Byte 0 is a mode: bit 0 frames the rest as entries whose lengths and CRCs are right (so the
     * entry parser sees forged bodies past the checksum), taking each entry's length from the next
     * byte. Opening never throws; the file is cut to a prefix of what it was; opening it again finds
     * the same parts and cuts nothing more.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void open_anyFile_intactPrefixKeptAndIdempotent(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        byte[] body = (data[0] & 1) != 0 ? framed(data, 1) : java.util.Arrays.copyOfRange(data, 1, data.length);
        Path file = DIR.resolve("open.journal");
        Files.write(file, body);
        try {
            PartialJournal.Recovery first;
            try (PartialJournal j = journal(file)) {
                first = j.open();
            }
            long kept = Files.size(file);
            assertThat(kept).isLessThanOrEqualTo(body.length);
            assertThat(first.damagedBytes()).isEqualTo(body.length - kept);
            byte[] after = Files.readAllBytes(file);
            assertThat(after).isEqualTo(java.util.Arrays.copyOf(body, (int) kept));
            try (PartialJournal j = journal(file)) {
                PartialJournal.Recovery again = j.open();
                assertThat(again.damagedBytes()).isZero();
                assertThat(again.live()).isEqualTo(first.live());
                assertThat(again.bases()).isEqualTo(first.bases());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Any sequence of appends, DONEs and rewrites, checked against a model: reopening the journal
     * recovers exactly the parts not covered by a DONE, with the bases the DONEs left.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void appendDoneRewrite_anySequence_recoveredLikeTheModel(FuzzedDataProvider d) throws IOException {
        Path file = DIR.resolve("model.journal");
        Files.deleteIfExists(file);
        Map<String, TreeMap<Integer, Part>> model = new LinkedHashMap<>();
        Map<String, Integer> bases = new LinkedHashMap<>();
        try {
            try (PartialJournal j = journal(file)) {
                j.open();
                int steps = d.consumeInt(0, 40);
                for (int i = 0; i < steps; i++) {
                    String key = "k" + d.consumeInt(0, 3);
                    switch (d.consumeInt(0, 2)) {
                        case 0 -> {
                            int ordinal = d.consumeInt(1, 6);
                            Part p = new Part(key, ordinal, d.consumeBoolean(), FuzzRecords.record(d));
                            assertThat(j.append(List.of(p))).isTrue();
                            if (ordinal >= bases.getOrDefault(key, 1)) {
                                model.computeIfAbsent(key, k -> new TreeMap<>()).put(ordinal, p);
                            }
                        }
                        case 1 -> {
                            int upTo = d.consumeInt(0, 6);
                            boolean last = d.consumeBoolean();
                            assertThat(j.done(key, upTo, last)).isTrue();
                            TreeMap<Integer, Part> g = model.get(key);
                            if (g != null) {
                                g.headMap(upTo, true).clear();
                                if (g.isEmpty()) {
                                    model.remove(key);
                                }
                            }
                            if (last) {
                                bases.remove(key);
                            } else {
                                bases.put(key, upTo + 1);
                            }
                        }
                        default -> {
                            List<Part> live = new ArrayList<>();
                            model.values().forEach(g -> live.addAll(g.values()));
                            assertThat(j.rewrite(live, bases)).isTrue();
                        }
                    }
                }
                j.force();
            }
            try (PartialJournal j = journal(file)) {
                PartialJournal.Recovery rec = j.open();
                assertThat(rec.damagedBytes()).isZero();
                Map<String, TreeMap<Integer, Part>> got = new LinkedHashMap<>();
                for (Part p : rec.live()) {
                    got.computeIfAbsent(p.key(), k -> new TreeMap<>()).put(p.ordinal(), p);
                }
                assertThat(got).isEqualTo(model);
                assertThat(rec.bases()).isEqualTo(bases);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static PartialJournal journal(Path file) {
        return new PartialJournal(file, SpaceWriter.unaccounted("forward_partials", DIR), MAX_ENTRY);
    }

    /** The bytes from {@code from} cut into entries with right lengths and CRCs. */
    private static byte[] framed(byte[] data, int from) {
        // Each entry takes at least two input bytes (its length and one byte) and writes 8 more.
        ByteBuffer out = ByteBuffer.allocate(data.length * 5 + 16);
        int i = from;
        while (i < data.length) {
            int len = Math.min((data[i] & 0xff) + 1, data.length - i - 1);
            i++;
            if (len <= 0) {
                break;
            }
            CRC32C crc = new CRC32C();
            crc.update(data, i, len);
            out.putInt(len).putInt((int) crc.getValue()).put(data, i, len);
            i += len;
        }
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return b;
    }
}
