package io.spillway.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Reads the config file (if any), applies {@code --set} overrides, and binds the result. */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static NodeConfig load(@Nullable Path file, List<String> overrides) throws ConfigException {
        ObjectNode tree = file == null ? ConfigBinder.readYaml("", "defaults") : ConfigBinder.readYaml(file);
        for (String o : overrides) {
            ConfigBinder.applyOverride(tree, o);
        }
        return ConfigBinder.bind(NodeConfig.class, tree);
    }
}
