package io.spillway.server.auth;

import java.time.Instant;

/**
 * A stored token's public facts; the secret itself is never kept.
 *
 * @param id short random identifier, used to revoke ({@code spillway token revoke ID})
 * @param name a label chosen at creation (default: the scope)
 * @param scope what the token may read
 * @param created when it was created
 */
public record TokenInfo(String id, String name, Scope scope, Instant created) {}
