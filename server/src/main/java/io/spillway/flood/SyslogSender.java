package io.spillway.flood;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Sends one group of apps' lines over syslog TCP (RFC 5424, octet counting), one connection per
 * app, at a steady total rate: event k goes out at {@code k / rate} seconds, to app {@code k % apps}.
 * When it falls behind (the receiver reads slower), it sends as fast as the socket allows and the
 * report shows the rate reached. Runs on the caller's thread.
 */
final class SyslogSender {
    interface LineMaker {
        String line(long seq, long sentNanos);
    }

    private final List<AppTally> apps;
    private final double totalRate;
    private final LineMaker lines;
    private final String host;
    private final List<OutputStream> streams = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    SyslogSender(InetSocketAddress target, List<AppTally> apps, double totalRate, LineMaker lines, String host)
            throws IOException {
        this.apps = apps;
        this.totalRate = totalRate;
        this.lines = lines;
        this.host = host;
        for (AppTally ignored : apps) {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(target, 5000);
            sockets.add(s);
            streams.add(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
        }
    }

    /** Sends until {@code endNanos} (on {@code clock}) or until {@code stop} says so. */
    void run(LongSupplier clock, long startNanos, long endNanos, BooleanSupplier stop) throws IOException {
        if (apps.isEmpty() || totalRate <= 0) {
            return;
        }
        double intervalNanos = 1e9 / totalRate;
        boolean[] dirty = new boolean[apps.size()];
        for (long k = 0; !stop.getAsBoolean(); k++) {
            long due = startNanos + (long) (k * intervalNanos);
            if (due >= endNanos) {
                break;
            }
            long now = clock.getAsLong();
            if (due > now) {
                flushDirty(dirty);
                LockSupport.parkNanos(due - now);
            }
            int i = (int) (k % apps.size());
            AppTally app = apps.get(i);
            long seq = k / apps.size();
            long sent = clock.getAsLong() - startNanos;
            streams.get(i).write(Lines.syslogFrame(app.app, host, lines.line(seq, sent)));
            dirty[i] = true;
            app.sent.incrementAndGet();
        }
        flushDirty(dirty);
    }

    private void flushDirty(boolean[] dirty) throws IOException {
        for (int i = 0; i < dirty.length; i++) {
            if (dirty[i]) {
                streams.get(i).flush();
                dirty[i] = false;
            }
        }
    }

    void close() {
        for (int i = 0; i < sockets.size(); i++) {
            try {
                streams.get(i).flush();
                sockets.get(i).close();
            } catch (IOException ignored) {
                // the run is over; a peer that went away is reported by the counts
            }
        }
    }
}
