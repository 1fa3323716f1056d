package io.spillway.store;

/**
 * App-name globs for {@code apps} overrides: {@code *} any run of characters (also none), {@code ?}
 * exactly one, everything else itself (the guard's syntax). Stateless.
 */
final class AppGlob {
    private AppGlob() {}

    static boolean valid(String glob) {
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

    /** Iterative wildcard match with one backtrack point: no recursion, no regex. */
    static boolean matches(String glob, String s) {
        int g = 0;
        int i = 0;
        int star = -1;
        int mark = 0;
        while (i < s.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == s.charAt(i))) {
                g++;
                i++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                mark = i;
            } else if (star >= 0) {
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
}
