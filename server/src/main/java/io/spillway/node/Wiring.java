package io.spillway.node;

import io.spillway.input.http.HttpIngestConfig;
import io.spillway.input.http.LogplexDecoder;
import io.spillway.input.syslog.SyslogConfig;
import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.input.syslog.SyslogInput;
import io.spillway.output.file.FileOutput;
import io.spillway.output.file.FileOutputConfig;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.OutputWorker;
import io.spillway.server.HttpServer;
import io.spillway.server.IngestRoutes;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/** Builds inputs and outputs from the config sections; one method per section. */
final class Wiring {
    private Wiring() {}

    static void inputs(Node node, List<Input> into) {
        SyslogConfig syslog = node.config().inputs().syslog();
        if (syslog.enabled()) {
            into.add(new SyslogInput(syslog, new InputMetrics(node.metrics(), "syslog"), InstantSource.system()));
        }
    }

    static void ingest(Node node, HttpServer http) {
        HttpIngestConfig c = node.config().inputs().http();
        LogplexDecoder logplex = new LogplexDecoder(
                new SyslogDecoder(InstantSource.system()), c.maxRecord().toIntBytes(), c.maxRecords());
        IngestRoutes routes = new IngestRoutes(
                c,
                logplex,
                (records, onDurable) -> node.pipeline().acceptDurable(records, onDurable),
                new InputMetrics(node.metrics(), "http"),
                InstantSource.system(),
                node.host(),
                app -> node.guard()
                        .rateLimit()
                        .retryAfter(app)
                        .map(d -> (d.toMillis() + 999) / 1000)
                        .orElse(1L));
        http.routes(routes::register);
    }

    static void outputs(Node node, List<OutputWorker> into) {
        FileOutputConfig file = node.config().outputs().file();
        if (file.enabled()) {
            into.add(node.worker(new FileOutput("file", file, file.resolveDir(node.dataDir()), node.metrics())));
        }
    }

    static List<String> describe(Node node) {
        List<String> lines = new ArrayList<>();
        for (Input input : node.inputs()) {
            if (input instanceof SyslogInput s) {
                lines.add("syslog   "
                        + (s.tcpPort() > 0
                                ? "tcp "
                                        + node.config()
                                                .inputs()
                                                .syslog()
                                                .tcp()
                                                .listen()
                                                .host() + ":" + s.tcpPort() + "  "
                                : "")
                        + (s.udpPort() > 0
                                ? "udp "
                                        + node.config()
                                                .inputs()
                                                .syslog()
                                                .udp()
                                                .listen()
                                                .host() + ":" + s.udpPort()
                                : ""));
            }
        }
        if (node.config().outputs().file().enabled()) {
            lines.add("files    "
                    + node.config().outputs().file().resolveDir(node.dataDir()).resolve("<app>.log"));
        }
        return lines;
    }
}
