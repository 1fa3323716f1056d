package io.spillway.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads the config file (if any), applies {@code --set} overrides, and binds the result.
 *
 * <p>Every problem it reports says where it came from, once: {@code FILE: key: message} for a key
 * of the file, {@code --set: key: message} for a key an override set, and the file's own reading
 * and parsing errors as {@link ConfigBinder#readYaml(Path)} words them (they name the file).
 * Callers print the problems as they are.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static NodeConfig load(@Nullable Path file, List<String> overrides) throws ConfigException {
        ObjectNode tree = file == null ? ConfigBinder.readYaml("", "defaults") : ConfigBinder.readYaml(file);
        List<String> problems = new ArrayList<>();
        List<String> overridden = new ArrayList<>();
        for (String o : overrides) {
            try {
                ConfigBinder.applyOverride(tree, o);
                overridden.add(o.substring(0, o.indexOf('=')).trim());
            } catch (ConfigException e) {
                problems.addAll(e.problems()); // already "--set ASSIGNMENT: ..."
            }
        }
        try {
            NodeConfig config = ConfigBinder.bind(NodeConfig.class, tree);
            if (problems.isEmpty()) {
                return config;
            }
        } catch (ConfigException e) {
            for (String p : e.problems()) {
                problems.add(origin(p, file, overridden) + p);
            }
        }
        throw new ConfigException(problems);
    }

    /** {@code "--set: "} when the problem's key is one an override set (or lies under it), else the file. */
    private static String origin(String problem, @Nullable Path file, List<String> overridden) {
        int colon = problem.indexOf(": ");
        String key = colon < 0 ? problem : problem.substring(0, colon);
        for (String o : overridden) {
            if (key.equals(o) || key.startsWith(o + ".") || key.startsWith(o + "[") || o.startsWith(key + ".")) {
                return "--set: ";
            }
        }
        return file == null ? "" : file + ": ";
    }
}
