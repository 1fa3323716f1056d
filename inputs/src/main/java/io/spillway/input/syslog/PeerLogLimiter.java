package io.spillway.input.syslog;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Allows one log line per peer per interval, so a sender of garbage cannot flood Spillway's own log
 * (the counters still count every occurrence). Remembers at most {@value #MAX_PEERS} peers; when
 * full it forgets them all, which at worst lets one extra line per peer through. Thread-safe.
 */
final class PeerLogLimiter {
    static final int MAX_PEERS = 1024;

    private final InstantSource clock;
    private final long intervalMillis;
    private final ConcurrentHashMap<String, Long> lastLogged = new ConcurrentHashMap<>();

    PeerLogLimiter(InstantSource clock, Duration interval) {
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
    }

    /** True when a line about {@code peer} may be logged now (and records that it was). */
    boolean tryAcquire(String peer) {
        long now = clock.millis();
        if (lastLogged.size() >= MAX_PEERS) {
            lastLogged.clear();
        }
        boolean[] allowed = {false};
        lastLogged.compute(peer, (k, last) -> {
            if (last == null || now - last >= intervalMillis) {
                allowed[0] = true;
                return now;
            }
            return last;
        });
        return allowed[0];
    }
}
