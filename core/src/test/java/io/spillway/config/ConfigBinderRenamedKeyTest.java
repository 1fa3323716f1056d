package io.spillway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys in a former spelling ({@link RenamedFrom}) and components that are not keys ({@link NotAKey}). */
class ConfigBinderRenamedKeyTest {
    record Buffer(DataSize memory, @RenamedFrom("floor") DataSize minFreeSpace) {
        Buffer {
            Check.atLeast(minFreeSpace, DataSize.ofBytes(0), "min_free_space");
        }

        public static Buffer defaults() {
            return new Buffer(DataSize.ofMiB(64), DataSize.ofMiB(256));
        }
    }

    record Root(Buffer buffer, @NotAKey String note) {
        public static Root defaults() {
            return new Root(Buffer.defaults(), "from defaults");
        }
    }

    private final Map<String, String> written = new LinkedHashMap<>();

    private Root bind(String yaml) throws ConfigException {
        return ConfigBinder.bind(Root.class, ConfigBinder.readYaml(yaml, "test.yaml"), written);
    }

    @Test
    void bind_formerKey_boundAndReportedAsWritten() throws Exception {
        Root r = bind("buffer: {floor: 1GiB}");
        assertThat(r.buffer().minFreeSpace()).isEqualTo(DataSize.ofGiB(1));
        assertThat(written).containsExactly(Map.entry("buffer.min_free_space", "buffer.floor"));
        assertThat(new WrittenKeys(written).of("buffer.min_free_space")).isEqualTo("buffer.floor");
        assertThat(new WrittenKeys(written).of("outputs.file.min_free_space")).isEqualTo("outputs.file.min_free_space");
    }

    @Test
    void bind_currentKey_nothingReported() throws Exception {
        Root r = bind("buffer: {min_free_space: 1GiB}");
        assertThat(r.buffer().minFreeSpace()).isEqualTo(DataSize.ofGiB(1));
        assertThat(written).isEmpty();
    }

    @Test
    void bind_bothSpellings_rejectedNamingBoth() {
        assertThatThrownBy(() -> bind("buffer: {floor: 1GiB, min_free_space: 2GiB}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("buffer.floor: the former spelling of buffer.min_free_space, which is set too");
    }

    @Test
    void bind_badValueUnderFormerKey_problemNamesTheKeyAsWritten() {
        assertThatThrownBy(() -> bind("buffer: {floor: lots}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("buffer.floor: ");
    }

    @Test
    void bind_unknownKey_listsOnlyCurrentSpellings() {
        assertThatThrownBy(() -> bind("buffer: {flor: 1GiB}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("known keys here are memory, min_free_space");
    }

    @Test
    void toTree_printsTheCurrentSpellingOnly_andNoNonKey() throws Exception {
        String tree = ConfigBinder.toTree(bind("buffer: {floor: 1GiB}")).toString();
        assertThat(tree).contains("min_free_space").doesNotContain("floor").doesNotContain("note");
    }

    @Test
    void bind_notAKey_keepsItsStartingValue_andIsUnknownInTheFile() throws Exception {
        assertThat(bind("buffer: {memory: 1MiB}").note()).isEqualTo("from defaults");
        assertThatThrownBy(() -> bind("note: set by hand"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("note: unknown key; known keys here are buffer");
    }
}
