package io.spillway.cli;

import io.spillway.config.ConfigException;
import io.spillway.node.ConfigLoader;
import io.spillway.node.NodeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options that choose a configuration, shared by commands that start or check one. */
final class ConfigOptions {
    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "YAML config file. Without one, every key takes its default.")
    @Nullable
    Path file;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = {
                "Override one config key, e.g. --set inputs.syslog.max_frame=128KiB. Repeatable; applied after the"
                        + " file."
            })
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Where Spillway keeps its files (the data_dir key; default ./data).")
    @Nullable
    Path dataDir;

    NodeConfig load() throws ConfigException {
        NodeConfig c = ConfigLoader.load(file, overrides);
        return dataDir == null ? c : c.withDataDir(dataDir);
    }
}
