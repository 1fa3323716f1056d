package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class ByteSearchTest {
    @Property
    void indexOf_anyText_agreesWithString(
            @ForAll @CharRange(from = 'a', to = 'e') @StringLength(max = 80) String hay,
            @ForAll @CharRange(from = 'a', to = 'e') @StringLength(max = 4) String needle) {
        byte[] h = hay.getBytes(StandardCharsets.UTF_8);
        assertThat(new ByteSearch(needle).indexOf(h, 0, h.length)).isEqualTo(hay.indexOf(needle));
    }

    @Property
    void contains_subRange_onlyInsideRange(
            @ForAll @StringLength(max = 60) String hay, @ForAll @StringLength(min = 1, max = 3) String needle) {
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
