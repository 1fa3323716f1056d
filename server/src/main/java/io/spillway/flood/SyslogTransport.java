package io.spillway.flood;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Syslog over TCP, RFC 5424 with octet counting, one connection per app (as Docker's driver does). */
final class SyslogTransport implements Transport {
    private final String host;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<OutputStream> streams = new ArrayList<>();
    private final boolean[] dirty;

    SyslogTransport(InetSocketAddress target, int apps, String host) throws IOException {
        this.host = host;
        this.dirty = new boolean[apps];
        for (int i = 0; i < apps; i++) {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(target, 5000);
            sockets.add(s);
            streams.add(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
        }
    }

    @Override
    public void send(int appIndex, String app, String line) throws IOException {
        streams.get(appIndex).write(Lines.syslogFrame(app, host, line));
        dirty[appIndex] = true;
    }

    @Override
    public void flush() throws IOException {
        for (int i = 0; i < dirty.length; i++) {
            if (dirty[i]) {
                streams.get(i).flush();
                dirty[i] = false;
            }
        }
    }

    @Override
    public void close() {
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
