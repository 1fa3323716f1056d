package io.spillway.server.dashboard;

import io.spillway.server.auth.Scope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Signed-in dashboard sessions: a random session id (the cookie) maps to the scope of the token that
 * signed in. The token itself is never stored here nor put in a cookie.
 *
 * <p><b>Bounds.</b> At most {@code maxSessions} sessions; each lives {@code lifetime} from sign-in
 * (absolute, not sliding, so a stolen cookie stops working). Creating a session when the table is full
 * first drops expired ones, then the oldest. Lookups drop an expired session they meet.
 *
 * <p><b>CSRF.</b> Each session carries its own random CSRF token; every state-changing request must
 * echo it ({@link #csrfMatches}, constant-time).
 *
 * <p>Thread-safe: every method synchronizes on this table (it is small and each call is O(1) but for
 * the rare sweep when full).
 */
final class Sessions {
    /**
     * A signed-in browser. {@code who} names the token (its label) for audit lines such as acks; {@code
     * tokenId} is the token's public id, so revoking the token ends the session.
     */
    record Session(String id, String csrf, Scope scope, String who, String tokenId, Instant expires) {}

    private final int maxSessions;
    private final Duration lifetime;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final LinkedHashMap<String, Session> byId = new LinkedHashMap<>();

    Sessions(int maxSessions, Duration lifetime, InstantSource clock) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1, got " + maxSessions);
        }
        this.maxSessions = maxSessions;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    synchronized Session create(Scope scope, String who, String tokenId) {
        Instant now = clock.instant();
        if (byId.size() >= maxSessions) {
            byId.values().removeIf(s -> !s.expires().isAfter(now));
        }
        Iterator<Map.Entry<String, Session>> oldest = byId.entrySet().iterator();
        while (byId.size() >= maxSessions && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
        Session s = new Session(randomId(), randomId(), scope, who, tokenId, now.plus(lifetime));
        byId.put(s.id(), s);
        return s;
    }

    synchronized Optional<Session> get(@Nullable String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        Session s = byId.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (!s.expires().isAfter(clock.instant())) {
            byId.remove(id);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    synchronized void remove(String id) {
        byId.remove(id);
    }

    synchronized int size() {
        return byId.size();
    }

    static boolean csrfMatches(Session s, @Nullable String presented) {
        return presented != null
                && MessageDigest.isEqual(
                        s.csrf().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    private String randomId() {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
