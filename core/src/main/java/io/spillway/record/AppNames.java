package io.spillway.record;

/**
 * Normalises app names decided by inputs, so that every later stage can trust them: an app name is
 * used as a file name, a metric label and a URL segment.
 *
 * <p>Invariant of every normalised name: 1 to {@link #MAX_LENGTH} characters from {@code [A-Za-z0-9._-]},
 * never {@code .} or {@code ..}. Other characters become {@code _}; a blank name becomes {@link #UNKNOWN}.
 */
public final class AppNames {
    /** The app of records whose input could not decide one (DESIGN.md §6). */
    public static final String UNKNOWN = "unknown";

    /** The reserved app of Spillway's own events (DESIGN.md §4). */
    public static final String SPILLWAY = "_spillway";

    /**
     * The app under which a bounded per-app table keeps everything of the apps beyond its cap: the fair
     * buffer's queues, the drop ledger and its metric labels, the store's apps and labels. One name, so
     * an operator finds the overflow under the same app everywhere.
     */
    public static final String OTHER = "_other";

    /** Docker container names are at most 64 characters in practice; 128 leaves room for templates. */
    public static final int MAX_LENGTH = 128;

    private AppNames() {}

    public static String normalize(CharSequence raw) {
        int len = Math.min(raw.length(), MAX_LENGTH);
        int start = 0;
        // Docker reports container names with a leading slash ("/web-1").
        while (start < len && raw.charAt(start) == '/') {
            start++;
        }
        if (start == len) {
            return UNKNOWN;
        }
        boolean clean = true;
        for (int i = start; i < len; i++) {
            if (!allowed(raw.charAt(i))) {
                clean = false;
                break;
            }
        }
        String name;
        if (clean) {
            name = raw.subSequence(start, len).toString();
        } else {
            StringBuilder sb = new StringBuilder(len - start);
            for (int i = start; i < len; i++) {
                char c = raw.charAt(i);
                sb.append(allowed(c) ? c : '_');
            }
            name = sb.toString();
        }
        if (name.equals(".") || name.equals("..")) {
            return "_" + name.substring(1);
        }
        return name;
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '-'
                || c == '_';
    }
}
