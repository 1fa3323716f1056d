package io.spillway.flood;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.spillway.Theories;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LinesTest {
    @Test
    void noisy_parsesBackAndHasTargetSize() {
        Theories.qt(200)
                .forAll(
                        longs().between(0, 1_000_000_000L),
                        longs().between(0, 1L << 50),
                        integers().between(200, 20_000))
                .checkAssert(LinesTest::noisyParsesBack);
    }

    private static void noisyParsesBack(long seq, long sent, int size) {
        String line = Lines.noisy(seq, sent, size);
        assertThat(Lines.parse("2026-01-01T00:00:00Z h app[stdout] info: " + line))
                .isEqualTo(new Lines.Mark(seq, sent));
        assertThat(line.getBytes(StandardCharsets.UTF_8).length).isBetween(size - 80, size + 80);
        assertThat(line).contains("Parameters: {").contains("\"api_key\"=>");
    }

    @Test
    void quiet_parsesBack() {
        assertThat(Lines.parse(Lines.quiet(7, 99, 200))).isEqualTo(new Lines.Mark(7, 99));
        assertThat(Lines.quiet(7, 99, 200)).hasSize(200);
    }

    @Test
    void parse_foreignOrBrokenLine_isNull() {
        assertThat(Lines.parse("hello")).isNull();
        assertThat(Lines.parse("flood seq=12")).isNull();
        assertThat(Lines.parse("flood seq= sent=3")).isNull();
    }

    @Test
    void syslogFrame_isOctetCounted() {
        byte[] frame = Lines.syslogFrame("app", "h", "hé");
        String s = new String(frame, StandardCharsets.UTF_8);
        int sp = s.indexOf(' ');
        assertThat(Integer.parseInt(s.substring(0, sp))).isEqualTo(frame.length - sp - 1);
        assertThat(s).endsWith("<14>1 - h app - - - hé");
    }
}
