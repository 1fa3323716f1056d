package io.spillway.node;

import io.spillway.diskguard.DiskGuard;
import io.spillway.diskguard.DiskGuardConfig;
import io.spillway.guard.DropLedger;
import io.spillway.input.http.HttpIngestConfig;
import io.spillway.input.http.LogplexDecoder;
import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.input.tail.ContainerMetadata;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.OutputWorker;
import io.spillway.server.HttpConfig;
import io.spillway.server.HttpServer;
import io.spillway.server.IngestRoutes;
import io.spillway.server.LogRoutes;
import io.spillway.space.DiskSpace;
import io.spillway.store.LogReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds inputs and outputs from the config sections; one method per section. */
final class Wiring {
    private static final Logger log = LoggerFactory.getLogger(Wiring.class);

    private Wiring() {}

    static void ingest(Node node, HttpServer http) {
        HttpIngestConfig c = node.config().inputs().http();
        HttpConfig hc = node.config().http();
        if (hc.ingestAuth() == HttpConfig.IngestAuth.NONE && !hc.loopbackOnly()) {
            log.warn(
                    "http ingest (POST /api/v1/ingest) on {} is open to anyone who reaches the port: any client can"
                            + " write lines into any app's logs; set http.ingest_auth: token to require a token",
                    hc.listen());
        }
        LogplexDecoder logplex = new LogplexDecoder(
                new SyslogDecoder(node.clock()), c.maxRecord().toIntBytes(), c.maxRecords());
        IngestRoutes routes = new IngestRoutes(
                c,
                logplex,
                (records, onDurable) -> node.pipeline().acceptDurable(records, onDurable),
                node.httpMetrics(),
                node.clock(),
                node.host(),
                app -> node.guard()
                        .rateLimit()
                        .retryAfter(app)
                        .map(d -> (d.toMillis() + 999) / 1000)
                        .orElse(1L),
                hc.ingestAuth(),
                node.tokens());
        http.routes(routes::register);
    }

    /**
     * The disk guard over the configured paths, or by default Docker's root (when present) and the
     * data dir. Apps of log files come from the same container metadata the tail input reads.
     */
    static @org.jspecify.annotations.Nullable DiskGuard diskGuard(Node node) {
        DiskGuardConfig c = node.config().diskGuard();
        if (!c.enabled()) {
            return null;
        }
        List<Path> paths = new ArrayList<>(c.paths());
        if (paths.isEmpty()) {
            Path docker = Path.of("/var/lib/docker");
            if (Files.isDirectory(docker)) {
                paths.add(docker);
            }
            paths.add(node.dataDir());
        }
        String appLabel = node.config().inputs().tail().appLabel();
        Path pods = c.pods().toAbsolutePath();
        return new DiskGuard(
                c,
                paths,
                node.host(),
                file -> file.toAbsolutePath().startsWith(pods)
                        ? ContainerMetadata.cri(file).app()
                        : ContainerMetadata.docker(file, appLabel).app(),
                p -> {
                    try {
                        Files.createDirectories(p);
                    } catch (java.io.IOException e) {
                        // Measured as unavailable: the guard logs it on every tick.
                    }
                    return DiskSpace.of(p);
                },
                node.events(),
                node.metrics(),
                node.clock());
    }

    /**
     * The read API over the store {@code reader} names (null until the store opens in {@link
     * Node#start}), with the node's tokens and the drop ledger's totals.
     */
    static void api(Node node, HttpServer http, Supplier<@Nullable LogReader> reader) {
        LogRoutes routes = new LogRoutes(
                reader,
                node.tokens(),
                () -> dropTotals(node.drops()),
                node.config().http(),
                node.clock());
        http.routes(routes::register);
    }

    /** The dashboard (docs/dashboard.md) on the node's HTTP server; incidents are shown when the engine is wired. */
    static void dashboard(Node node, HttpServer http, Supplier<@Nullable LogReader> reader) {
        io.spillway.server.dashboard.Dashboard dashboard = new io.spillway.server.dashboard.Dashboard(
                new io.spillway.server.dashboard.DashboardSources(
                        node.host(),
                        reader,
                        node.tokens(),
                        () -> dropTotals(node.drops()),
                        () -> {
                            DiskGuard g = node.diskGuard();
                            return g == null ? List.of() : g.status();
                        },
                        node.config().diskGuard().enabled()
                                ? "warn " + node.config().diskGuard().warn() + ", critical "
                                        + node.config().diskGuard().critical() + ", emergency "
                                        + node.config().diskGuard().emergency()
                                : "",
                        () -> node.pipeline().outputs().stream()
                                .map(w -> new io.spillway.server.dashboard.DashboardSources.BufferUse(
                                        w.name(),
                                        w.buffer().records(),
                                        w.buffer().bytes()))
                                .toList(),
                        () -> io.spillway.config.ConfigBinder.toTree(node.config()),
                        app -> io.spillway.config.ConfigBinder.toTree(
                                node.config().guard().settingsFor(app)),
                        () -> {
                            io.spillway.alert.IncidentEngine e = node.incidents();
                            return e == null ? null : io.spillway.server.dashboard.IncidentView.of(e);
                        }),
                java.time.Duration.ofSeconds(5),
                node.config().http().maxTails(),
                node.config().http().tailHeartbeat(),
                node.config().guard().maxApps(),
                node.clock());
        http.routes(dashboard::register);
    }

    /**
     * The incident API, the alert intake and the ack-link pages over the engine {@code engine} names
     * (null until it opens in {@link Node#start}), with the node's tokens.
     */
    static void incidents(Node node, HttpServer http, Supplier<io.spillway.alert.@Nullable IncidentEngine> engine) {
        io.spillway.server.IncidentRoutes routes = new io.spillway.server.IncidentRoutes(
                engine, node.tokens(), node.config().alert().intake(), node.clock());
        http.routes(routes::register);
    }

    /** Records dropped since start, per app and reason. */
    static Map<String, Map<String, Long>> dropTotals(DropLedger ledger) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        ledger.snapshot().forEach((app, reasons) -> {
            Map<String, Long> m = new TreeMap<>();
            reasons.forEach((reason, counts) -> m.put(reason, counts.records()));
            out.put(app, m);
        });
        return out;
    }

    /** One line per input and output (as each describes itself), the disk guard and alerting. */
    static List<String> describe(Node node) {
        List<String> lines = new ArrayList<>();
        for (Input input : node.inputs()) {
            lines.add(banner(input.name(), input.describe()));
        }
        for (OutputWorker w : node.pipeline().outputs()) {
            lines.add(banner(w.output().name(), w.output().describe()));
        }
        DiskGuard dg = node.diskGuard();
        if (dg != null) {
            DiskGuardConfig c = node.config().diskGuard();
            lines.add("disk     "
                    + dg.status().stream().map(f -> f.path().toString()).toList() + " warn "
                    + c.warn() + ", critical " + c.critical() + ", emergency " + c.emergency()
                    + (c.reclaim() == io.spillway.diskguard.Reclaim.TRUNCATE ? ", reclaim: truncate" : ""));
        }
        lines.add(node.alerting().describe());
        return lines;
    }

    /** {@code "NAME     what"}: the component's name padded to the banner's column. */
    private static String banner(String name, String what) {
        return (String.format(java.util.Locale.ROOT, "%-8s ", name) + what).strip();
    }
}
