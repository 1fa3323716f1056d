package io.spillway.server;

import io.spillway.config.Check;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;

/**
 * The HTTP listener ({@code http:} in the config file).
 *
 * @param enabled serve HTTP at all (default true)
 * @param listen address to bind (default {@code 127.0.0.1:8080}; loopback unless you say otherwise)
 * @param maxRequestBody largest request body accepted; larger ones get 413 (default 8MiB)
 * @param maxThreads bound on the server's worker threads (default 32)
 */
public record HttpConfig(boolean enabled, ListenAddress listen, DataSize maxRequestBody, int maxThreads) {
    public HttpConfig {
        Check.atLeast(maxRequestBody, DataSize.ofKiB(1), "max_request_body");
        Check.between(maxThreads, 4, 1024, "max_threads");
    }

    public static HttpConfig defaults() {
        return new HttpConfig(true, ListenAddress.loopback(8080), DataSize.ofMiB(8), 32);
    }
}
