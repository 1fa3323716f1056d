package io.spillway.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.spillway.server.auth.TokenInfo;
import io.spillway.server.auth.TokenStore;
import java.util.Optional;

/**
 * The API's bearer-token check and error answer, shared by the route classes so every route answers
 * 401 and 403 the same way: no or an unknown token is 401 with {@code WWW-Authenticate: Bearer}; a
 * token without the needed scope is 403. Stateless; thread-safe.
 */
final class ApiAuth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiAuth() {}

    /** The presented token, or a 401 {@link LogRoutes.ApiException}. */
    static TokenInfo authenticate(Context ctx, TokenStore tokens) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new LogRoutes.ApiException(
                    HttpStatus.UNAUTHORIZED, "missing token: send Authorization: Bearer <token> (see docs/tokens.md)");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new LogRoutes.ApiException(HttpStatus.UNAUTHORIZED, "expected Authorization: Bearer <token>");
        }
        Optional<TokenInfo> t = tokens.authenticate(header.substring(7).trim());
        if (t.isEmpty()) {
            throw new LogRoutes.ApiException(HttpStatus.UNAUTHORIZED, "invalid or revoked token");
        }
        return t.get();
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
