package io.spillway.guard;

import java.nio.charset.StandardCharsets;

/**
 * Filters Rails request-parameter dumps ({@code Parameters: {"user"=>{"name"=>"x", "password"=>"y"}}}):
 * every value becomes {@code "[FILTERED]"}, every key stays, nested hashes and arrays keep their shape.
 * Both Ruby inspect styles are read: {@code "k"=>v}, {@code :k=>v}, {@code "k" => v} and {@code k: v};
 * values may be strings, nested hashes, arrays, {@code #<Object ...>} dumps or bare words.
 *
 * <p>Works on the message's bytes (all syntax is ASCII, so the bytes of multi-byte characters, all
 * {@code >= 0x80}, are never taken for syntax and are copied exactly). Called by {@link BuiltinRules}
 * at a {@code Parameters:} anchor; writes the filtered dump to a {@link ByteSink}.
 *
 * <p>Failure mode is safe: where the dump is not what this scanner understands (truncated line,
 * unknown syntax), the rest of the line becomes {@code "[FILTERED]"}. Nesting deeper than
 * {@link #MAX_DEPTH} is filtered whole, so hostile input cannot exhaust the stack. Linear in the line's
 * length: each byte is looked at a bounded number of times. Stateless, thread-safe.
 */
final class RailsParameters {
    static final int MAX_DEPTH = 32;
    private static final byte[] VALUE = ("\"" + RedactConfig.FILTERED + "\"").getBytes(StandardCharsets.US_ASCII);

    private RailsParameters() {}

    /**
     * Writes the filtered hash that starts at {@code m[brace] == '{'} to {@code out}; returns the index
     * after the hash's closing brace (the end of the message when the hash is cut short or not
     * understood, in which case the rest has been written as one filtered value).
     */
    static int filterHash(byte[] m, int brace, ByteSink out) {
        return hash(m, brace, out, 1);
    }

    /** {@code s[i] == '{'}; returns the index after the closing brace. */
    private static int hash(byte[] s, int i, ByteSink out, int depth) {
        int n = s.length;
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
            if (s[i] == '}') {
                out.append('}');
                return i + 1;
            }
            // key
            int j;
            if (s[i] == '"') {
                j = skipString(s, i);
            } else {
                j = i + 1;
                while (j < n && !isKeyEnd(s[j])) {
                    j++;
                }
            }
            out.append(s, i, j);
            i = spaces(s, j, out);
            if (i + 1 < n && s[i] == '=' && s[i + 1] == '>') {
                out.append('=');
                out.append('>');
                i += 2;
            } else if (i < n && s[i] == ':') {
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
            int c = s[i];
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
    private static int array(byte[] s, int i, ByteSink out, int depth) {
        int n = s.length;
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
            if (s[i] == ']') {
                out.append(']');
                return i + 1;
            }
            i = value(s, i, out, depth);
            i = spaces(s, i, out);
            if (i >= n) {
                return n;
            }
            int c = s[i];
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

    private static int value(byte[] s, int i, ByteSink out, int depth) {
        int n = s.length;
        if (i >= n) {
            return n;
        }
        int c = s[i];
        if (c == '{') {
            return hash(s, i, out, depth + 1);
        }
        if (c == '[') {
            return array(s, i, out, depth + 1);
        }
        int j;
        if (c == '"') {
            j = skipString(s, i);
        } else if (c == '#' && i + 1 < n && s[i + 1] == '<') {
            j = skipObject(s, i);
        } else {
            j = i;
            while (j < n && !isValueEnd(s[j])) {
                j++;
            }
            // keep the spaces before the separator as they were
            while (j > i && s[j - 1] == ' ') {
                j--;
            }
        }
        if (j > i) {
            out.append(VALUE);
        }
        return j;
    }

    private static boolean isValueEnd(int c) {
        return c == ',' || c == '}' || c == ']';
    }

    private static boolean isKeyEnd(int c) {
        return c == '=' || c == ':' || c == ',' || c == '}' || c == ' ';
    }

    private static int spaces(byte[] s, int i, ByteSink out) {
        int n = s.length;
        while (i < n && (s[i] == ' ' || s[i] == '\t')) {
            out.append(s[i]);
            i++;
        }
        return i;
    }

    private static int bail(int n, ByteSink out) {
        out.append(VALUE);
        return n;
    }

    /** {@code s[i] == '"'}; index after the closing quote, or the end for an unterminated string. */
    /** {@code s[i] == '"'}: the index after the closing quote (escapes skipped), or the end. */
    static int skipString(byte[] s, int i) {
        int n = s.length;
        int j = i + 1;
        while (j < n) {
            int c = s[j];
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
    private static int skipObject(byte[] s, int i) {
        int n = s.length;
        int depth = 0;
        int j = i;
        while (j < n) {
            int c = s[j];
            if (c == '"') {
                j = skipString(s, j);
                continue;
            }
            if (c == '#' && j + 1 < n && s[j + 1] == '<') {
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

    private static int skipBalanced(byte[] s, int i) {
        int n = s.length;
        int depth = 0;
        int j = i;
        while (j < n) {
            int c = s[j];
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
}
