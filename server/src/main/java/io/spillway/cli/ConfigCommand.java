package io.spillway.cli;

import io.spillway.alert.notify.Notifiers;
import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.node.NodeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spillway config check|defaults}. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Validate a configuration file, or print the defaults.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Defaults.class})
final class ConfigCommand {
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Validate FILE without starting anything: print every problem with its key path (exit 1), or 'ok'"
                        + " (exit 0).",
                "With --print, also print the effective configuration. Notifier targets are built as 'run' builds"
                        + " them, so a secret_env, password_env or routing_key_env naming an unset environment variable"
                        + " is reported here too: run the check in the environment Spillway runs in."
            })
    static final class Check implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The YAML file to check.")
        Path file;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key, as for 'run'.")
        java.util.List<String> overrides = new java.util.ArrayList<>();

        @Option(names = "--print", description = "Print the effective configuration (all keys, defaults filled in).")
        boolean print;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            NodeConfig c;
            try {
                c = io.spillway.node.ConfigLoader.load(file, overrides);
            } catch (ConfigException e) {
                // Each problem already says where it came from (the file, or --set).
                e.problems().forEach(err::println);
                return 1;
            }
            try {
                // The notifier targets, as `run` builds them: secrets named by *_env must be set here.
                Notifiers.closeAll(Notifiers.build(c.alert().targets()).values());
            } catch (ConfigException e) {
                e.problems().forEach(p -> err.println(file + ": " + p));
                return 1;
            }
            // The floors, against this machine's filesystems, as `run` checks them at start.
            java.util.List<String> floors = io.spillway.node.Node.floorProblems(c);
            if (!floors.isEmpty()) {
                floors.forEach(p -> err.println(file + ": " + p));
                return 1;
            }
            if (print) {
                out.print(ConfigBinder.toYaml(ConfigBinder.toTree(c)));
            }
            out.println(file + ": ok");
            return 0;
        }
    }

    @Command(
            name = "defaults",
            mixinStandardHelpOptions = true,
            description = "Print every key with its default value, as YAML.")
    static final class Defaults implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(ConfigBinder.toYaml(ConfigBinder.toTree(NodeConfig.defaults())));
            out.flush();
            return 0;
        }
    }
}
