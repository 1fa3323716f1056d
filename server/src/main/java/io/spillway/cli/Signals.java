package io.spillway.cli;

import io.spillway.thread.NamedThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT start a graceful stop. Handled as signals (not only as a shutdown hook) so that
 * the process exits 0 after draining, which service managers read as a clean stop; the shutdown hook
 * stays as the fallback where signals cannot be handled.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    @SuppressWarnings("removal")
    static void onTerminate(Runnable stop) {
        Runtime.getRuntime()
                .addShutdownHook(NamedThreadFactory.nonDaemon("shutdown").newThread(stop));
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    log.info("received SIG{}", name);
                    // Daemon, as the JDK's signal handler thread that starts it is.
                    NamedThreadFactory.daemon("stop-on-" + name).start(stop);
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.debug("cannot handle SIG{} ({}); the shutdown hook will stop the node", name, e.getMessage());
            }
        }
    }
}
