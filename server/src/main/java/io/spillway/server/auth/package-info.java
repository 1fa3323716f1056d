/**
 * Bearer tokens for the read API: {@link io.spillway.server.auth.TokenStore} (hashes only, in
 * {@code <data_dir>/tokens.json}), {@link io.spillway.server.auth.Scope} (admin, or one app's logs),
 * and the first admin token written at first start ({@link io.spillway.server.auth.AdminToken}).
 */
@NullMarked
package io.spillway.server.auth;

import org.jspecify.annotations.NullMarked;
