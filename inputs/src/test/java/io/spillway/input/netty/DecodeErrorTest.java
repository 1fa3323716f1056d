package io.spillway.input.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The decoders' errors keep the counter labels users alert on, and only lost framing closes. */
class DecodeErrorTest {
    @Test
    void labels_areTheDocumentedKinds() {
        assertThat(Arrays.stream(DecodeError.values()).map(DecodeError::label).collect(Collectors.toSet()))
                .isEqualTo(Set.of(
                        "malformed",
                        "too_large",
                        "too_deep",
                        "memory_budget",
                        "truncated",
                        "framing_error",
                        "parse_error",
                        "decompress_error",
                        "inflight_memory",
                        "chunk_invalid",
                        "chunk_timeout",
                        "chunk_evicted",
                        "frame_truncated",
                        "frame_incomplete",
                        "bad_time"));
    }

    @Test
    void closesConnection_onlyWhereTheNextFrameCannotBeFound() {
        assertThat(Arrays.stream(DecodeError.values()).filter(DecodeError::closesConnection))
                .containsExactlyInAnyOrder(
                        DecodeError.FRAMING_MALFORMED,
                        DecodeError.FRAME_TOO_LARGE,
                        DecodeError.TOO_DEEP,
                        DecodeError.MEMORY_BUDGET,
                        DecodeError.TRUNCATED);
        // The same label can cost the connection or not: a frame too large loses the boundary, an
        // entry too large does not.
        assertThat(DecodeError.FRAME_TOO_LARGE.label()).isEqualTo(DecodeError.TOO_LARGE.label());
        assertThat(DecodeError.TOO_LARGE.closesConnection()).isFalse();
    }
}
