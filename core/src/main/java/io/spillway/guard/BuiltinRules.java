package io.spillway.guard;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The built-in redaction rules ({@code redact.builtin}) as one left-to-right scan over the message's
 * bytes: no decoding to a String, no regex, no backtracking.
 *
 * <p>Two steps:
 *
 * <ol>
 *   <li>{@link #firstTrigger}: where the first trigger word starts ({@code passw}, {@code secret},
 *       {@code token}, {@code api_key}, {@code apikey}, {@code api-key}, {@code authorization},
 *       {@code bearer}, {@code parameters:}; any ASCII case), or -1. Every rule below starts at a
 *       trigger word, so a line without one is done here. It reads the message 8 bytes at a time and
 *       looks for a few anchor letters (SWAR: bit tricks on a {@code long}); only at an anchor does it
 *       compare the words around it. No allocation.
 *   <li>{@link #redact}: from there, at each trigger word:
 *       <ul>
 *         <li>{@code Parameters: {…}}: the dump is filtered by {@link RailsParameters};
 *         <li>{@code Authorization: <scheme> <credentials>} (at a word start, colon right after the
 *             word): scheme and credentials become {@code [FILTERED]};
 *         <li>{@code Bearer <token>} (at a word start): the token becomes {@code [FILTERED]};
 *         <li>a sensitive key (one containing a key word: {@code password}, {@code passwd},
 *             {@code secret}, {@code token}, {@code api_key}, {@code api-key}, {@code apikey},
 *             {@code authorization}), quoted and followed by {@code :} or {@code =>} (JSON, Ruby hash):
 *             the value, string or bare, becomes {@code "[FILTERED]"};
 *         <li>a sensitive key followed by {@code =} ({@code key=value}, query strings, forms): the value
 *             (quoted, or up to a space or {@code & , ; " ' < >}) becomes {@code [FILTERED]}; when that
 *             value is the word {@code Bearer}, the token after it too.
 *       </ul>
 *       A replaced span is not scanned again; the scan goes on after it. Where spans would overlap,
 *       the rule at the earlier trigger word wins (this replaces the old order of one regex pass per
 *       rule; {@code token=Bearer abc} still loses both words, by the rule's Bearer case).
 * </ol>
 *
 * <p>Bounds: around a key word, at most {@link #MAX_KEY_AFFIX} key characters are read on either side
 * (so a key is recognised inside {@code access_token} or {@code user[password]}, and a pathological
 * run of key characters costs a bounded look, never a rescan of the line). Every byte is looked at a
 * bounded number of times: linear in the line's length.
 *
 * <p>Bytes: all syntax here is ASCII, so bytes {@code >= 0x80} (parts of multi-byte characters, or
 * invalid UTF-8) are never syntax and are copied exactly, like every byte outside a replaced span.
 *
 * <p>Stateless, thread-safe; a scan's state lives in a {@link Scan} made only for a triggered line.
 */
final class BuiltinRules {
    /** Most key characters read before and after a key word. */
    static final int MAX_KEY_AFFIX = 64;

    private static final byte[] FILTERED = ascii(RedactConfig.FILTERED);
    private static final byte[] QUOTED_FILTERED = ascii("\"" + RedactConfig.FILTERED + "\"");

    private static final byte[] PASSW = ascii("passw");
    private static final byte[] PASSWORD = ascii("password");
    private static final byte[] PASSWD = ascii("passwd");
    private static final byte[] SECRET = ascii("secret");
    private static final byte[] TOKEN = ascii("token");
    private static final byte[] API_KEY = ascii("api_key");
    private static final byte[] API_DASH_KEY = ascii("api-key");
    private static final byte[] APIKEY = ascii("apikey");
    private static final byte[] AUTHORIZATION = ascii("authorization");
    private static final byte[] BEARER = ascii("bearer");
    private static final byte[] PARAMETERS = ascii("parameters:");

    private BuiltinRules() {}

    /** The message with the built-in rules applied, or null when they change nothing. */
    static byte @Nullable [] redact(byte[] m) {
        int first = firstTrigger(m);
        if (first < 0) {
            return null;
        }
        return new Scan(m).run(first);
    }

    // ---- the pre-check -------------------------------------------------------------------------

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LOWER = 0x2020202020202020L;
    /** Every trigger word's anchor is at most this many bytes after the word's start ('z' of authorization). */
    private static final int MAX_ANCHOR_OFFSET = 7;

    /**
     * Where the first trigger word starts, or -1. Anchor letters, any case: {@code b} (bearer),
     * {@code c} (se<b>c</b>ret), {@code k} (to<b>k</b>en, api_<b>k</b>ey, api<b>k</b>ey, api-<b>k</b>ey),
     * {@code p} (<b>p</b>assw, <b>p</b>arameters:), {@code z} (authori<b>z</b>ation) — letters that are
     * rare in ordinary log lines, so few bytes need a closer look. Letters are lower-cased by setting
     * bit 5; clearing bits 0 and 3 as well folds b, c, j and k into one value, so three byte compares
     * per 8-byte word cover the five letters (j is a false alarm that the closer look rejects).
     */
    static int firstTrigger(byte[] m) {
        int n = m.length;
        int i = 0;
        // 16 bytes a step, one branch: the common line has no anchor letter in most steps.
        for (; i + 16 <= n; i += 16) {
            long a = anchors((long) LONGS.get(m, i));
            long b = anchors((long) LONGS.get(m, i + 8));
            if ((a | b) != 0) {
                int start = closerLook(m, i, a);
                if (start < 0) {
                    start = closerLook(m, i + 8, b);
                }
                if (start >= 0) {
                    return start;
                }
            }
        }
        if (i + 8 <= n) {
            int start = closerLook(m, i, anchors((long) LONGS.get(m, i)));
            if (start >= 0) {
                return start;
            }
            i += 8;
        }
        for (; i < n; i++) {
            int start = triggerWithAnchorAt(m, i);
            if (start >= 0) {
                return start;
            }
        }
        return -1;
    }

    /**
     * The high bit of each byte of {@code word} that may be an anchor letter. A byte of {@code v} is zero
     * iff the letter is there, and {@code (v - ONES) & ~v} sets that byte's high bit (and maybe the high
     * bits of bytes above a zero one: false alarms, which the closer look rejects; never a miss).
     */
    private static long anchors(long word) {
        long x = word | LOWER;
        long bcjk = (x & ~(0x09 * ONES)) ^ (0x62 * ONES);
        long p = x ^ (0x70 * ONES);
        long z = x ^ (0x7a * ONES);
        return (((bcjk - ONES) & ~bcjk) | ((p - ONES) & ~p) | ((z - ONES) & ~z)) & HIGHS;
    }

    /** The first trigger word with an anchor among the flagged bytes of {@code m[i, i + 8)}, or -1. */
    private static int closerLook(byte[] m, int i, long flags) {
        while (flags != 0) {
            int start = triggerWithAnchorAt(m, i + (Long.numberOfTrailingZeros(flags) >>> 3));
            if (start >= 0) {
                return start;
            }
            flags &= flags - 1;
        }
        return -1;
    }

    /** The start of a trigger word whose anchor letter is at {@code j}, or -1. */
    private static int triggerWithAnchorAt(byte[] m, int j) {
        switch (m[j] | 0x20) {
            case 'b':
                return at(m, j, BEARER) ? j : -1;
            case 'c':
                return at(m, j - 2, SECRET) ? j - 2 : -1;
            case 'k':
                if (at(m, j - 2, TOKEN)) {
                    return j - 2;
                }
                if (at(m, j - 4, API_KEY) || at(m, j - 4, API_DASH_KEY)) {
                    return j - 4;
                }
                return at(m, j - 3, APIKEY) ? j - 3 : -1;
            case 'p':
                return at(m, j, PASSW) || at(m, j, PARAMETERS) ? j : -1;
            case 'z':
                return at(m, j - 7, AUTHORIZATION) ? j - 7 : -1;
            default:
                return -1;
        }
    }

    // ---- the scan ------------------------------------------------------------------------------

    /** One triggered line's scan: the input, the output made on the first change, and how far it got. */
    private static final class Scan {
        private final byte[] m;
        private final int n;
        private @Nullable ByteSink out;
        /** {@code m[0, copied)} is dealt with: written to {@code out}, or unchanged while it is null. */
        private int copied;

        Scan(byte[] m) {
            this.m = m;
            this.n = m.length;
        }

        byte @Nullable [] run(int first) {
            // `first` is the start of the trigger word whose anchor letter came first. Another one may
            // start earlier and have its anchor later (anchors sit up to MAX_ANCHOR_OFFSET bytes into
            // a word), but none starts more than that before `first`: its anchor would have come first.
            int i = Math.max(0, first - MAX_ANCHOR_OFFSET);
            while (i < n) {
                int next = at(i);
                i = next > i ? next : i + 1;
            }
            if (out == null) {
                return null;
            }
            out.append(m, copied, n);
            // A line already redacted (a value that is "[FILTERED]" already) comes out equal.
            return out.contentEquals(m) ? null : out.toByteArray();
        }

        /** Applies the rule that starts at {@code i}, if any; returns where to go on, or -1. */
        private int at(int i) {
            switch (m[i] | 0x20) {
                case 'p':
                    if (BuiltinRules.at(m, i, PARAMETERS)) {
                        return railsParameters(i + PARAMETERS.length);
                    }
                    if (BuiltinRules.at(m, i, PASSWORD)) {
                        return key(i, PASSWORD.length);
                    }
                    return BuiltinRules.at(m, i, PASSWD) ? key(i, PASSWD.length) : -1;
                case 's':
                    return BuiltinRules.at(m, i, SECRET) ? key(i, SECRET.length) : -1;
                case 't':
                    return BuiltinRules.at(m, i, TOKEN) ? key(i, TOKEN.length) : -1;
                case 'a':
                    if (BuiltinRules.at(m, i, AUTHORIZATION)) {
                        int end = authorizationHeader(i);
                        return end >= 0 ? end : key(i, AUTHORIZATION.length);
                    }
                    if (BuiltinRules.at(m, i, API_KEY) || BuiltinRules.at(m, i, API_DASH_KEY)) {
                        return key(i, API_KEY.length);
                    }
                    return BuiltinRules.at(m, i, APIKEY) ? key(i, APIKEY.length) : -1;
                case 'b':
                    return BuiltinRules.at(m, i, BEARER) && wordStart(i) ? bearer(i + BEARER.length) : -1;
                default:
                    return -1;
            }
        }

        /** After {@code parameters:}: spaces, then a hash to filter. */
        private int railsParameters(int i) {
            while (i < n && m[i] == ' ') {
                i++;
            }
            if (i >= n || m[i] != '{') {
                return -1;
            }
            ByteSink o = flushTo(i);
            copied = RailsParameters.filterHash(m, i, o);
            return copied;
        }

        /** {@code Authorization:} at a word start; the scheme (optional) and credentials go. */
        private int authorizationHeader(int i) {
            int colon = i + AUTHORIZATION.length;
            if (!wordStart(i) || colon >= n || m[colon] != ':') {
                return -1;
            }
            int p = blanks(colon + 1);
            if (p >= n || m[p] == '[') {
                return -1; // nothing there, or already "[FILTERED]"
            }
            int scheme = p;
            while (scheme < n && isSchemeChar(m[scheme])) {
                scheme++;
            }
            int credentials = blanks(scheme);
            if (scheme > p
                    && credentials > scheme
                    && credentials < n
                    && !isSpace(m[credentials])
                    && m[credentials] != '[') {
                int end = credentialEnd(credentials);
                if (end > credentials) {
                    return replace(p, end, FILTERED);
                }
            }
            int end = credentialEnd(p);
            return end > p ? replace(p, end, FILTERED) : -1;
        }

        /** After {@code bearer} at a word start: blanks, then the token (RFC 6750 b64token) goes. */
        private int bearer(int i) {
            int token = blanks(i);
            if (token == i) {
                return -1;
            }
            int end = token;
            while (end < n && isTokenChar(m[end])) {
                end++;
            }
            if (end == token) {
                return -1;
            }
            while (end < n && m[end] == '=') {
                end++;
            }
            return replace(token, end, FILTERED);
        }

        /**
         * A key word at {@code i}, {@code len} bytes: if it is part of a quoted key followed by
         * {@code :} or {@code =>}, or of a key followed by {@code =}, its value goes.
         */
        private int key(int i, int len) {
            int end = i + len;
            int limit = Math.min(n, end + MAX_KEY_AFFIX + 1);
            while (end < limit && isKeyChar(m[end])) {
                end++;
            }
            if (end >= limit) {
                return -1;
            }
            if (m[end] == '=') {
                return keyValue(end + 1);
            }
            if (m[end] == '"' && openingQuoteBefore(i)) {
                return quotedKey(end + 1);
            }
            return -1;
        }

        /** True when key characters, at most {@link #MAX_KEY_AFFIX}, then a quote precede {@code i}. */
        private boolean openingQuoteBefore(int i) {
            int j = i - 1;
            int limit = Math.max(-1, i - MAX_KEY_AFFIX - 2);
            while (j > limit && isKeyChar(m[j])) {
                j--;
            }
            return j > limit && m[j] == '"';
        }

        /** After a quoted key's closing quote: {@code :} or {@code =>}, then a string or bare value. */
        private int quotedKey(int i) {
            i = spaces(i);
            if (i + 1 < n && m[i] == '=' && m[i + 1] == '>') {
                i += 2;
            } else if (i < n && m[i] == ':') {
                i++;
            } else {
                return -1;
            }
            int v = spaces(i);
            int end;
            if (v < n && m[v] == '"') {
                end = stringEnd(v);
            } else {
                end = v;
                while (end < n && !isSpace(m[end]) && m[end] != ',' && m[end] != '}' && m[end] != ']') {
                    end++;
                }
                if (end == v) {
                    return -1;
                }
            }
            return replace(v, end, QUOTED_FILTERED);
        }

        /** After {@code key=}: a quoted or bare value. */
        private int keyValue(int v) {
            if (v >= n) {
                return -1;
            }
            int end;
            if (m[v] == '"') {
                end = stringEnd(v);
            } else if (m[v] == '\'') {
                end = v + 1;
                while (end < n && m[end] != '\'') {
                    end++;
                }
                end = Math.min(n, end + 1);
            } else {
                end = v;
                while (end < n && !isValueEnd(m[end])) {
                    end++;
                }
                if (end == v) {
                    return -1;
                }
                // token=Bearer abc: the value is the scheme, the secret comes after it.
                int scheme = end - BEARER.length;
                if (scheme >= v && BuiltinRules.at(m, scheme, BEARER) && wordStart(scheme)) {
                    replace(v, end, FILTERED);
                    int after = bearer(end);
                    return after >= 0 ? after : end;
                }
            }
            return replace(v, end, FILTERED);
        }

        /** {@code m[q] == '"'}: the index after the closing quote (escapes skipped), or the end. */
        private int stringEnd(int q) {
            return RailsParameters.skipString(m, q);
        }

        private int credentialEnd(int i) {
            while (i < n && !isSpace(m[i]) && ",;\"'}]".indexOf(m[i]) < 0) {
                i++;
            }
            return i;
        }

        private int blanks(int i) {
            while (i < n && (m[i] == ' ' || m[i] == '\t')) {
                i++;
            }
            return i;
        }

        private int spaces(int i) {
            while (i < n && isSpace(m[i])) {
                i++;
            }
            return i;
        }

        private boolean wordStart(int i) {
            return i == 0 || !isWordChar(m[i - 1]);
        }

        /** Writes {@code m[copied, from)}, then {@code replacement} for {@code m[from, to)}; returns {@code to}. */
        private int replace(int from, int to, byte[] replacement) {
            flushTo(from).append(replacement);
            copied = to;
            return to;
        }

        /** Writes {@code m[copied, to)} to the output, made now if this is the first change. */
        private ByteSink flushTo(int to) {
            ByteSink o = out;
            if (o == null) {
                o = new ByteSink(n + (n >> 2) + 64); // room for longer replacements
                out = o;
            }
            o.append(m, copied, to);
            copied = to;
            return o;
        }
    }

    // ---- bytes ---------------------------------------------------------------------------------

    /** Case-insensitive (ASCII) match of lower-case {@code word} at {@code i}; false out of bounds. */
    static boolean at(byte[] m, int i, byte[] word) {
        if (i < 0 || i + word.length > m.length) {
            return false;
        }
        for (int k = 0; k < word.length; k++) {
            int b = m[i + k];
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            if (b != word[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWordChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** Characters of a key around a key word: word characters, {@code . -} and brackets. */
    private static boolean isKeyChar(int c) {
        return isWordChar(c) || c == '.' || c == '-' || c == '[' || c == ']';
    }

    private static boolean isSchemeChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    /** RFC 6750 b64token characters, less the trailing {@code =}. */
    private static boolean isTokenChar(int c) {
        return isSchemeChar(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }

    /** Ends a bare {@code key=value} value. */
    private static boolean isValueEnd(int c) {
        return isSpace(c) || c == '&' || c == ',' || c == ';' || c == '"' || c == '\'' || c == '<' || c == '>';
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
