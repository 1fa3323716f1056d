package io.spillway.store;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A message filter: a plain substring (case-sensitive, the common and fast case) or a regex.
 * Immutable and thread-safe.
 */
public final class Filter {
    private final String text;
    private final @org.jspecify.annotations.Nullable Pattern pattern;

    private Filter(String text, @org.jspecify.annotations.Nullable Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    /** Matches messages containing {@code text}. */
    public static Filter substring(String text) {
        return new Filter(Objects.requireNonNull(text), null);
    }

    /**
     * Matches messages in which {@code regex} finds a match.
     *
     * @throws IllegalArgumentException with the parser's message if the regex is invalid
     */
    public static Filter regex(String regex) {
        try {
            return new Filter(regex, Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex: " + e.getDescription() + " in " + regex, e);
        }
    }

    /** The substring or the regex source. */
    public String text() {
        return text;
    }

    /** True for a regex filter. */
    public boolean isRegex() {
        return pattern != null;
    }

    /** The compiled regex; only for a regex filter. */
    public Pattern pattern() {
        if (pattern == null) {
            throw new IllegalStateException("not a regex filter");
        }
        return pattern;
    }

    /** Whether the message matches. A regex is evaluated by the caller under its time budget. */
    public boolean matches(CharSequence message) {
        return pattern != null
                ? pattern.matcher(message).find()
                : message.toString().contains(text);
    }
}
