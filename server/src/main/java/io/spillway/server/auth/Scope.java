package io.spillway.server.auth;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a token may read: everything ({@code admin}) or one app's logs ({@code app:NAME}). Immutable.
 *
 * @param app the one app this scope reads, or null for admin
 */
public record Scope(@Nullable String app) {
    /** The app-name alphabet of {@code AppNames.normalize}: a scope can only name an app that can exist. */
    private static final Pattern APP = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public static final Scope ADMIN = new Scope(null);

    public Scope {
        if (app != null && !APP.matcher(app).matches()) {
            throw new IllegalArgumentException("invalid app name \"" + app + "\": expected 1-128 of A-Z a-z 0-9 . _ -");
        }
    }

    public static Scope app(String app) {
        return new Scope(app);
    }

    /** Parses {@code admin} or {@code app:NAME}, the form stored in the token file. */
    public static Scope parse(String text) {
        if (text.equals("admin")) {
            return ADMIN;
        }
        if (text.startsWith("app:")) {
            return new Scope(text.substring(4));
        }
        throw new IllegalArgumentException("invalid scope \"" + text + "\": expected admin or app:NAME");
    }

    public boolean isAdmin() {
        return app == null;
    }

    /** Whether this scope may read {@code appName}'s logs. */
    public boolean canRead(String appName) {
        return app == null || app.equals(appName);
    }

    @Override
    public String toString() {
        return app == null ? "admin" : "app:" + app;
    }
}
