package io.spillway.alert.notify;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * An {@code http://} or {@code https://} URL that may carry a credential in its path or query — a
 * Slack or Mattermost incoming-webhook URL, a healthchecks.io ping URL. {@link #toString()} shows
 * only the scheme, host and port ({@code https://hooks.slack.com/…}), so logs, error messages and the
 * effective-config view never leak the token; {@link #uri()} gives the whole URL where it is used.
 * Immutable.
 */
public final class SecretUrl {
    private final URI uri;

    private SecretUrl(URI uri) {
        this.uri = uri;
    }

    /**
     * Config binding entry point.
     *
     * @throws IllegalArgumentException unless the text is an absolute http(s) URL with a host (the
     *     message does not repeat the URL, which may hold a token)
     */
    public static SecretUrl parse(String text) {
        URI u;
        try {
            u = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "is not a valid URL (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        String scheme = u.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || u.getHost() == null) {
            throw new IllegalArgumentException("must be an http:// or https:// URL with a host");
        }
        return new SecretUrl(u);
    }

    public URI uri() {
        return uri;
    }

    /** Scheme, host and port only. */
    public String where() {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretUrl s && s.uri.equals(uri);
    }

    @Override
    public int hashCode() {
        return uri.hashCode();
    }

    @Override
    public String toString() {
        String path = uri.getRawPath();
        boolean more = (path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null;
        return where() + (more ? "/…" : "/");
    }
}
