package io.spillway.guard;

import io.spillway.config.Check;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Secret redaction ({@code guard.redact}).
 *
 * <ul>
 *   <li>{@code enabled} (default {@code true}).
 *   <li>{@code builtin} (default {@code true}): apply the built-in rules of {@link RedactStage}: Rails
 *       {@code Parameters: {...}} dumps lose every value and keep their keys; values of keys containing
 *       {@code password}, {@code passwd}, {@code secret}, {@code token}, {@code api_key}, {@code apikey}
 *       or {@code authorization} (any case, also as part of a longer key such as {@code access_token})
 *       in query-string, {@code key=value}, JSON and Rails-hash form; {@code Authorization:} header
 *       values; {@code Bearer} tokens.
 *   <li>{@code rules} (default none): extra rules applied after the built-in ones, in order. Each has
 *       {@code match} (required: a literal, or a Java regex when {@code regex: true}), {@code regex}
 *       (default {@code false}) and {@code replace} (default {@code [FILTERED]}; for a regex, {@code $1}
 *       refers to a group). Regexes see the message's UTF-8 bytes one character per byte, so write
 *       ASCII patterns; a non-ASCII literal works, a non-ASCII character inside {@code [...]} does not.
 *       A regex rule costs a regex scan of every line of the apps it applies to; a literal rule costs
 *       a byte search.
 * </ul>
 *
 * <p>The switch for the built-in rules is called {@code builtin}, not {@code defaults}: every config
 * record declares a static {@code defaults()}, which a component of that name would clash with.
 */
public record RedactConfig(boolean enabled, boolean builtin, List<Rule> rules) {
    public static final String FILTERED = "[FILTERED]";

    public RedactConfig {
        rules = List.copyOf(rules);
        for (int i = 0; i < rules.size(); i++) {
            Check.require(!rules.get(i).match().isEmpty(), "rules[" + i + "].match", "is required and not empty");
        }
    }

    public static RedactConfig defaults() {
        return new RedactConfig(true, true, List.of());
    }

    /** One user rule; see the record's class comment. */
    public record Rule(String match, boolean regex, String replace) {
        public Rule {
            if (regex && !match.isEmpty()) {
                try {
                    Pattern.compile(match);
                } catch (PatternSyntaxException e) {
                    throw new io.spillway.config.InvalidValueException(
                            "match", "not a valid regex: " + e.getDescription() + " near index " + e.getIndex());
                }
            }
        }

        public static Rule defaults() {
            return new Rule("", false, FILTERED);
        }
    }

    /** The keys an app override may set; a key it leaves out keeps the global value. */
    public record Override(
            @Nullable Boolean enabled,
            @Nullable Boolean builtin,
            @Nullable List<Rule> rules) {
        public static Override defaults() {
            return new Override(null, null, null);
        }

        public RedactConfig applyTo(RedactConfig base) {
            return new RedactConfig(
                    enabled != null ? enabled : base.enabled(),
                    builtin != null ? builtin : base.builtin(),
                    rules != null ? rules : base.rules());
        }
    }
}
