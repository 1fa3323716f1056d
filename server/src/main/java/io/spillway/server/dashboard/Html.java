package io.spillway.server.dashboard;

import org.jspecify.annotations.Nullable;

/**
 * HTML escaping for the page templates. Every value that did not come from this package's own string
 * literals goes through {@link #esc}: app names, log messages, incident summaries and config values
 * are all attacker-influenced (a log line is whatever a container printed).
 *
 * <p>Escapes the five characters that matter in text and in double- or single-quoted attributes, so
 * one function serves both; templates always quote attributes.
 */
public final class Html {
    private Html() {}

    public static String esc(@Nullable Object value) {
        String s = String.valueOf(value);
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (rep != null) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 16);
                    sb.append(s, 0, i);
                }
                sb.append(rep);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** A URL path segment: app names are {@code [A-Za-z0-9._-]}, but never trust that here. */
    static String seg(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20");
    }
}
