package io.spillway.guard;

/**
 * Filters Rails request-parameter dumps ({@code Parameters: {"user"=>{"name"=>"x", "password"=>"y"}}}):
 * every value becomes {@code "[FILTERED]"}, every key stays, nested hashes and arrays keep their shape.
 * Both Ruby inspect styles are read: {@code "k"=>v}, {@code :k=>v}, {@code "k" => v} and {@code k: v};
 * values may be strings, nested hashes, arrays, {@code #<Object ...>} dumps or bare words.
 *
 * <p>Failure mode is safe: where the dump is not what this scanner understands (truncated line,
 * unknown syntax), the rest of the line becomes {@code "[FILTERED]"}. Nesting deeper than
 * {@link #MAX_DEPTH} is filtered whole, so hostile input cannot exhaust the stack. Linear in the line's
 * length. Stateless, thread-safe.
 */
final class RailsParameters {
    static final int MAX_DEPTH = 32;
    private static final String ANCHOR = "parameters:";
    private static final String VALUE = "\"" + RedactConfig.FILTERED + "\"";

    private RailsParameters() {}

    /** The text with every {@code Parameters: {...}} dump filtered; the same instance if there is none. */
    static String filter(String s) {
        StringBuilder out = null;
        int copied = 0;
        int from = 0;
        int n = s.length();
        while (true) {
            int p = indexOfIgnoreCase(s, ANCHOR, from);
            if (p < 0) {
                break;
            }
            int i = p + ANCHOR.length();
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= n || s.charAt(i) != '{') {
                from = p + ANCHOR.length();
                continue;
            }
            if (out == null) {
                out = new StringBuilder(n);
            }
            out.append(s, copied, i);
            int end = hash(s, i, out, 1);
            copied = end;
            from = end;
        }
        if (out == null) {
            return s;
        }
        out.append(s, copied, n);
        return out.toString();
    }

    /** {@code s[i] == '{'}; returns the index after the closing brace. */
    private static int hash(String s, int i, StringBuilder out, int depth) {
        int n = s.length();
        if (depth > MAX_DEPTH) {
            out.append(VALUE);
            return skipBalanced(s, i);
        }
        out.append('{');
        i++;
        while (true) {
            i = spaces(s, i, out);
            if (i >= n) {
                return n;
            }
            if (s.charAt(i) == '}') {
                out.append('}');
                return i + 1;
            }
            // key
            int j;
            if (s.charAt(i) == '"') {
                j = skipString(s, i);
            } else {
                j = i + 1;
                while (j < n && !isKeyEnd(s.charAt(j))) {
                    j++;
                }
            }
            out.append(s, i, j);
            i = spaces(s, j, out);
            if (s.startsWith("=>", i)) {
                out.append("=>");
                i += 2;
            } else if (i < n && s.charAt(i) == ':') {
                out.append(':');
                i++;
            } else {
                return bail(n, out);
            }
            i = spaces(s, i, out);
            i = value(s, i, out, depth);
            i = spaces(s, i, out);
            if (i >= n) {
                return n;
            }
            char c = s.charAt(i);
            if (c == ',') {
                out.append(',');
                i++;
            } else if (c == '}') {
                out.append('}');
                return i + 1;
            } else {
                return bail(n, out);
            }
        }
    }

    /** {@code s[i] == '['}; returns the index after the closing bracket. */
    private static int array(String s, int i, StringBuilder out, int depth) {
        int n = s.length();
        if (depth > MAX_DEPTH) {
            out.append(VALUE);
            return skipBalanced(s, i);
        }
        out.append('[');
        i++;
        while (true) {
            i = spaces(s, i, out);
            if (i >= n) {
                return n;
            }
            if (s.charAt(i) == ']') {
                out.append(']');
                return i + 1;
            }
            i = value(s, i, out, depth);
            i = spaces(s, i, out);
            if (i >= n) {
                return n;
            }
            char c = s.charAt(i);
            if (c == ',') {
                out.append(',');
                i++;
            } else if (c == ']') {
                out.append(']');
                return i + 1;
            } else {
                return bail(n, out);
            }
        }
    }

    private static int value(String s, int i, StringBuilder out, int depth) {
        int n = s.length();
        if (i >= n) {
            return n;
        }
        char c = s.charAt(i);
        if (c == '{') {
            return hash(s, i, out, depth + 1);
        }
        if (c == '[') {
            return array(s, i, out, depth + 1);
        }
        int j;
        if (c == '"') {
            j = skipString(s, i);
        } else if (c == '#' && i + 1 < n && s.charAt(i + 1) == '<') {
            j = skipObject(s, i);
        } else {
            j = i;
            while (j < n && ",}]".indexOf(s.charAt(j)) < 0) {
                j++;
            }
            // keep the spaces before the separator as they were
            while (j > i && s.charAt(j - 1) == ' ') {
                j--;
            }
        }
        if (j > i) {
            out.append(VALUE);
        }
        return j;
    }

    private static boolean isKeyEnd(char c) {
        return c == '=' || c == ':' || c == ',' || c == '}' || c == ' ';
    }

    private static int spaces(String s, int i, StringBuilder out) {
        int n = s.length();
        while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            out.append(s.charAt(i));
            i++;
        }
        return i;
    }

    private static int bail(int n, StringBuilder out) {
        out.append(VALUE);
        return n;
    }

    /** {@code s[i] == '"'}; index after the closing quote, or the end for an unterminated string. */
    private static int skipString(String s, int i) {
        int n = s.length();
        int j = i + 1;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '\\') {
                j += 2;
            } else if (c == '"') {
                return j + 1;
            } else {
                j++;
            }
        }
        return n;
    }

    /** {@code #<Class ...>}, possibly nested and with strings inside. */
    private static int skipObject(String s, int i) {
        int n = s.length();
        int depth = 0;
        int j = i;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '"') {
                j = skipString(s, j);
                continue;
            }
            if (c == '#' && j + 1 < n && s.charAt(j + 1) == '<') {
                depth++;
                j += 2;
                continue;
            }
            if (c == '>' && --depth == 0) {
                return j + 1;
            }
            j++;
        }
        return n;
    }

    private static int skipBalanced(String s, int i) {
        int n = s.length();
        int depth = 0;
        int j = i;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '"') {
                j = skipString(s, j);
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return j + 1;
            }
            j++;
        }
        return n;
    }

    static int indexOfIgnoreCase(String s, String lowerWord, int from) {
        int last = s.length() - lowerWord.length();
        for (int i = from; i <= last; i++) {
            if (s.regionMatches(true, i, lowerWord, 0, lowerWord.length())) {
                return i;
            }
        }
        return -1;
    }
}
