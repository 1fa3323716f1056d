package io.spillway.input.http;

import io.spillway.config.Check;
import io.spillway.config.DataSize;
import java.time.Duration;

/**
 * HTTP ingest on the node's HTTP listener ({@code inputs.http:}): {@code POST /api/v1/ingest}.
 *
 * @param enabled serve the ingest route (default true)
 * @param maxRecord longest single NDJSON line or logplex frame (default 64KiB); longer ones are
 *     refused and counted as {@code too_large}, the rest of the body is still taken
 * @param maxRecords most records in one request (default 10000); a larger body gets 413
 * @param ackTimeout how long a request may wait for its records to become durable before it is
 *     answered 503 (default 10s), so a stuck disk never hangs clients
 */
public record HttpIngestConfig(boolean enabled, DataSize maxRecord, int maxRecords, Duration ackTimeout) {
    public HttpIngestConfig {
        Check.atLeast(maxRecord, DataSize.ofBytes(256), "max_record");
        Check.atLeast(maxRecords, 1, "max_records");
        Check.positive(ackTimeout, "ack_timeout");
    }

    public static HttpIngestConfig defaults() {
        return new HttpIngestConfig(true, DataSize.ofKiB(64), 10_000, Duration.ofSeconds(10));
    }
}
