package io.spillway.cli;

import io.spillway.config.ConfigException;
import io.spillway.node.Node;
import io.spillway.node.NodeConfig;
import io.spillway.node.Version;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code spillway run}: the standalone role, agent and hub in one process. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run Spillway standalone: all inputs, the guard, buffers and outputs in one process.",
            "Needs no configuration, and listens on 127.0.0.1 only: syslog on 5514 (TCP and UDP, RFC 5424 and"
                    + " 3164), GELF on 12201 (UDP and TCP), fluent forward on 24224 (what docker --log-driver=fluentd"
                    + " speaks), and HTTP on 8080 (read API, NDJSON and logplex ingest, dashboard, /metrics,"
                    + " /healthz, /readyz). Tailing Docker's json-file logs is opt-in (inputs.tail). Data goes to"
                    + " ./data. SIGTERM or Ctrl-C drains the buffers and exits."
        })
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig config;
        try {
            config = options.load();
        } catch (ConfigException e) {
            err.println("spillway: the configuration has problems:");
            e.problems().forEach(p -> err.println("  " + p));
            return 2;
        }
        Node node;
        try {
            node = new Node(config);
        } catch (ConfigException e) {
            err.println("spillway: the configuration has problems:");
            e.problems().forEach(p -> err.println("  " + p));
            return 2;
        }
        try {
            node.start();
        } catch (ConfigException e) {
            err.println("spillway: the configuration has problems:");
            e.problems().forEach(p -> err.println("  " + p));
            return 2;
        } catch (Exception e) {
            err.println("spillway: cannot start: " + e.getMessage());
            return 1;
        }
        Signals.onTerminate(node::stop);
        Banner.print(spec.commandLine().getOut(), node, Version.get());
        node.awaitTermination();
        return 0;
    }
}
