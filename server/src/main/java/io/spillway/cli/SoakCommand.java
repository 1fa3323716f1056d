package io.spillway.cli;

import io.spillway.config.DataSize;
import io.spillway.config.Durations;
import io.spillway.flood.Soak;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spillway soak}: a long run with kill -9 restarts, checking that nothing acknowledged is lost. */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description = {
            "Soak a Spillway node on a small filesystem, killing it with SIGKILL every few minutes.",
            "It starts its own node (this jar, 'spillway run') with its data on a tmpfs it mounts (root only;"
                    + " --no-mount uses --dir as it is), sends quiet apps and one noisy app through the"
                    + " acknowledged forward input, resending what was not acknowledged after each restart, and"
                    + " at the end reads every app back from the store. It reports acknowledged against"
                    + " delivered lines (a quiet app must lose none), the node's peak resident memory, and the"
                    + " disk's lowest free space against the floor. Exit 0 when both hold, 3 otherwise.",
            ""
        },
        footer = {"", "Example:", "  bin/soak --duration 30m --fs-size 256MiB --json soak.json"})
final class SoakCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "30m",
            description = "How long to send (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(
            names = "--fs-size",
            paramLabel = "SIZE",
            defaultValue = "256MiB",
            description = "Size of the tmpfs the node's data lives on (default ${DEFAULT-VALUE}).")
    String fsSize;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Working directory: the config, the node's log, and fs/ (default: a new temporary one).")
    @Nullable
    Path dir;

    @Option(names = "--no-mount", description = "Do not mount a tmpfs: use DIR/fs on whatever holds it.")
    boolean noMount;

    @Option(
            names = "--kill-every",
            paramLabel = "MIN-MAX",
            defaultValue = "2m-5m",
            description =
                    "Kill the node after a random time in this range, again and again (default" + " ${DEFAULT-VALUE}).")
    String killEvery;

    @Option(
            names = "--quiet-apps",
            paramLabel = "N",
            defaultValue = "10",
            description = "Quiet apps (default ${DEFAULT-VALUE}).")
    int quietApps;

    @Option(
            names = "--quiet-rate",
            paramLabel = "LINES_PER_S",
            defaultValue = "50",
            description = "Lines/s of each quiet app (default ${DEFAULT-VALUE}).")
    double quietRate;

    @Option(
            names = "--noisy-rate",
            paramLabel = "LINES_PER_S",
            defaultValue = "300",
            description = "Lines/s of the noisy app, about twice its 1 MiB/s limit at the default size (default"
                    + " ${DEFAULT-VALUE}).")
    double noisyRate;

    @Option(
            names = "--noisy-size",
            paramLabel = "SIZE",
            defaultValue = "7KiB",
            description = "Bytes per noisy line (default ${DEFAULT-VALUE}).")
    String noisySize;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description = "Seed of the kill times (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--node-set",
            paramLabel = "KEY=VALUE",
            description = "A --set for the node's config (repeatable), e.g. --node-set buffer.memory=16MiB.")
    List<String> nodeSettings = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    @Nullable
    Path json;

    @Override
    public Integer call() throws Exception {
        PrintStream out =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        Soak.Options options;
        try {
            String[] range = killEvery.split("-", 2);
            if (range.length != 2) {
                throw new IllegalArgumentException("--kill-every: expected MIN-MAX like 2m-5m, got " + killEvery);
            }
            Path work = dir != null ? dir : Files.createTempDirectory("spillway-soak-");
            String opts = System.getenv("SPILLWAY_JAVA_OPTS");
            options = new Soak.Options(
                    Durations.parse(duration),
                    DataSize.parse(fsSize).bytes(),
                    work,
                    !noMount,
                    Durations.parse(range[0]),
                    Durations.parse(range[1]),
                    quietApps,
                    quietRate,
                    noisyRate,
                    DataSize.parse(noisySize).toIntBytes(),
                    seed,
                    List.copyOf(nodeSettings),
                    opts == null || opts.isBlank()
                            ? List.of()
                            : List.of(opts.trim().split("\\s+")));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Soak.Report report = new Soak(options, out).run();
        Soak.print(report, out);
        if (json != null) {
            Files.writeString(json, Soak.toJson(report));
        }
        return report.passed() ? 0 : 3;
    }
}
