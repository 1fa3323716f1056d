package io.spillway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigBinderTest {
    enum Mode {
        FAST,
        SAFE_MODE
    }

    record Tcp(ListenAddress listen, DataSize maxFrame, int maxConnections, Duration idleTimeout) {
        Tcp {
            Check.atLeast(maxConnections, 1, "max_connections");
            Check.atLeast(maxFrame, DataSize.ofBytes(64), "max_frame");
        }

        public static Tcp defaults() {
            return new Tcp(ListenAddress.loopback(5514), DataSize.ofKiB(64), 100, Duration.ofMinutes(5));
        }
    }

    record Root(
            boolean enabled, String name, Mode mode, Path dir, Tcp tcp, List<String> tags, Map<String, Tcp> perApp) {
        public static Root defaults() {
            return new Root(true, "x", Mode.FAST, Path.of("data"), Tcp.defaults(), List.of(), Map.of());
        }
    }

    private static Root bind(String yaml) throws ConfigException {
        return ConfigBinder.bind(Root.class, ConfigBinder.readYaml(yaml, "test.yaml"));
    }

    @Test
    void bind_emptyDocument_givesDefaults() throws Exception {
        assertThat(bind("")).isEqualTo(Root.defaults());
    }

    @Test
    void bind_partialNested_keepsOtherDefaults() throws Exception {
        Root r = bind("tcp:\n  max_frame: 128KiB\nmode: safe_mode\ntags: [a, b]\n");
        assertThat(r.tcp().maxFrame()).isEqualTo(DataSize.ofKiB(128));
        assertThat(r.tcp().maxConnections()).isEqualTo(100);
        assertThat(r.tcp().listen()).isEqualTo(ListenAddress.loopback(5514));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.tags()).containsExactly("a", "b");
    }

    @Test
    void bind_mapOfRecords_startsEachFromDefaults() throws Exception {
        Root r = bind("per_app:\n  web-*:\n    max_connections: 7\n");
        assertThat(r.perApp().get("web-*").maxConnections()).isEqualTo(7);
        assertThat(r.perApp().get("web-*").maxFrame()).isEqualTo(DataSize.ofKiB(64));
    }

    @Test
    void bind_badSize_namesKeyPathAndExpectation() {
        assertThatThrownBy(() -> bind("tcp:\n  max_frame: lots\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("tcp.max_frame: expected a size like 64KiB, 10MB or 1GiB, got \"lots\"");
    }

    @Test
    void bind_severalProblems_reportsAllAtOnce() {
        assertThatThrownBy(() -> bind("tcp:\n  max_frame: lots\n  idle_timeout: 5\nenabled: maybe\nbogus: 1\n"))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems())
                                .containsExactlyInAnyOrder(
                                        "tcp.max_frame: expected a size like 64KiB, 10MB or 1GiB, got \"lots\"",
                                        "tcp.idle_timeout: expected a duration like 10s, 5m or 250ms, got \"5\"",
                                        "enabled: expected true or false, got \"maybe\"",
                                        "bogus: unknown key; known keys here are dir, enabled, mode, name, per_app, tags, tcp"));
    }

    @Test
    void bind_constructorCheckFails_namesFullPath() {
        assertThatThrownBy(() -> bind("tcp:\n  max_connections: 0\n"))
                .hasMessage("tcp.max_connections: must be at least 1, got 0");
    }

    @Test
    void bind_badEnum_listsChoices() {
        assertThatThrownBy(() -> bind("mode: turbo\n"))
                .hasMessage("mode: expected one of fast, safe_mode, got \"turbo\"");
    }

    @Test
    void bind_scalarWhereMappingExpected_saysSo() {
        assertThatThrownBy(() -> bind("tcp: 5\n")).hasMessage("tcp: expected a mapping of keys, got \"5\"");
    }

    @Test
    void readYaml_invalidYaml_givesLineAndColumn() {
        assertThatThrownBy(() -> ConfigBinder.readYaml("a: [1, 2\nb: 3\n", "bad.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("bad.yaml: not valid YAML at line");
    }

    @Test
    void applyOverride_setsNestedValueReadAsYaml() throws Exception {
        ObjectNode tree = ConfigBinder.readYaml("tcp:\n  max_connections: 3\n", "t");
        ConfigBinder.applyOverride(tree, "tcp.max_frame=1MiB");
        ConfigBinder.applyOverride(tree, "enabled=false");
        ConfigBinder.applyOverride(tree, "tags=[x, y]");
        Root r = ConfigBinder.bind(Root.class, tree);
        assertThat(r.tcp().maxFrame()).isEqualTo(DataSize.ofMiB(1));
        assertThat(r.tcp().maxConnections()).isEqualTo(3);
        assertThat(r.enabled()).isFalse();
        assertThat(r.tags()).containsExactly("x", "y");
    }

    @Test
    void applyOverride_withoutEquals_isRejected() {
        assertThatThrownBy(() -> ConfigBinder.applyOverride(ConfigBinder.readYaml("", "t"), "tcp.max_frame"))
                .hasMessageContaining("expected path.to.key=value");
    }

    @Test
    void toTree_roundTripsThroughBind() throws Exception {
        Root custom = bind("tcp:\n  max_frame: 3MiB\n  idle_timeout: 90s\nmode: safe_mode\n");
        String yaml = ConfigBinder.toYaml(ConfigBinder.toTree(custom));
        assertThat(bind(yaml)).isEqualTo(custom);
    }
}
