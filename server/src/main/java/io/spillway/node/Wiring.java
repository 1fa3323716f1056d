package io.spillway.node;

import io.spillway.input.syslog.SyslogConfig;
import io.spillway.input.syslog.SyslogInput;
import io.spillway.output.file.FileOutput;
import io.spillway.output.file.FileOutputConfig;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.OutputWorker;
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
