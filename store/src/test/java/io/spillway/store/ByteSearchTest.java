package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.strings;

import io.spillway.Theories;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteSearchTest {
    @Test
    void indexOf_anyText_agreesWithString() {
        Theories.qt(1000)
                .forAll(
                        strings().betweenCodePoints('a', 'e').ofLengthBetween(0, 80),
                        strings().betweenCodePoints('a', 'e').ofLengthBetween(0, 4))
                .checkAssert(ByteSearchTest::indexOfAgrees);
    }

    private static void indexOfAgrees(String hay, String needle) {
        byte[] h = hay.getBytes(StandardCharsets.UTF_8);
        assertThat(new ByteSearch(needle).indexOf(h, 0, h.length)).isEqualTo(hay.indexOf(needle));
    }

    @Test
    void contains_subRange_onlyInsideRange() {
        Theories.qt(1000)
                .forAll(
                        strings().allPossible().ofLengthBetween(0, 60),
                        strings().allPossible().ofLengthBetween(1, 3))
                .checkAssert(ByteSearchTest::containsOnlyInsideRange);
    }

    private static void containsOnlyInsideRange(String hay, String needle) {
        String full = "ZZ" + hay + "ZZ";
        byte[] h = full.getBytes(StandardCharsets.UTF_8);
        byte[] inner = hay.getBytes(StandardCharsets.UTF_8);
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        boolean want =
                new String(inner, StandardCharsets.ISO_8859_1).contains(new String(n, StandardCharsets.ISO_8859_1));
        assertThat(new ByteSearch(needle).contains(h, 2, 2 + inner.length)).isEqualTo(want);
    }

    @Test
    void indexOf_longHaystack_findsNeedleAtEveryAlignment() {
        for (int at = 0; at < 40; at++) {
            byte[] h = ("x".repeat(at) + "Needle!" + "y".repeat(40 - at)).getBytes(StandardCharsets.UTF_8);
            assertThat(new ByteSearch("Needle!").indexOf(h, 0, h.length)).isEqualTo(at);
            assertThat(new ByteSearch("Needle!").indexOf(h, 0, at + 6)).isEqualTo(-1);
        }
    }
}
