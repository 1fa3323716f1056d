package io.spillway.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The first admin token. At the first start of a node (no token exists yet), an admin token is
 * created, written to {@code <data_dir>/admin.token} (mode 0600, the token and a newline) so that
 * {@code spillway logs} on the same host finds it, and returned so the start banner can show it.
 *
 * <p>While any token exists nothing is generated, even if {@code admin.token} was deleted. When every
 * token has been revoked, the next start generates a fresh admin token: a node without tokens could
 * not be read at all.
 */
public final class AdminToken {
    public static final String FILE_NAME = "admin.token";

    private AdminToken() {}

    /**
     * Creates the first admin token if the store holds none.
     *
     * @return the new token's secret, or null when tokens already exist
     */
    public static @Nullable String ensure(TokenStore tokens, Path dataDir) throws IOException {
        if (!tokens.isEmpty()) {
            return null;
        }
        TokenStore.Issued issued = tokens.create(Scope.ADMIN, "first admin token");
        tokens.writeReserved(dataDir.resolve(FILE_NAME), (issued.secret() + "\n").getBytes(StandardCharsets.UTF_8));
        return issued.secret();
    }
}
