package io.spillway.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.config.WrittenKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the config file (if any), applies {@code --set} overrides, and binds the result.
 *
 * <p>Every problem it reports says where it came from, once: {@code FILE: key: message} for a key
 * of the file, {@code --set: key: message} for a key an override set, and the file's own reading
 * and parsing errors as {@link ConfigBinder#readYaml(Path)} words them (they name the file).
 * Callers print the problems as they are. A key written in a former spelling ({@link
 * io.spillway.config.RenamedFrom}) still works; it is logged once per load at WARN with the key that
 * replaces it, and the returned config's {@link NodeConfig#writtenKeys()} remembers the spelling.
 */
public final class ConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);

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
            Map<String, String> written = new LinkedHashMap<>();
            NodeConfig config = ConfigBinder.bind(NodeConfig.class, tree, written);
            if (problems.isEmpty()) {
                written.forEach((key, former) -> log.warn(
                        "{}{} is deprecated and will be removed: write {} instead (same value)",
                        origin(former, file, overridden),
                        former,
                        key));
                return config.withWrittenKeys(new WrittenKeys(written));
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
