package io.spillway.guard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One app's compiled redaction settings: the built-in rules (optional) and the user rules.
 *
 * <p>The built-in rules are {@link BuiltinRules}: one scan over the message's bytes, after a pre-check
 * that leaves a line without trigger words alone at the cost of reading it once, 8 bytes at a time.
 *
 * <p>User rules use {@link Pattern}, over the message decoded as ISO-8859-1, one char per byte (the
 * byte view). That decoding is a plain copy, it round-trips every byte exactly (also invalid UTF-8),
 * and a pattern of ASCII syntax never splits a multi-byte character (all its bytes are {@code >= 0x80}).
 * A line is decoded only when a user rule may apply: a literal rule is pre-checked with a byte search, a
 * regex rule always runs.
 *
 * <p>Immutable and thread-safe.
 */
final class Redactor {
    static final Redactor OFF = new Redactor(false, new UserRule[0]);

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
        byte[] current = message;
        if (builtin) {
            byte[] out = BuiltinRules.redact(message);
            if (out != null) {
                current = out;
            }
        }
        if (rules.length > 0) {
            current = applyUserRules(current);
        }
        return current == message || Arrays.equals(current, message) ? null : current;
    }

    /** {@code message} after the user rules, in order; the same instance when none applies. */
    private byte[] applyUserRules(byte[] message) {
        String text = null;
        String out = null;
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
            return message;
        }
        return out.getBytes(StandardCharsets.ISO_8859_1);
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
