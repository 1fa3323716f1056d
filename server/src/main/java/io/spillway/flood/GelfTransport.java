package io.spillway.flood;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * GELF 1.1 over TCP: one uncompressed JSON message per NUL-terminated frame, with Docker's gelf
 * driver's {@code _container_name}, on one connection per sender thread. (UDP would measure the
 * kernel's drops as much as Spillway.) Not thread-safe.
 */
final class GelfTransport implements Transport {
    private final Socket socket;
    private final OutputStream out;
    private final String host;

    GelfTransport(InetSocketAddress target, String host) throws IOException {
        this.host = host;
        this.socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(target, 5000);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    @Override
    public void send(int appIndex, String app, String line) throws IOException {
        JsonStringEncoder enc = JsonStringEncoder.getInstance();
        StringBuilder sb = new StringBuilder(line.length() + 128);
        sb.append("{\"version\":\"1.1\",\"host\":\"")
                .append(enc.quoteAsString(host))
                .append("\",\"short_message\":\"")
                .append(enc.quoteAsString(line))
                .append("\",\"_container_name\":\"")
                .append(enc.quoteAsString(app))
                .append("\"}");
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() {
        try {
            out.flush();
            socket.close();
        } catch (IOException ignored) {
            // the run is over; a peer that went away is reported by the counts
        }
    }
}
