package io.spillway.input.gelf;

import static io.spillway.input.gelf.Gelf.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GelfPayloadsTest {
    private static final byte[] JSON = utf8("{\"short_message\":\"hello\"}");

    @Test
    void decompress_plain_sameBytes() throws GelfException {
        assertThat(GelfPayloads.decompress(JSON, 1024)).isEqualTo(JSON);
    }

    @Test
    void decompress_gzip_inflated() throws GelfException {
        assertThat(GelfPayloads.decompress(Gelf.gzip(JSON), 1024)).isEqualTo(JSON);
    }

    @Test
    void decompress_zlib_inflated() throws GelfException {
        assertThat(GelfPayloads.decompress(Gelf.zlib(JSON), 1024)).isEqualTo(JSON);
    }

    @Test
    void decompress_emptyZlibStream_inflatesToNothing() throws GelfException {
        // Found by GelfPayloadsFuzzTest: inflate() returns 0 and the stream is finished, with no input
        // left; that was taken for a truncated payload (decompress_error instead of the empty message).
        assertThat(GelfPayloads.decompress(Gelf.zlib(new byte[0]), 1024)).isEmpty();
        assertThat(GelfPayloads.decompress(Gelf.gzip(new byte[0]), 1024)).isEmpty();
    }

    @Test
    void decompress_exactlyAtBound_accepted() throws GelfException {
        byte[] big = new byte[4096];
        Arrays.fill(big, (byte) 'a');
        assertThat(GelfPayloads.decompress(Gelf.gzip(big), 4096)).hasSize(4096);
    }

    @Test
    void decompress_gzipBomb_refusedTooLarge() {
        // 64 MiB of zeros compress to ~64 KiB; the bound is 1 MiB, so inflation must stop there.
        byte[] zeros = new byte[64 * 1024 * 1024];
        byte[] bomb = Gelf.gzip(zeros);
        assertThat(bomb.length).isLessThan(128 * 1024);
        assertThatThrownBy(() -> GelfPayloads.decompress(bomb, 1024 * 1024))
                .isInstanceOfSatisfying(
                        GelfException.class, e -> assertThat(e.kind()).isEqualTo("too_large"));
        assertThatThrownBy(() -> GelfPayloads.decompress(Gelf.zlib(zeros), 1024 * 1024))
                .isInstanceOfSatisfying(
                        GelfException.class, e -> assertThat(e.kind()).isEqualTo("too_large"));
    }

    @Test
    void decompress_plainOverBound_refusedTooLarge() {
        assertThatThrownBy(() -> GelfPayloads.decompress(new byte[2048], 1024))
                .isInstanceOfSatisfying(
                        GelfException.class, e -> assertThat(e.kind()).isEqualTo("too_large"));
    }

    @Test
    void decompress_truncatedOrCorrupt_decompressError() {
        byte[] gz = Gelf.gzip(JSON);
        byte[] truncated = Arrays.copyOf(gz, gz.length / 2);
        byte[] corrupt = gz.clone();
        Arrays.fill(corrupt, 10, corrupt.length, (byte) 0xff);
        for (byte[] bad : new byte[][] {truncated, corrupt, {0x1f, (byte) 0x8b}, {0x78, (byte) 0x9c, 1, 2, 3}}) {
            assertThatThrownBy(() -> GelfPayloads.decompress(bad, 1024))
                    .isInstanceOfSatisfying(
                            GelfException.class, e -> assertThat(e.kind()).isEqualTo("decompress_error"));
        }
    }

    @Test
    void decompress_budgetHeldElsewhere_refusedAsInflightMemoryAndNothingLeftReserved() throws GelfException {
        io.spillway.pipeline.InflightMemory budget =
                io.spillway.pipeline.InflightMemory.standalone(io.spillway.config.DataSize.ofMiB(2));
        byte[] big = Gelf.gzip(utf8("{\"short_message\":\"" + "x".repeat(600_000) + "\"}"));
        try (io.spillway.pipeline.InflightMemory.Lease other = budget.lease("forward");
                io.spillway.pipeline.InflightMemory.Lease lease = budget.lease("gelf")) {
            assertThat(other.tryReserve(1_700_000)).isTrue();
            assertThatThrownBy(() -> GelfPayloads.decompress(big, 1 << 20, lease))
                    .isInstanceOf(GelfException.class)
                    .hasMessageContaining("limits.inflight_memory")
                    .satisfies(e -> assertThat(((GelfException) e).kind()).isEqualTo("inflight_memory"));
            assertThat(lease.held()).isLessThanOrEqualTo(budget.limit() - 1_700_000);
        }
        assertThat(budget.used()).isZero();
        try (io.spillway.pipeline.InflightMemory.Lease lease = budget.lease("gelf")) {
            byte[] plain = GelfPayloads.decompress(big, 1 << 20, lease);
            assertThat(plain).hasSizeGreaterThan(600_000);
            assertThat(lease.held()).isEqualTo(plain.length);
        }
        assertThat(budget.used()).isZero();
        assertThat(budget.peak()).isLessThanOrEqualTo(budget.limit());
    }
}
