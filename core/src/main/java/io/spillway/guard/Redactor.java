package io.spillway.guard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One app's compiled redaction settings: the built-in rules (optional) and the user rules.
 *
 * <p>Byte view: the rules run over the message decoded as ISO-8859-1, one char per byte. That decoding
 * is a plain copy, it round-trips every byte exactly (also invalid UTF-8), and the built-in patterns
 * are ASCII, so multi-byte characters (all bytes ≥ 0x80) are never split or confused with syntax.
 *
 * <p>Cost: a line is decoded only when a rule may apply. For the built-in rules that is decided by
 * {@link #triggered}, one pass over the bytes looking for the trigger words case-insensitively; a
 * literal user rule is pre-checked with a byte search; a regex user rule always runs. Immutable and
 * thread-safe.
 */
final class Redactor {
    static final Redactor OFF = new Redactor(false, new UserRule[0]);

    private static final String F = RedactConfig.FILTERED;

    /**
     * Key words that make a key sensitive (also inside a longer key: {@code access_token},
     * {@code client_secret}, {@code user[password]}).
     */
    private static final String KEYWORD = "(?:passw(?:or)?d|secret|token|api[_-]?key|authorization)";

    /** {@code "password": "x"} (JSON) and {@code "password"=>"x"} (Ruby hash); any value type. */
    private static final Pattern QUOTED_KEY = Pattern.compile("(?i)(\"[A-Za-z0-9_.\\-\\[\\]]{0,64}?" + KEYWORD
            + "[A-Za-z0-9_.\\-\\[\\]]{0,64}\"\\s*+(?:=>|:)\\s*+)(?:\"(?:[^\"\\\\]|\\\\.)*+\"?|[^\\s,}\\]]++)");

    /** {@code password=x}, {@code ?api_key=x&}, {@code token="x y"}: the value runs to a separator. */
    private static final Pattern KEY_VALUE = Pattern.compile("(?i)(\\b[A-Za-z0-9_.\\-]{0,64}?" + KEYWORD
            + "[A-Za-z0-9_.\\-\\[\\]]{0,64}=)(?:\"(?:[^\"\\\\]|\\\\.)*+\"?|'[^']*+'?|[^\\s&,;\"'<>]++)");

    /** {@code Authorization: Basic abc}: the scheme and the credentials. */
    private static final Pattern AUTH_HEADER = Pattern.compile(
            "(?i)(\\b(?:proxy-)?authorization:[ \\t]*+)(?!\\[)(?:[A-Za-z0-9\\-]++[ \\t]++(?=[^\\s\\[]))?[^\\s,;\"'}\\]]++");

    /** {@code Bearer xyz} anywhere (RFC 6750 b64token). */
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer[ \\t]++)[A-Za-z0-9\\-._~+/]++=*+");

    private final boolean builtin;
    /** An array, not a List: no iterator on the per-line path. */
    private final UserRule[] rules;

    private Redactor(boolean builtin, UserRule[] rules) {
        this.builtin = builtin;
        this.rules = rules;
    }

    static Redactor of(RedactConfig config) {
        if (!config.enabled() || (!config.builtin() && config.rules().isEmpty())) {
            return OFF;
        }
        List<UserRule> rules = new ArrayList<>();
        for (RedactConfig.Rule r : config.rules()) {
            rules.add(new UserRule(r));
        }
        return new Redactor(config.builtin(), rules.toArray(new UserRule[0]));
    }

    /** The redacted message, or null when nothing changed. */
    byte @Nullable [] redact(byte[] message) {
        String text = null;
        String out = null;
        if (builtin && triggered(message)) {
            text = latin1(message);
            out = applyDefaults(text);
        }
        for (UserRule rule : rules) {
            if (!rule.mayMatch(message)) {
                continue;
            }
            if (out == null) {
                text = latin1(message);
                out = text;
            }
            out = rule.apply(out);
        }
        if (out == null || out.equals(text)) {
            return null;
        }
        return out.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String applyDefaults(String text) {
        // Order matters: the header rule takes "Basic x" or "Bearer x" whole, before the Bearer rule
        // would leave "Authorization: Bearer [FILTERED]"; the Bearer rule runs before key=value, whose
        // value stops at a space and would otherwise leave the token of "token=Bearer abc".
        String s = RailsParameters.filter(text);
        s = replace(AUTH_HEADER, s, "$1" + F);
        s = replace(BEARER, s, "$1" + F);
        s = replace(QUOTED_KEY, s, "$1\"" + F + "\"");
        s = replace(KEY_VALUE, s, "$1" + F);
        return s;
    }

    private static String replace(Pattern p, String s, String replacement) {
        Matcher m = p.matcher(s);
        return m.find() ? m.replaceAll(replacement) : s;
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A string as the ISO-8859-1 view of its UTF-8 bytes (see the class comment). */
    static String bytesView(String s) {
        return latin1(s.getBytes(StandardCharsets.UTF_8));
    }

    // Trigger words, lower case. Every built-in rule needs one of them in the line: the key words
    // (passw covers password and passwd), "bearer" and "parameters:".
    private static final byte[][] TRIGGERS = {
        ascii("passw"),
        ascii("secret"),
        ascii("token"),
        ascii("api_key"),
        ascii("apikey"),
        ascii("api-key"),
        ascii("authorization"),
        ascii("bearer"),
        ascii("parameters:"),
    };

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * True when the message contains a trigger word in any ASCII case. One pass; per byte a switch on
     * the lower-cased byte, and a region compare only at a possible first letter.
     */
    static boolean triggered(byte[] m) {
        int n = m.length;
        for (int i = 0; i < n; i++) {
            int c = m[i] | 0x20; // ASCII letters to lower case; other bytes fail the switch or the compare
            switch (c) {
                case 'p':
                    if (at(m, i, TRIGGERS[0]) || at(m, i, TRIGGERS[8])) {
                        return true;
                    }
                    break;
                case 's':
                    if (at(m, i, TRIGGERS[1])) {
                        return true;
                    }
                    break;
                case 't':
                    if (at(m, i, TRIGGERS[2])) {
                        return true;
                    }
                    break;
                case 'a':
                    if (at(m, i, TRIGGERS[3])
                            || at(m, i, TRIGGERS[4])
                            || at(m, i, TRIGGERS[5])
                            || at(m, i, TRIGGERS[6])) {
                        return true;
                    }
                    break;
                case 'b':
                    if (at(m, i, TRIGGERS[7])) {
                        return true;
                    }
                    break;
                default:
                    break;
            }
        }
        return false;
    }

    /** Case-insensitive (ASCII) match of lower-case {@code word} at {@code i}. */
    private static boolean at(byte[] m, int i, byte[] word) {
        if (i + word.length > m.length) {
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

    /** A compiled user rule. */
    private static final class UserRule {
        private final @Nullable Pattern pattern;
        private final byte @Nullable [] literal;
        private final String literalView;
        private final String replacement;

        UserRule(RedactConfig.Rule rule) {
            if (rule.regex()) {
                this.pattern = Pattern.compile(bytesView(rule.match()));
                this.literal = null;
                this.literalView = "";
                this.replacement = bytesView(rule.replace());
            } else {
                this.pattern = null;
                this.literal = rule.match().getBytes(StandardCharsets.UTF_8);
                this.literalView = bytesView(rule.match());
                this.replacement = bytesView(rule.replace());
            }
        }

        boolean mayMatch(byte[] message) {
            return literal == null || indexOf(message, literal) >= 0;
        }

        String apply(String s) {
            if (pattern != null) {
                return replace(pattern, s, replacement);
            }
            return s.replace(literalView, replacement);
        }

        private static int indexOf(byte[] hay, byte[] needle) {
            outer:
            for (int i = 0; i <= hay.length - needle.length; i++) {
                for (int k = 0; k < needle.length; k++) {
                    if (hay[i + k] != needle[k]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
