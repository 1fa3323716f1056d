package io.spillway.flood;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Sends one group of apps' lines through a {@link Transport} at a steady total rate: event k goes out
 * at {@code k / rate} seconds, to app {@code k % apps}. When it falls behind (the receiver is slower),
 * it sends as fast as the transport allows and the report shows the rate reached. Runs on the caller's
 * thread.
 */
final class Sender {
    interface LineMaker {
        String line(long seq, long sentNanos);
    }

    private final List<AppTally> apps;
    private final double totalRate;
    private final LineMaker lines;
    private final Transport transport;

    Sender(List<AppTally> apps, double totalRate, LineMaker lines, Transport transport) {
        this.apps = apps;
        this.totalRate = totalRate;
        this.lines = lines;
        this.transport = transport;
    }

    /** Sends until {@code endNanos} (on {@code clock}) or until {@code stop} says so. */
    void run(LongSupplier clock, long startNanos, long endNanos, BooleanSupplier stop) throws IOException {
        if (apps.isEmpty() || totalRate <= 0) {
            return;
        }
        double intervalNanos = 1e9 / totalRate;
        for (long k = 0; !stop.getAsBoolean(); k++) {
            long due = startNanos + (long) (k * intervalNanos);
            if (due >= endNanos) {
                break;
            }
            long now = clock.getAsLong();
            if (due > now) {
                transport.flush();
                LockSupport.parkNanos(due - now);
            }
            int i = (int) (k % apps.size());
            AppTally app = apps.get(i);
            long seq = k / apps.size();
            long sent = clock.getAsLong() - startNanos;
            transport.send(i, app.app, lines.line(seq, sent));
            app.sent.incrementAndGet();
        }
        transport.flush();
    }

    void close() {
        transport.close();
    }
}
