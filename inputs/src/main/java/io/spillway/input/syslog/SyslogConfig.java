package io.spillway.input.syslog;

import io.spillway.component.BuildContext;
import io.spillway.component.InputSpec;
import io.spillway.config.Check;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.input.netty.TcpListener;
import io.spillway.input.netty.UdpListener;
import io.spillway.pipeline.Input;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of the syslog input (key {@code inputs.syslog} in the node's file).
 *
 * <pre>{@code
 * enabled: true            # run the input at all
 * tcp:
 *   enabled: true
 *   listen: 127.0.0.1:5514 # port 0 picks a free port
 *   max_connections: 4096  # one more closes the longest idle (idle_evicted), else itself (connection_refused)
 *   idle_timeout: 5m       # a connection that sends nothing this long is closed (counted idle_timeout)
 *   max_connections_per_source: 2048 # one more from the same address is closed (per_source_limit)
 * udp:
 *   enabled: true
 *   listen: 127.0.0.1:5514
 *   receive_buffer: 4MiB   # SO_RCVBUF asked of the kernel (it may grant less)
 * max_frame: 64KiB         # longest message; longer frames are truncated to it (counted frame_truncated)
 * host: ""                 # host for messages that name none; empty = the sender's address
 * }</pre>
 *
 * <p>{@code max_frame} is between {@value #MIN_FRAME} bytes (RFC 5424 §6.1: receivers must accept
 * 480 octets) and {@value #MAX_FRAME} bytes: each TCP connection buffers at most one frame, so the
 * memory held by this input is bounded by {@code max_connections × max_frame}.
 *
 * @param enabled run the syslog input
 * @param tcp the TCP listener (RFC 6587)
 * @param udp the UDP listener (RFC 5426)
 * @param maxFrame the longest message accepted whole, default 64KiB
 * @param host host name for records whose message carries none; empty means the peer's address
 */
public record SyslogConfig(boolean enabled, TcpListener tcp, UdpListener udp, DataSize maxFrame, String host)
        implements InputSpec {
    /** RFC 5424 §6.1: "receivers MUST be able to accept messages up to and including 480 octets". */
    public static final int MIN_FRAME = 480;

    /** Upper bound of {@code max_frame}, so that one connection never holds more than 16 MiB. */
    public static final int MAX_FRAME = 16 * 1024 * 1024;

    public SyslogConfig {
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(udp, "udp");
        Objects.requireNonNull(maxFrame, "max_frame");
        Objects.requireNonNull(host, "host");
        Check.between(maxFrame.bytes(), MIN_FRAME, MAX_FRAME, "max_frame");
        Check.require(host.length() <= 255, "host", "must be at most 255 characters, got " + host.length());
    }

    public static SyslogConfig defaults() {
        return new SyslogConfig(
                true,
                new TcpListener(true, ListenAddress.loopback(5514), 4096, Duration.ofMinutes(5), 2048),
                new UdpListener(true, ListenAddress.loopback(5514), DataSize.ofMiB(4)),
                DataSize.ofKiB(64),
                "");
    }

    /** {@code max_frame} in bytes. */
    public int maxFrameBytes() {
        return (int) maxFrame.bytes();
    }

    @Override
    public Input build(String name, BuildContext ctx) {
        return new SyslogInput(this, ctx.inputMetrics(name), ctx.clock());
    }
}
