package io.spillway.input.netty;

import io.spillway.config.Check;
import io.spillway.config.ListenAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A TCP listener of a network input (the {@code tcp} key of syslog and GELF; the forward input's
 * top-level keys), bound by {@link NettyServer#bindTcp(TcpListener, NettyServer.Refusals,
 * java.util.function.Consumer)}: one record for every input, so each bounds its connections the same
 * way.
 *
 * @param enabled listen on TCP
 * @param listen address and port
 * @param maxConnections open connections at most; one more closes the connection idle the longest (at
 *     least 1s; {@code idle_evicted}), or else is closed itself ({@code connection_refused})
 * @param idleTimeout close a connection that sent nothing for this long ({@code idle_timeout})
 * @param maxConnectionsPerSource open connections from one IP address at most; one more is closed at
 *     once ({@code per_source_limit}). Docker's drivers open one connection per container, all from
 *     the host's address: keep it above the containers a host runs
 */
public record TcpListener(
        boolean enabled, ListenAddress listen, int maxConnections, Duration idleTimeout, int maxConnectionsPerSource) {
    public TcpListener {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(idleTimeout, "idle_timeout");
        Check.atLeast(maxConnections, 1, "max_connections");
        Check.positive(idleTimeout, "idle_timeout");
        Check.atLeast(maxConnectionsPerSource, 1, "max_connections_per_source");
    }
}
