package io.spillway.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.spillway.server.auth.TokenInfo;
import io.spillway.server.auth.TokenStore;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The API's bearer-token check and error answer, shared by the route classes so every route answers
 * 401 and 403 the same way: no or an unknown token is 401 with {@code WWW-Authenticate: Bearer}; a
 * token without the needed scope is 403. The ingest route also takes the token as a Basic password.
 * Stateless; thread-safe.
 */
final class ApiAuth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiAuth() {}

    /** The presented token, or a 401 {@link LogRoutes.ApiException}. */
    static TokenInfo authenticate(Context ctx, TokenStore tokens) {
        return authenticate(ctx, tokens, false);
    }

    /**
     * The presented token, or a 401 {@link LogRoutes.ApiException}.
     *
     * @param basic also take HTTP Basic with the token as the password (any user name), as log drains
     *     send credentials from their URL ({@code https://spillway:TOKEN@host/...})
     */
    static TokenInfo authenticate(Context ctx, TokenStore tokens, boolean basic) {
        String expected = basic
                ? "Authorization: Bearer <token> or Basic with the token as password"
                : "Authorization: Bearer <token>";
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new LogRoutes.ApiException(
                    HttpStatus.UNAUTHORIZED, "missing token: send " + expected + " (see docs/tokens.md)");
        }
        String presented;
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).trim();
        } else if (basic && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            presented = basicPassword(header.substring(6).trim());
        } else {
            throw new LogRoutes.ApiException(HttpStatus.UNAUTHORIZED, "expected " + expected);
        }
        Optional<TokenInfo> t = tokens.authenticate(presented);
        if (t.isEmpty()) {
            throw new LogRoutes.ApiException(HttpStatus.UNAUTHORIZED, "invalid or revoked token");
        }
        return t.get();
    }

    /** The password of Basic credentials ({@code base64(user:password)}); null when not decodable. */
    private static @Nullable String basicPassword(String credentials) {
        // TokenStore refuses anything longer before hashing; bound the decoding the same way.
        if (credentials.length() > 1024) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The presented token if it is an admin token: 401 without a valid token, 403 for an app token. */
    static TokenInfo admin(Context ctx, TokenStore tokens) {
        TokenInfo t = authenticate(ctx, tokens);
        if (!t.scope().isAdmin()) {
            throw new LogRoutes.ApiException(
                    HttpStatus.FORBIDDEN,
                    "this needs an admin token; this token reads app "
                            + t.scope().app() + " only");
        }
        return t;
    }

    /** An answer other than 200, with a JSON body {@code {"error": ..., "status": ...}}. */
    static void error(Context ctx, HttpStatus status, String message) {
        if (status == HttpStatus.UNAUTHORIZED) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"spillway\"");
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        o.put("status", status.getCode());
        ctx.status(status).contentType("application/json").result(o.toString());
    }
}
