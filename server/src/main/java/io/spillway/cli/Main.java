package io.spillway.cli;

import io.spillway.SuppressForbidden;
import io.spillway.node.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code spillway}: the one binary of every role. The only class that calls {@code System.exit}. */
@Command(
        name = "spillway",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = {
            "A bounded, fair log plane for container hosts: it takes every container's logs off the host's disk,"
                    + " keeps them readable, and never lets one app fill a disk or starve another app's logs.",
            ""
        },
        footer = {
            "",
            "Start here:  spillway run     (zero configuration; listens on 127.0.0.1 only)",
            "Then:        logger -n 127.0.0.1 -P 5514 -T --octet-count -t web hello",
            "             spillway logs web -f",
            "             curl -s 127.0.0.1:8080/metrics | grep spillway_input",
            "",
            "Every command has --help."
        },
        subcommands = {
            RunCommand.class,
            LogsCommand.class,
            IncidentsCommand.class,
            IncidentsCommand.Ack.class,
            IncidentsCommand.Resolve.class,
            NotifyCommand.class,
            TokenCommand.class,
            ConfigCommand.class,
            FloodCommand.class,
            SoakCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    @SuppressForbidden(reason = "the CLI is the one place that ends the process, with the command's exit code")
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl.execute(args);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "spillway " + Version.get(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")"
            };
        }
    }
}
