package io.spillway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.longs;

import io.spillway.Theories;
import org.junit.jupiter.api.Test;

class DataSizeTest {
    @Test
    void parse_binaryAndDecimalUnits() {
        assertThat(DataSize.parse("64KiB").bytes()).isEqualTo(65536);
        assertThat(DataSize.parse("1GiB").bytes()).isEqualTo(1L << 30);
        assertThat(DataSize.parse("10MB").bytes()).isEqualTo(10_000_000);
        assertThat(DataSize.parse("1.5 KiB").bytes()).isEqualTo(1536);
        assertThat(DataSize.parse("512").bytes()).isEqualTo(512);
        assertThat(DataSize.parse("4k").bytes()).isEqualTo(4096);
    }

    @Test
    void parse_garbage_saysWhatWasExpected() {
        assertThatThrownBy(() -> DataSize.parse("lots"))
                .hasMessage("expected a size like 64KiB, 10MB or 1GiB, got \"lots\"");
        assertThatThrownBy(() -> DataSize.parse("5 parsecs")).hasMessageContaining("unknown unit \"parsecs\"");
        assertThatThrownBy(() -> DataSize.parse("1.5")).hasMessageContaining("whole number of bytes");
        assertThatThrownBy(() -> DataSize.parse("99999999999TiB")).hasMessageContaining("too large");
    }

    @Test
    void toString_parsesBackToSameSize() {
        Theories.qt(1000).forAll(longs().between(0, Long.MAX_VALUE / 2)).checkAssert(bytes -> {
            DataSize size = DataSize.ofBytes(bytes);
            assertThat(DataSize.parse(size.toString())).isEqualTo(size);
        });
    }

    @Test
    void human_roundsToOneDecimal() {
        assertThat(DataSize.human(127_400_000)).isEqualTo("127.4 MB");
        assertThat(DataSize.human(999)).isEqualTo("999 B");
    }
}
