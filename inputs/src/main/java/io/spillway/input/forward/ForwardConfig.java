package io.spillway.input.forward;

import io.spillway.component.BuildContext;
import io.spillway.component.DiskUse;
import io.spillway.component.InputSpec;
import io.spillway.config.Check;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.pipeline.Input;
import io.spillway.space.SpaceConfig;
import io.spillway.space.SpaceFloor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of the fluent forward input (key {@code inputs.forward} in the node's file).
 *
 * <pre>{@code
 * enabled: true
 * listen: 127.0.0.1:24224     # TCP, and the UDP heartbeat on the same port; port 0 picks a free port
 * heartbeat: true            # answer in_forward's UDP heartbeat on the listen port
 * max_connections: 1024       # one more closes the longest idle (idle_evicted), else itself (connection_refused)
 * idle_timeout: 5m            # a connection silent this long is closed (counted idle_timeout)
 * max_entry: 1MiB             # one event (one [time, record] entry) at most (too_large, the entry is skipped)
 * max_chunk: 16MiB            # one msgpack frame at most; the connection is closed (too_large)
 * max_decompressed: 64MiB     # a gzip-compressed chunk inflates to at most this (too_large, chunk refused)
 * max_buffered: 256MiB        # incomplete frames held by all connections together (memory_budget)
 * ack_timeout: 30s            # a chunk not durable this long is not acknowledged; the connection is closed
 * dedup_window: 16384         # chunk ids remembered per node: a resent chunk is acknowledged, not stored again
 * shared_key: ""              # non-empty: clients must pass the HELO/PING/PONG handshake with this key
 * self_hostname: spillway     # the server's name in the PONG of the handshake
 * app: "{{container_name}}"   # app name template over the tag and record fields; falls back to the tag
 * max_connections_per_source: 512 # one more from the same address is closed (per_source_limit)
 * tls:
 *   enabled: false
 *   cert: ""                  # PEM certificate chain file
 *   key: ""                   # PEM PKCS#8 private key file (unencrypted)
 * partial:                    # Docker's fluentd driver cuts lines over 16 KiB into marked parts
 *   join: true                # join them into one line (each part journaled before it is acknowledged)
 *   timeout: 10s              # parts of a line not complete this long are delivered as they are
 *   max_line: 256KiB          # a joined line at most; a longer one is delivered in several records
 *   max_pending: 16MiB        # parts held by all connections together; past it parts pass through as they are
 * }</pre>
 *
 * @param enabled run the forward input, default true
 * @param listen TCP address and port, default {@code 127.0.0.1:24224}
 * @param heartbeat answer UDP heartbeats on the listen port, default true
 * @param maxConnections open connections at most, default 1024; one more closes the connection idle the
 *     longest (at least 1s; {@code idle_evicted}), or else is closed itself ({@code connection_refused})
 * @param idleTimeout close a connection that sent nothing for this long, default 5m
 * @param maxEntry one event's encoded size at most, default 1MiB
 * @param maxChunk one msgpack frame's encoded size at most, default 16MiB, at least {@code max_entry}
 * @param maxDecompressed a compressed chunk's inflated size at most, default 64MiB
 * @param maxBuffered bytes of incomplete frames held by all connections together, default 256MiB, at
 *     least {@code max_chunk}; over it, a connection holding more than a read's worth is closed
 * @param ackTimeout how long a chunk may take to become durable before its ack is abandoned, default 30s
 * @param dedupWindow acknowledged chunk ids remembered (per sender host and id, least recently seen
 *     forgotten first), so that a resend is acknowledged again without being stored twice (counted
 *     {@code duplicate_chunk}); default 16384, 0 turns it off
 * @param sharedKey the handshake's shared key; empty (default) means no handshake
 * @param selfHostname the server's hostname in the handshake, default {@code spillway}
 * @param app the app name template, default {@code {{container_name}}}
 * @param tls TLS on the TCP listener
 * @param maxConnectionsPerSource open connections from one IP address at most, default 512; one more is
 *     closed at once ({@code per_source_limit}). Docker's fluentd driver opens one connection per
 *     container, all from the host's address: keep it above the containers a host runs
 * @param partial joining Docker's partial messages ({@link Partial})
 */
public record ForwardConfig(
        boolean enabled,
        ListenAddress listen,
        boolean heartbeat,
        int maxConnections,
        Duration idleTimeout,
        DataSize maxEntry,
        DataSize maxChunk,
        DataSize maxDecompressed,
        DataSize maxBuffered,
        Duration ackTimeout,
        int dedupWindow,
        String sharedKey,
        String selfHostname,
        String app,
        Tls tls,
        int maxConnectionsPerSource,
        Partial partial)
        implements InputSpec {
    /** The frame walker and msgpack arrays are addressed with ints. */
    public static final long MAX_FRAME = Integer.MAX_VALUE - 1024;

    public ForwardConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(idleTimeout, "idle_timeout");
        Objects.requireNonNull(maxEntry, "max_entry");
        Objects.requireNonNull(maxChunk, "max_chunk");
        Objects.requireNonNull(maxDecompressed, "max_decompressed");
        Objects.requireNonNull(maxBuffered, "max_buffered");
        Objects.requireNonNull(ackTimeout, "ack_timeout");
        Objects.requireNonNull(sharedKey, "shared_key");
        Objects.requireNonNull(selfHostname, "self_hostname");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(partial, "partial");
        Check.atLeast(maxConnections, 1, "max_connections");
        Check.atLeast(maxConnectionsPerSource, 1, "max_connections_per_source");
        Check.positive(idleTimeout, "idle_timeout");
        Check.positive(ackTimeout, "ack_timeout");
        Check.between(dedupWindow, 0, 1_000_000, "dedup_window");
        Check.between(maxEntry.bytes(), 64, MAX_FRAME, "max_entry");
        Check.between(maxChunk.bytes(), 64, MAX_FRAME, "max_chunk");
        Check.between(maxDecompressed.bytes(), 64, MAX_FRAME, "max_decompressed");
        Check.require(
                maxChunk.bytes() >= maxEntry.bytes(),
                "max_chunk",
                "must be at least max_entry (" + maxEntry.bytes() + " bytes), got " + maxChunk.bytes());
        Check.require(
                maxBuffered.bytes() >= maxChunk.bytes(),
                "max_buffered",
                "must be at least max_chunk (" + maxChunk.bytes() + " bytes), got " + maxBuffered.bytes());
        Check.require(!selfHostname.isBlank(), "self_hostname", "must not be empty");
        AppTemplate.parse(app); // throws InvalidValueException("app", …) for a malformed template
    }

    public static ForwardConfig defaults() {
        return new ForwardConfig(
                true,
                ListenAddress.loopback(24224),
                true,
                1024,
                Duration.ofMinutes(5),
                DataSize.ofMiB(1),
                DataSize.ofMiB(16),
                DataSize.ofMiB(64),
                DataSize.ofMiB(256),
                Duration.ofSeconds(30),
                16384,
                "",
                "spillway",
                "{{container_name}}",
                Tls.defaults(),
                512,
                Partial.defaults());
    }

    /** The TCP listener these keys describe (the forward input's are top-level, not under {@code tcp}). */
    public io.spillway.input.netty.TcpListener tcpListener() {
        return new io.spillway.input.netty.TcpListener(
                true, listen, maxConnections, idleTimeout, maxConnectionsPerSource);
    }

    /** {@code max_entry} in bytes. */
    public int maxEntryBytes() {
        return (int) maxEntry.bytes();
    }

    /** {@code max_chunk} in bytes. */
    public int maxChunkBytes() {
        return (int) maxChunk.bytes();
    }

    /** {@code max_decompressed} in bytes. */
    public int maxDecompressedBytes() {
        return (int) maxDecompressed.bytes();
    }

    /**
     * TLS on the TCP listener (Netty's {@code SslHandler}, the JDK's provider).
     *
     * @param enabled require TLS on every connection, default false
     * @param cert the PEM certificate (chain) file; required when enabled
     * @param key the PEM PKCS#8 private key file, unencrypted; required when enabled
     */
    public record Tls(boolean enabled, String cert, String key) {
        public Tls {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
            Check.require(!enabled || !cert.isBlank(), "cert", "is required when tls is enabled");
            Check.require(!enabled || !key.isBlank(), "key", "is required when tls is enabled");
        }

        public static Tls defaults() {
            return new Tls(false, "", "");
        }
    }

    /**
     * Joining the parts Docker's {@code fluentd} log driver cuts a long line into (records with {@code
     * partial_message: true}, {@code partial_id}, {@code partial_ordinal} and {@code partial_last}).
     * See {@link PartialJoiner}.
     *
     * @param join join the parts into one record, default true; false keeps each part a record of its
     *     own, with its {@code partial_*} fields
     * @param timeout parts of a line whose last part has not arrived this long after the latest one
     *     are delivered as they are (counted {@code partial_timeout}), default 10s
     * @param maxLine a joined line's message at most, default 256KiB, between 1KiB and 16MiB; a longer
     *     line is delivered as several joined records of at most this size (counted {@code
     *     partial_too_long}), nothing is cut
     * @param maxPending bytes of parts held, not yet joined, by all connections together, default
     *     16MiB, at least {@code max_line}; a part that does not fit is delivered as it is (counted
     *     {@code partial_overflow})
     */
    public record Partial(boolean join, Duration timeout, DataSize maxLine, DataSize maxPending) {
        public Partial {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(maxLine, "max_line");
            Objects.requireNonNull(maxPending, "max_pending");
            Check.positive(timeout, "timeout");
            Check.between(maxLine.bytes(), 1024, 16L << 20, "max_line");
            Check.require(
                    maxPending.bytes() >= maxLine.bytes() && maxPending.bytes() <= (1L << 30),
                    "max_pending",
                    "must be at least max_line (" + maxLine.bytes() + " bytes) and at most 1GiB, got "
                            + maxPending.bytes());
        }

        public static Partial defaults() {
            return new Partial(true, Duration.ofSeconds(10), DataSize.ofKiB(256), DataSize.ofMiB(16));
        }
    }

    /** The space writer kind of the partial-message journal. */
    public static final String JOURNAL_KIND = "forward_partials";

    /** The input's state directory, holding its partial-message journal. */
    public static Path stateDir(Path dataDir) {
        return dataDir.resolve("forward");
    }

    /** The partial-message journal (when {@code partial.join}), under the general floor {@code space.min_free_space}. */
    @Override
    public List<DiskUse> diskUses(Path dataDir, SpaceFloor spaceFloor) {
        return partial.join()
                ? List.of(new DiskUse(
                        JOURNAL_KIND, "forward", stateDir(dataDir), spaceFloor, SpaceConfig.MIN_FREE_SPACE_KEY))
                : List.of();
    }

    @Override
    public Input build(String name, BuildContext ctx) {
        return partial.join()
                ? new ForwardInput(
                        this,
                        ctx.inputMetrics(name),
                        ctx.clock(),
                        ctx.inflight(),
                        stateDir(ctx.dataDir()),
                        ctx.space(JOURNAL_KIND))
                : new ForwardInput(this, ctx.inputMetrics(name), ctx.clock(), ctx.inflight());
    }
}
