package io.spillway.input.gelf;

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
 * Configuration of the GELF input (key {@code inputs.gelf} in the node's file).
 *
 * <pre>{@code
 * enabled: true
 * udp:
 *   enabled: true
 *   listen: 127.0.0.1:12201   # port 0 picks a free port
 *   receive_buffer: 4MiB      # SO_RCVBUF asked of the kernel (it may grant less)
 * tcp:
 *   enabled: true
 *   listen: 127.0.0.1:12201
 *   max_connections: 1024     # one more closes the longest idle (idle_evicted), else itself (connection_refused)
 *   idle_timeout: 5m          # a connection silent this long is closed (counted idle_timeout)
 *   max_connections_per_source: 512 # one more from the same address is closed (per_source_limit)
 * max_message: 1MiB           # largest payload after decompression; also the TCP frame bound (too_large)
 * max_chunked_messages: 1000  # UDP messages being reassembled at once; the oldest is evicted (chunk_evicted)
 * max_reassembly_bytes: 32MiB # chunk bytes held for reassembly in all; the oldest is evicted (chunk_evicted)
 * chunk_timeout: 5s           # a chunked message incomplete this long is dropped (chunk_timeout)
 * app_field: _container_name  # additional field naming the app; then _tag; else "unknown"
 * }</pre>
 *
 * <p>Memory held for reassembly is bounded by {@code max_chunked_messages} messages and by {@code
 * max_reassembly_bytes} bytes (and each message's chunks together may not exceed {@code max_message}); the TCP side holds at most one frame of {@code max_message} per connection.
 *
 * @param enabled run the GELF input
 * @param udp the UDP listener (chunked, compressed datagrams)
 * @param tcp the TCP listener (NUL-terminated, uncompressed frames)
 * @param maxMessage largest payload after decompression and largest TCP frame, default 1MiB
 * @param maxChunkedMessages messages in reassembly at most, default 1000
 * @param maxReassemblyBytes chunk bytes held for reassembly in all, default 32MiB, at least {@code max_message}
 * @param chunkTimeout how long an incomplete chunked message is kept, default 5s
 * @param appField additional field whose value names the app, default {@code _container_name}
 */
public record GelfConfig(
        boolean enabled,
        UdpListener udp,
        TcpListener tcp,
        DataSize maxMessage,
        int maxChunkedMessages,
        DataSize maxReassemblyBytes,
        Duration chunkTimeout,
        String appField)
        implements InputSpec {
    /** Smallest {@code max_message}: one full UDP datagram's payload must fit. */
    public static final int MIN_MESSAGE = 1024;

    /** Largest {@code max_message}: 128 chunks (the GELF limit) of one 64 KiB datagram each, rounded up. */
    public static final int MAX_MESSAGE = 64 * 1024 * 1024;

    public GelfConfig {
        Objects.requireNonNull(udp, "udp");
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(maxMessage, "max_message");
        Objects.requireNonNull(maxReassemblyBytes, "max_reassembly_bytes");
        Objects.requireNonNull(chunkTimeout, "chunk_timeout");
        Objects.requireNonNull(appField, "app_field");
        Check.between(maxMessage.bytes(), MIN_MESSAGE, MAX_MESSAGE, "max_message");
        Check.between(maxChunkedMessages, 1, 1_000_000, "max_chunked_messages");
        Check.require(
                maxReassemblyBytes.bytes() >= maxMessage.bytes(),
                "max_reassembly_bytes",
                "must be at least max_message (" + maxMessage.bytes() + " bytes), got " + maxReassemblyBytes.bytes());
        Check.positive(chunkTimeout, "chunk_timeout");
        Check.require(
                appField.startsWith("_") && appField.length() > 1,
                "app_field",
                "must name an additional field (start with '_'), got '" + appField + "'");
    }

    public static GelfConfig defaults() {
        return new GelfConfig(
                true,
                new UdpListener(true, ListenAddress.loopback(12201), DataSize.ofMiB(4)),
                new TcpListener(true, ListenAddress.loopback(12201), 1024, Duration.ofMinutes(5), 512),
                DataSize.ofMiB(1),
                1000,
                DataSize.ofMiB(32),
                Duration.ofSeconds(5),
                "_container_name");
    }

    /** {@code max_message} in bytes. */
    public int maxMessageBytes() {
        return (int) maxMessage.bytes();
    }

    @Override
    public Input build(String name, BuildContext ctx) {
        return new GelfInput(this, ctx.inputMetrics(name), ctx.clock(), ctx.inflight());
    }
}
