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
 * @param maxRequestBody largest request body accepted; larger ones get 413 (default 8MiB)
 * @param maxThreads bound on the server's worker threads (default 32)
 * @param maxTails most live tails ({@code GET /api/v1/apps/{app}/logs/tail}) open at once; one more is
 *     answered 503 (default 64). Each open tail holds one thread of its own, outside {@code max_threads}.
 * @param tailHeartbeat how often an idle live tail sends a comment line, so proxies keep the connection
 *     open and a departed client is noticed (default 15s)
 */
public record HttpConfig(
        boolean enabled,
        ListenAddress listen,
        DataSize maxRequestBody,
        int maxThreads,
        int maxTails,
        Duration tailHeartbeat) {
    public HttpConfig {
        Check.atLeast(maxRequestBody, DataSize.ofKiB(1), "max_request_body");
        Check.between(maxThreads, 4, 1024, "max_threads");
        Check.between(maxTails, 1, 10_000, "max_tails");
        Check.require(
                tailHeartbeat.compareTo(Duration.ofMillis(100)) >= 0
                        && tailHeartbeat.compareTo(Duration.ofMinutes(10)) <= 0,
                "tail_heartbeat",
                "must be between 100ms and 10m");
    }

    public static HttpConfig defaults() {
        return new HttpConfig(true, ListenAddress.loopback(8080), DataSize.ofMiB(8), 32, 64, Duration.ofSeconds(15));
    }
}
