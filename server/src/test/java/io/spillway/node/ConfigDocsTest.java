package io.spillway.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.config.ConfigBinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration reference names every key there is, so the docs cannot silently fall behind. */
class ConfigDocsTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final Path EXAMPLE = Path.of("..", "docs", "examples", "spillway.yaml");

    @Test
    void configurationReference_namesEveryKey() throws Exception {
        String doc = Files.readString(DOC);
        List<String> missing = new ArrayList<>();
        for (String key : leafKeys(ConfigBinder.toTree(NodeConfig.defaults()), "")) {
            if (!doc.contains("`" + key + "`")) {
                missing.add(key);
            }
        }
        assertThat(missing).as("keys missing from " + DOC).isEmpty();
    }

    @Test
    void exampleConfig_isValid() throws Exception {
        NodeConfig c = ConfigLoader.load(EXAMPLE, List.of());
        assertThat(c).isNotEqualTo(NodeConfig.defaults());
    }

    @Test
    void exampleConfig_appGlobs_namesTheSameAppsEverywhere() throws Exception {
        // One noisy app, named by the same glob wherever the example gives it a policy: a glob that
        // differs by a letter in one place silently leaves the app without that policy.
        JsonNode tree = ConfigBinder.readYaml(EXAMPLE);
        java.util.Set<String> guard = new java.util.TreeSet<>();
        tree.path("guard").path("apps").fieldNames().forEachRemaining(guard::add);
        java.util.Set<String> store = new java.util.TreeSet<>();
        tree.path("outputs").path("store").path("apps").fieldNames().forEachRemaining(store::add);
        assertThat(guard).as("guard.apps globs").isNotEmpty();
        assertThat(store).as("outputs.store.apps globs").isEqualTo(guard);
    }

    private static List<String> leafKeys(JsonNode node, String prefix) {
        List<String> out = new ArrayList<>();
        if (!node.isObject() || node.isEmpty()) {
            out.add(prefix);
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.addAll(leafKeys(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey()));
        }
        return out;
    }
}
