package io.spillway.server;

import io.spillway.config.Check;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import java.time.Duration;

/**
 * The HTTP listener ({@code http:} in the config file).
 *
 * @param enabled serve HTTP at all (default true)
 * @param listen address to bind (default {@code 127.0.0.1:8080}; loopback unless you say otherwise)
 * @param maxRequestBody largest request body accepted, however it is sent (a {@code Content-Length}, or
 *     chunked): a declared length over it is answered 413 before anything is read, a chunked body as
 *     soon as it passes the bound, and the connection is closed ({@code body_too_large}; default 8MiB).
 *     Bodies with a {@code Content-Encoding} other than {@code identity} are answered 415
 *     ({@code unsupported_encoding}). Bodies being read count against {@code limits.inflight_memory}
 * @param maxThreads bound on the server's worker threads (default 32)
 * @param maxTails most live tails ({@code GET /api/v1/apps/{app}/logs/tail}) open at once; one more is
 *     answered 503 (default 64). Each open tail holds one thread of its own, outside {@code max_threads}.
 * @param tailHeartbeat how often an idle live tail sends a comment line, so proxies keep the connection
 *     open and a departed client is noticed (default 15s)
 * @param ingestAuth who may {@code POST /api/v1/ingest}: {@code none} (default: anyone who reaches
 *     the port, fine on loopback) or {@code token}: a bearer token, or HTTP Basic with the token as
 *     the password (log drains: {@code https://spillway:TOKEN@host/api/v1/ingest}). An admin token
 *     sends for any app, an {@code app:NAME} token only app {@code NAME}'s records (others are 403)
 * @param idleTimeout a connection that sends nothing for this long is closed, and a read of a request
 *     body that stalls this long fails (default 30s); longer than {@code tail_heartbeat}, which keeps live
 *     tails active
 * @param headerTimeout a request's line and headers must all arrive within this long of its first byte,
 *     or the connection is closed ({@code header_timeout}; default 10s): a client that trickles its
 *     headers (slowloris) is cut off
 * @param bodyTimeout a request's body must all arrive within this long of its headers, or the
 *     connection is closed ({@code body_timeout}; default 1m)
 * @param maxConnections open connections at most (default 1024). One more closes the connection that
 *     has been idle the longest, if one has been idle for at least 1s ({@code idle_evicted}), else the
 *     new one ({@code connection_refused})
 * @param maxConnectionsPerSource open connections from one IP address at most (default 256); one more
 *     is closed at once ({@code per_source_limit})
 */
public record HttpConfig(
        boolean enabled,
        ListenAddress listen,
        DataSize maxRequestBody,
        int maxThreads,
        int maxTails,
        Duration tailHeartbeat,
        IngestAuth ingestAuth,
        Duration idleTimeout,
        Duration headerTimeout,
        Duration bodyTimeout,
        int maxConnections,
        int maxConnectionsPerSource) {
    /** Who may send to the ingest route. */
    public enum IngestAuth {
        /** Anyone who reaches the port. */
        NONE,
        /** A token (admin, or {@code app:NAME} for that app's records). */
        TOKEN
    }

    public HttpConfig {
        Check.atLeast(maxRequestBody, DataSize.ofKiB(1), "max_request_body");
        Check.between(maxThreads, 4, 1024, "max_threads");
        Check.between(maxTails, 1, 10_000, "max_tails");
        Check.require(
                tailHeartbeat.compareTo(Duration.ofMillis(100)) >= 0
                        && tailHeartbeat.compareTo(Duration.ofMinutes(10)) <= 0,
                "tail_heartbeat",
                "must be between 100ms and 10m");
        Check.positive(idleTimeout, "idle_timeout");
        Check.require(
                tailHeartbeat.compareTo(idleTimeout) < 0,
                "tail_heartbeat",
                "must be shorter than idle_timeout (" + io.spillway.config.Durations.format(idleTimeout)
                        + "), or an idle live tail is closed before its heartbeat; got "
                        + io.spillway.config.Durations.format(tailHeartbeat));
        Check.positive(headerTimeout, "header_timeout");
        Check.positive(bodyTimeout, "body_timeout");
        Check.between(maxConnections, 1, 1_000_000, "max_connections");
        Check.atLeast(maxConnectionsPerSource, 1, "max_connections_per_source");
    }

    /** With the default timeouts and connection bounds. */
    public HttpConfig(
            boolean enabled,
            ListenAddress listen,
            DataSize maxRequestBody,
            int maxThreads,
            int maxTails,
            Duration tailHeartbeat,
            IngestAuth ingestAuth) {
        this(
                enabled,
                listen,
                maxRequestBody,
                maxThreads,
                maxTails,
                tailHeartbeat,
                ingestAuth,
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                1024,
                256);
    }

    /** With {@code ingest_auth: none}, as before the key existed. */
    public HttpConfig(
            boolean enabled,
            ListenAddress listen,
            DataSize maxRequestBody,
            int maxThreads,
            int maxTails,
            Duration tailHeartbeat) {
        this(enabled, listen, maxRequestBody, maxThreads, maxTails, tailHeartbeat, IngestAuth.NONE);
    }

    public static HttpConfig defaults() {
        return new HttpConfig(true, ListenAddress.loopback(8080), DataSize.ofMiB(8), 32, 64, Duration.ofSeconds(15));
    }

    /** The same with other header and body timeouts. */
    public HttpConfig withTimeouts(Duration header, Duration body) {
        return new HttpConfig(
                enabled,
                listen,
                maxRequestBody,
                maxThreads,
                maxTails,
                tailHeartbeat,
                ingestAuth,
                idleTimeout,
                header,
                body,
                maxConnections,
                maxConnectionsPerSource);
    }

    /** The same with other connection bounds. */
    public HttpConfig withConnections(int max, int perSource) {
        return new HttpConfig(
                enabled,
                listen,
                maxRequestBody,
                maxThreads,
                maxTails,
                tailHeartbeat,
                ingestAuth,
                idleTimeout,
                headerTimeout,
                bodyTimeout,
                max,
                perSource);
    }

    /**
     * Whether {@code listen} is a loopback address ({@code 127.0.0.0/8}, {@code ::1}, {@code
     * localhost}), so only this host can connect. Decided from the text alone: no name lookup.
     */
    public boolean loopbackOnly() {
        String h = listen.host().toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }
}
