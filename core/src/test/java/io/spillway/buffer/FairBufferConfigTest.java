package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.config.DataSize;
import io.spillway.space.SpaceFloor;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FairBufferConfigTest {

    @Test
    void bind_empty_givesDefaults() throws ConfigException {
        FairBufferConfig c = ConfigBinder.bind(FairBufferConfig.class, ConfigBinder.readYaml("{}", "test"));
        assertThat(c).isEqualTo(FairBufferConfig.defaults());
        assertThat(c.memory()).isEqualTo(DataSize.ofMiB(64));
        assertThat(c.disk()).isEqualTo(DataSize.ofGiB(1));
        assertThat(c.floor()).isEqualTo(SpaceFloor.DEFAULT);
        assertThat(c.shed()).isEqualTo(FairBufferConfig.Shed.NEWEST);
        assertThat(c.quantum()).isEqualTo(DataSize.ofKiB(64));
        assertThat(c.fsync()).isEqualTo(FairBufferConfig.Fsync.INTERVAL);
        assertThat(c.fsyncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.segmentSize()).isEqualTo(DataSize.ofMiB(16));
        assertThat(c.maxApps()).isEqualTo(10_000);
    }

    @Test
    void bind_userYaml_setsEveryKey() throws ConfigException {
        String yaml = """
                memory: 8MiB
                disk: 256MiB
                floor: 2GiB
                shed: oldest
                quantum: 16KiB
                fsync: always
                fsync_interval: 250ms
                segment_size: 4MiB
                max_apps: 100
                """;
        FairBufferConfig c = ConfigBinder.bind(FairBufferConfig.class, ConfigBinder.readYaml(yaml, "test"));
        assertThat(c.floor()).isEqualTo(SpaceFloor.ofBytes(DataSize.ofGiB(2).bytes()));
        assertThat(c.shed()).isEqualTo(FairBufferConfig.Shed.OLDEST);
        assertThat(c.fsync()).isEqualTo(FairBufferConfig.Fsync.ALWAYS);
        assertThat(c.fsyncInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.maxApps()).isEqualTo(100);
    }

    @Test
    void bind_diskSmallerThanFourSegments_failsNamingTheKey() {
        assertThatThrownBy(() -> ConfigBinder.bind(
                        FairBufferConfig.class, ConfigBinder.readYaml("disk: 32MiB\nsegment_size: 16MiB", "test")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("disk");
    }

    @Test
    void bind_badFloor_failsNamingTheKey() {
        assertThatThrownBy(() -> ConfigBinder.bind(FairBufferConfig.class, ConfigBinder.readYaml("floor: 150%", "t")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("floor");
    }

    @Test
    void bind_diskZero_isMemoryOnly() throws ConfigException {
        FairBufferConfig c = ConfigBinder.bind(FairBufferConfig.class, ConfigBinder.readYaml("disk: 0", "t"));
        assertThat(c.disk().bytes()).isZero();
    }

    @Test
    void spaceFloor_parse_percentAndSize() {
        assertThat(SpaceFloor.parse("5%").bytesFor(1000)).isEqualTo(50);
        assertThat(SpaceFloor.parse("0.5%").bytesFor(1000)).isEqualTo(5);
        assertThat(SpaceFloor.parse("2GiB").bytesFor(1)).isEqualTo(2L << 30);
        assertThat(SpaceFloor.parse("0").bytesFor(1000)).isZero();
        assertThat(SpaceFloor.parse(SpaceFloor.parse("5%").toString())).isEqualTo(SpaceFloor.parse("5%"));
        assertThat(SpaceFloor.parse(SpaceFloor.parse("2GiB").toString())).isEqualTo(SpaceFloor.parse("2GiB"));
        assertThatThrownBy(() -> SpaceFloor.parse("lots")).hasMessageContaining("percentage");
        assertThatThrownBy(() -> SpaceFloor.parse("100%")).hasMessageContaining("[0, 100)");
    }
}
