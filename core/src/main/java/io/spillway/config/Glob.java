package io.spillway.config;

/**
 * A glob that configuration matches against names (apps, hosts): {@code *} matches any run of
 * characters (also none), {@code ?} exactly one character, every other character itself. Matching is
 * case-sensitive and anchored at both ends ({@code web} does not match {@code web-1}); there is no
 * escape and no character class. The same syntax serves the guard's and the store's {@code apps}
 * overrides and the alert rules' host and app patterns.
 *
 * <p>Matching is iterative with one backtrack point: no recursion and no regex, so a hostile pattern
 * costs at most O(pattern × name) steps and never a stack overflow. A {@code Glob} instance only keeps
 * its pattern (nothing is compiled or cached). Immutable and thread-safe.
 */
public final class Glob {
    private final String pattern;

    /** A glob for {@code pattern}; see {@link #validAppGlob} to check one from an {@code apps} key. */
    public Glob(String pattern) {
        this.pattern = pattern;
    }

    /** The pattern as written. */
    public String pattern() {
        return pattern;
    }

    /** True when this glob matches the whole of {@code name}. */
    public boolean matches(String name) {
        return matches(pattern, name);
    }

    /**
     * True when {@code glob} is a non-empty app-name glob: only the characters of an app name ({@code
     * A-Z a-z 0-9 . _ -}, see {@link io.spillway.record.AppNames}) and the wildcards {@code *} and
     * {@code ?}. Host patterns are not checked with this.
     */
    public static boolean validAppGlob(String glob) {
        if (glob.isEmpty()) {
            return false;
        }
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-'
                    || c == '*'
                    || c == '?';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code glob} matches the whole of {@code s}. */
    public static boolean matches(String glob, String s) {
        int g = 0;
        int i = 0;
        int star = -1;
        int mark = 0;
        while (i < s.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == s.charAt(i))) {
                g++;
                i++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                // Remember the star and first try it matching nothing.
                star = g++;
                mark = i;
            } else if (star >= 0) {
                // Mismatch after a star: let the star swallow one more character and retry.
                g = star + 1;
                i = ++mark;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
