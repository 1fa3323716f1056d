package io.spillway.cli;

import io.spillway.SuppressForbidden;
import io.spillway.config.DataSize;
import io.spillway.config.Durations;
import io.spillway.flood.Flood;
import io.spillway.flood.FloodReport;
import io.spillway.flood.Workload;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spillway flood}: replay the outage workload against a running Spillway. */
@Command(
        name = "flood",
        mixinStandardHelpOptions = true,
        description = {
            "Replay the outage against a running Spillway and report what each app lost.",
            "N quiet apps log steadily, plus one app logging ~7 KB Rails 'Parameters:' dumps far above its limit."
                    + " It reads back what arrived (the file output's per-app files) and reports per app: sent,"
                    + " delivered, lost, and p50/p99 delivery latency. Exit 0 when no quiet app lost a line, 3"
                    + " otherwise.",
            ""
        },
        footer = {
            "",
            "Example (against 'spillway run' in ./data):",
            "  spillway flood --duration 30s --quiet-apps 50 --quiet-rate 100 --noisy-rate 15000"
        })
final class FloodCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--via",
            paramLabel = "INPUT",
            defaultValue = "syslog",
            description = "Input to send through: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Via via;

    enum Via {
        syslog,
        http,
        forward,
        gelf
    }

    @Option(
            names = "--target",
            paramLabel = "ADDRESS",
            description = {
                "Where to send: with --via syslog the syslog TCP address (default 127.0.0.1:5514), with --via http"
                        + " the base URL (default http://127.0.0.1:8080), with --via forward the forward address"
                        + " (default 127.0.0.1:24224), with --via gelf the GELF TCP address (default 127.0.0.1:12201)."
            })
    @Nullable
    String target;

    @Option(
            names = "--files",
            paramLabel = "DIR",
            defaultValue = "data/files",
            description = "The file output's directory to read back from (default ${DEFAULT-VALUE}).")
    Path files;

    @Option(
            names = "--metrics",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:8080/metrics",
            description = "Spillway's /metrics, for drop reasons; 'none' to skip (default ${DEFAULT-VALUE}).")
    String metrics;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "How long to send (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "3s",
            description = {
                "Lines sent in the first DURATION are counted for loss and in p50/p99, but left out of the 'p99"
                        + " after' column: new apps' first lines wait while Spillway creates their files and queues,"
                        + " and the JVM compiles (default ${DEFAULT-VALUE}; 0s to count every line)."
            })
    String warmup;

    @Option(
            names = "--settle",
            paramLabel = "DURATION",
            defaultValue = "15s",
            description = "How long to wait for stragglers after sending (default ${DEFAULT-VALUE}).")
    String settle;

    @Option(
            names = "--quiet-apps",
            paramLabel = "N",
            defaultValue = "50",
            description = "Number of quiet apps (default ${DEFAULT-VALUE}).")
    int quietApps;

    @Option(
            names = "--quiet-rate",
            paramLabel = "LINES_PER_S",
            defaultValue = "100",
            description = "Lines/s of each quiet app (default ${DEFAULT-VALUE}).")
    double quietRate;

    @Option(
            names = "--quiet-size",
            paramLabel = "SIZE",
            defaultValue = "200",
            description = "Bytes per quiet line (default ${DEFAULT-VALUE}).")
    String quietSize;

    @Option(
            names = "--noisy-rate",
            paramLabel = "LINES_PER_S",
            defaultValue = "15000",
            description = "Lines/s of the noisy app; 0 for none (default ${DEFAULT-VALUE}, ~100x a 1 MiB/s limit).")
    double noisyRate;

    @Option(
            names = "--noisy-size",
            paramLabel = "SIZE",
            defaultValue = "7KiB",
            description = "Bytes per noisy line (default ${DEFAULT-VALUE}).")
    String noisySize;

    @Option(
            names = "--prefix",
            paramLabel = "PREFIX",
            defaultValue = "flood",
            description = "App name prefix (default ${DEFAULT-VALUE}): apps are PREFIX-quiet-NNN and PREFIX-noisy.")
    String prefix;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    @Nullable
    Path json;

    private InetSocketAddress address(String fallback) {
        var la = io.spillway.config.ListenAddress.parse(target == null ? fallback : target);
        return new InetSocketAddress(la.host(), la.port());
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        Workload w;
        Flood.TransportFactory transports;
        try {
            w = new Workload(
                    quietApps,
                    quietRate,
                    DataSize.parse(quietSize).toIntBytes(),
                    noisyRate,
                    DataSize.parse(noisySize).toIntBytes(),
                    Durations.parse(duration),
                    prefix,
                    Durations.parse(warmup));
            transports = switch (via) {
                case syslog -> Flood.viaSyslog(address("127.0.0.1:5514"));
                case forward -> Flood.viaForward(address("127.0.0.1:24224"));
                case gelf -> Flood.viaGelf(address("127.0.0.1:12201"));
                case http -> {
                    String base = target == null ? "http://127.0.0.1:8080" : target;
                    yield Flood.viaHttp(URI.create(base.replaceAll("/+$", "") + "/api/v1/ingest"));
                }
            };
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        URI metricsUri = metrics.equals("none") ? null : URI.create(metrics);
        out.printf(
                Locale.ROOT,
                "flood: %s via %s to %s; %d quiet apps x %.0f lines/s, noisy app %.0f lines/s of %s; reading back %s%n",
                duration,
                via,
                target == null ? "the default address" : target,
                quietApps,
                quietRate,
                noisyRate,
                noisySize,
                files.toAbsolutePath());
        Flood flood =
                new Flood(w, transports, files, metricsUri, Durations.parse(settle), progress(), System::nanoTime);
        FloodReport report = flood.run();
        report.print(out);
        if (json != null) {
            Files.writeString(json, report.toJson());
        }
        return report.quietAppsLostNothing() ? 0 : 3;
    }

    /** Progress lines go to the terminal's stderr, apart from the report on stdout. */
    @SuppressForbidden(reason = "the load generator reports progress on the terminal")
    private static PrintStream progress() {
        return System.err;
    }
}
