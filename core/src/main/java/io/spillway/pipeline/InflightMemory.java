package io.spillway.pipeline;

import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide budget of bytes held in flight by the inputs ({@code limits.inflight_memory}):
 * payloads being decompressed (forward CompressedPackedForward, GELF gzip/zlib), GELF chunks held for
 * reassembly, and HTTP request bodies while they are read (a request's lease is returned when its
 * route hands the records on; what then waits for the durability ack is bounded by the HTTP input's
 * own record limits, see docs/limits.md). Each input has its own per-item bound
 * ({@code max_decompressed}, {@code max_message}, {@code max_reassembly_bytes}, {@code
 * http.max_request_body}); this class bounds what all of them hold <em>at once</em>, so eight bombs in
 * parallel cost at most the budget, not eight times the per-item bound.
 *
 * <h2>Admission</h2>
 *
 * A holder opens a {@link Lease} and grows it with {@link Lease#tryReserve} as it allocates. A
 * reservation that does not fit is refused: {@code tryReserve} returns false, nothing is reserved, and
 * the refusal is counted in {@code spillway_inflight_memory_refused_total{user}}. It never blocks and
 * never throws for a full budget; the caller refuses its item (and counts it in its own errors). A
 * lease is released by {@link Lease#close}, which returns every byte it holds; closing twice is
 * harmless. Gauges: {@code spillway_inflight_memory_bytes} (held now) and {@code
 * spillway_inflight_memory_limit_bytes}.
 *
 * <h2>Threads</h2>
 *
 * The budget is lock-free (one {@link AtomicLong}, compare-and-set) and shared by every event loop and
 * HTTP worker. A {@link Lease} is used by one thread at a time (the one handling its item); its
 * {@code close} may come from another thread once that one is done with it.
 */
public final class InflightMemory {
    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final Counter refused;

    /** @param limit the most bytes held at once, {@code limits.inflight_memory} */
    public InflightMemory(DataSize limit, Metrics metrics) {
        this.limit = limit.bytes();
        this.refused = metrics.counter(
                "spillway_inflight_memory_refused",
                "Reservations refused because limits.inflight_memory was full, by user (forward, gelf, http).",
                "user");
        metrics.gaugeCallback(
                "spillway_inflight_memory_bytes",
                "Bytes held in flight by inputs now (decompression, GELF reassembly, HTTP bodies).",
                cb -> cb.call(used.get()));
        metrics.gaugeCallback(
                "spillway_inflight_memory_limit_bytes",
                "The bound on bytes held in flight by inputs (limits.inflight_memory).",
                cb -> cb.call(this.limit));
    }

    /** A budget with a registry of its own, for tests and tools that have no node. */
    public static InflightMemory standalone(DataSize limit) {
        return new InflightMemory(limit, new Metrics());
    }

    /**
     * A new, empty lease.
     *
     * @param user who holds it, the {@code user} label of the refusal counter: a small fixed set
     *     ({@code forward}, {@code gelf}, {@code http})
     */
    public Lease lease(String user) {
        return new Lease(user);
    }

    /** Bytes held now by every lease. */
    public long used() {
        return used.get();
    }

    /** The most bytes ever held at once (for tests and diagnostics). */
    public long peak() {
        return peak.get();
    }

    /** {@code limits.inflight_memory} in bytes. */
    public long limit() {
        return limit;
    }

    private boolean reserve(long bytes) {
        while (true) {
            long now = used.get();
            long next = now + bytes;
            if (next > limit || next < 0) {
                return false;
            }
            if (used.compareAndSet(now, next)) {
                peak.accumulateAndGet(next, Math::max);
                return true;
            }
        }
    }

    /** Bytes reserved by one holder for one item (a payload, a body, the reassembly table). */
    public final class Lease implements AutoCloseable {
        private final String user;
        private long held;
        /** After {@link #close}: nothing more is reserved, so a late caller cannot leak bytes. */
        private boolean closed;

        private Lease(String user) {
            this.user = user;
        }

        /**
         * Reserves {@code bytes} more, if the budget holds them.
         *
         * @return true when reserved; false when the budget is full (counted; nothing reserved)
         */
        public synchronized boolean tryReserve(long bytes) {
            if (bytes <= 0) {
                return true;
            }
            if (closed) {
                refused.labelValues(user).inc();
                return false;
            }
            if (!reserve(bytes)) {
                refused.labelValues(user).inc();
                return false;
            }
            held += bytes;
            return true;
        }

        /** Returns up to {@code bytes} of this lease's reservation to the budget. */
        public synchronized void release(long bytes) {
            long n = Math.min(bytes, held);
            if (n > 0) {
                held -= n;
                used.addAndGet(-n);
            }
        }

        /** Bytes this lease holds. */
        public synchronized long held() {
            return held;
        }

        /** Returns everything this lease holds. */
        @Override
        public synchronized void close() {
            closed = true;
            release(held);
        }

        /** {@code limits.inflight_memory} in bytes, for error messages. */
        public long limit() {
            return limit;
        }

        /** Bytes held by every lease now, for error messages. */
        public long used() {
            return used.get();
        }
    }
}
