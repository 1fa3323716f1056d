package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.config.DataSize;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreConfigTest {
    static StoreConfig bind(String yaml) throws ConfigException {
        return ConfigBinder.bind(StoreConfig.class, ConfigBinder.readYaml(yaml, "test"));
    }

    @Test
    void defaults_documentedValues() {
        StoreConfig d = StoreConfig.defaults();
        assertThat(d.enabled()).isTrue();
        assertThat(d.maxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(d.maxTotal()).isEqualTo(DataSize.ofGiB(2));
        assertThat(d.maxPerApp()).isEqualTo(DataSize.ofMiB(512));
        assertThat(d.chunkSize()).isEqualTo(DataSize.ofMiB(4));
        assertThat(d.queryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.queryMaxScan()).isEqualTo(DataSize.ofGiB(1));
        assertThat(d.tailQueue()).isEqualTo(10_000);
        assertThat(d.resolveDir(Path.of("/data"))).isEqualTo(Path.of("/data/store"));
    }

    @Test
    void yaml_overridesAndGlobs_bound() throws ConfigException {
        StoreConfig c = bind("""
                max_age: 2d
                max_total: 10GiB
                max_per_app: 1GiB
                apps:
                  billing: 4GiB
                  "web-*": 64MiB
                chunk_size: 1MiB
                query_timeout: 2s
                """);
        assertThat(c.maxBytesFor("billing")).isEqualTo(DataSize.ofGiB(4).bytes());
        assertThat(c.maxBytesFor("web-42")).isEqualTo(DataSize.ofMiB(64).bytes());
        assertThat(c.maxBytesFor("other")).isEqualTo(DataSize.ofGiB(1).bytes());
        assertThat(c.maxAge()).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void yaml_inconsistentCaps_rejectedWithKey() {
        assertThatThrownBy(() -> bind("max_per_app: 4GiB\nmax_total: 2GiB")).hasMessageContaining("max_per_app");
        assertThatThrownBy(() -> bind("chunk_size: 1KiB")).hasMessageContaining("chunk_size");
        assertThatThrownBy(() -> bind("max_total: 8MiB")).hasMessageContaining("max_total");
        assertThatThrownBy(() -> bind("apps: {\"bad/name\": 1GiB}")).hasMessageContaining("apps.bad/name");
        assertThatThrownBy(() -> bind("max_age: 10m")).hasMessageContaining("max_age");
        assertThatThrownBy(() -> bind("query_max_scan: 1KiB")).hasMessageContaining("query_max_scan");
    }
}
