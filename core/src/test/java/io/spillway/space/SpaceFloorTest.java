package io.spillway.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpaceFloorTest {
    private static final long MiB = 1024 * 1024;

    @Test
    void parse_smallerOf_takesThePercentageOnASmallDiskAndTheSizeOnABigOne() {
        SpaceFloor f = SpaceFloor.parse("min(5%, 256MiB)");
        assertThat(f).isEqualTo(SpaceFloor.DEFAULT);
        assertThat(f.bytesFor(64 * MiB)).isEqualTo((long) Math.ceil(64 * MiB * 0.05));
        assertThat(f.bytesFor(1L << 40)).isEqualTo(256 * MiB);
        assertThat(SpaceFloor.parse("min(256MiB, 5%)")).as("either order").isEqualTo(f);
    }

    @Test
    void parse_oldSpellings_stillWork() {
        assertThat(SpaceFloor.parse("256MiB").bytesFor(64 * MiB)).isEqualTo(256 * MiB);
        assertThat(SpaceFloor.parse("5%").bytesFor(1000)).isEqualTo(50);
        assertThat(SpaceFloor.parse("0").isOff()).isTrue();
        assertThat(SpaceFloor.parse("min(0%, 256MiB)").isOff()).isTrue();
    }

    @Test
    void toString_parsesBackToTheSameFloor() {
        for (String s : new String[] {"min(5%, 256MiB)", "min(0.5%, 1GiB)", "5%", "2GiB", "0"}) {
            SpaceFloor f = SpaceFloor.parse(s);
            assertThat(SpaceFloor.parse(f.toString())).as(s).isEqualTo(f);
        }
        assertThat(SpaceFloor.DEFAULT.toString()).isEqualTo("min(5%, 256MiB)");
    }

    @Test
    void parse_twoOfAKind_orGarbage_failsSayingWhatIsExpected() {
        assertThatThrownBy(() -> SpaceFloor.parse("min(5%, 6%)")).hasMessageContaining("one percentage and one size");
        assertThatThrownBy(() -> SpaceFloor.parse("min(5%)")).hasMessageContaining("min(5%, 256MiB)");
        assertThatThrownBy(() -> SpaceFloor.parse("lots")).hasMessageContaining("percentage");
        assertThatThrownBy(() -> SpaceFloor.parse("min(100%, 1GiB)")).hasMessageContaining("[0, 100)");
    }
}
