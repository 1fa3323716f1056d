package io.spillway.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
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

    /**
     * Each documented default is the default: setting a key to the value its row gives changes
     * nothing in {@link NodeConfig#defaults()}. Compared after binding, so {@code 10s} and {@code
     * 10000ms} are the same default, and a default that changes in the code fails here until its row
     * does too. Rows whose default is words rather than a value are listed in {@link #DESCRIBED}.
     */
    @Test
    void configurationReference_everyDefaultIsTheCodesDefault() throws Exception {
        Map<String, String> documented = documentedDefaults(Files.readString(DOC));
        NodeConfig defaults = NodeConfig.defaults();
        List<String> wrong = new ArrayList<>();
        List<String> keys = leafKeys(ConfigBinder.toTree(defaults), "");
        for (String key : keys) {
            String cell = documented.get(key);
            if (cell == null) {
                continue; // configurationReference_namesEveryKey reports it
            }
            if (DESCRIBED.contains(key)) {
                continue;
            }
            if (!(cell.startsWith("`") && cell.endsWith("`") && cell.indexOf('`', 1) == cell.length() - 1)) {
                wrong.add(key + ": the default column holds " + cell + ", not one `value`");
                continue;
            }
            String value = cell.substring(1, cell.length() - 1);
            NodeConfig set;
            try {
                set = ConfigLoader.load(null, List.of(key + "=" + value));
            } catch (ConfigException e) {
                try {
                    set = ConfigLoader.load(null, List.of(key + "='" + value.replace("'", "''") + "'"));
                } catch (ConfigException again) {
                    wrong.add(key + ": the documented default " + cell + " does not bind: " + e.getMessage());
                    continue;
                }
            }
            if (!set.equals(defaults)) {
                wrong.add(key + ": documented " + cell + ", but the default is "
                        + at(ConfigBinder.toTree(defaults), key) + " (setting the documented value gives "
                        + at(ConfigBinder.toTree(set), key) + ")");
            }
        }
        for (String key : DESCRIBED) {
            assertThat(keys).as("a described default's key exists").contains(key);
            JsonNode value = at(ConfigBinder.toTree(defaults), key);
            assertThat(value.isNull() || value.asText().isEmpty())
                    .as(key + " is described as empty, and is " + value)
                    .isTrue();
        }
        assertThat(wrong).as("defaults in " + DOC + " that are not the code's").isEmpty();
    }

    /**
     * Keys whose default column describes the default in words: empty in the code, and what empty
     * means (derived from another key, or required when the section is enabled) told in the row.
     */
    private static final java.util.Set<String> DESCRIBED =
            java.util.Set.of("alert.public_url", "alert.default_policy", "alert.dead_mans_switch.url");

    /** Key → default cell of every {@code | `key` | default | ... |} row. */
    private static Map<String, String> documentedDefaults(String doc) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String line : doc.split("\n")) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            if (cells.length < 4) {
                continue;
            }
            String key = cells[1].trim();
            if (key.startsWith("`") && key.endsWith("`")) {
                out.put(key.substring(1, key.length() - 1), cells[2].trim());
            }
        }
        return out;
    }

    private static JsonNode at(JsonNode tree, String key) {
        JsonNode n = tree;
        for (String part : key.split("\\.")) {
            n = n.path(part);
        }
        return n;
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
