package io.spillway.cli;

import io.spillway.node.Node;
import java.io.PrintWriter;

/** The few lines printed at start: what listens where, and what to try first. */
final class Banner {
    private Banner() {}

    static void print(PrintWriter out, Node node, String version) {
        out.println("Spillway " + version + " running (standalone), host " + node.host());
        for (String line : node.describe()) {
            out.println("  " + line);
        }
        out.println("  data     " + node.dataDir());
        if (node.httpPort() > 0) {
            out.println("  http     http://" + node.config().http().listen().host() + ":" + node.httpPort()
                    + (node.logReader() != null
                            ? "  (/api/v1 /metrics /healthz /readyz)"
                            : "  (/metrics /healthz /readyz)"));
        }
        String token = node.firstAdminToken();
        if (token != null) {
            out.println("  token    " + token + "  (new admin token, shown once; also in "
                    + node.dataDir().resolve(io.spillway.server.auth.AdminToken.FILE_NAME) + ", mode 0600)");
        }
        out.println("Stop with Ctrl-C or SIGTERM: buffers drain first.");
        out.flush();
    }
}
