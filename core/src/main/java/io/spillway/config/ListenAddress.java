package io.spillway.config;

import java.net.InetSocketAddress;

/**
 * Where a listener binds, written {@code 127.0.0.1:5514}, {@code [::1]:5514} or {@code :5514} (all
 * interfaces). Port 0 asks the OS for a free port (tests use it). DESIGN.md §12: every default is
 * loopback.
 */
public record ListenAddress(String host, int port) {
    public static final String EXPECTED = "an address like 127.0.0.1:5514";

    public ListenAddress {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
    }

    public static ListenAddress loopback(int port) {
        return new ListenAddress("127.0.0.1", port);
    }

    public static ListenAddress parse(String text) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
        return new ListenAddress(host, port);
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
