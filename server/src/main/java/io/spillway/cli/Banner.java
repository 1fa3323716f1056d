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
            // Only a prefix: stdout often ends up in journald or a log collector, where a whole admin
            // token would be readable by anyone who reads logs. The file is owner-only.
            out.println("  token    " + masked(token) + "  (new admin token, in "
                    + node.dataDir().resolve(io.spillway.server.auth.AdminToken.FILE_NAME) + ", mode 0600)");
        }
        out.println("Stop with Ctrl-C or SIGTERM: buffers drain first.");
        out.flush();
    }

    /** The first {@value #SHOWN} characters of a token and an ellipsis: enough to tell tokens apart. */
    static String masked(String token) {
        return token.length() <= SHOWN ? "..." : token.substring(0, SHOWN) + "...";
    }

    private static final int SHOWN = 10;
}
