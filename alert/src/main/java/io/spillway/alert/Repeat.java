package io.spillway.alert;

import java.util.Locale;

/**
 * What an escalation policy does after its last level ({@code repeat:} in a policy): {@code true}
 * starts over from the first level until someone acknowledges, {@code false} stops paging (the
 * incident stays open and visible), a whole number {@code N} goes through the levels {@code N} more
 * times and then stops. Immutable.
 *
 * @param rounds how many extra passes through the levels; {@link Integer#MAX_VALUE} for forever
 */
public record Repeat(int rounds) {
    public static final Repeat FOREVER = new Repeat(Integer.MAX_VALUE);
    public static final Repeat NEVER = new Repeat(0);

    public Repeat {
        if (rounds < 0) {
            throw new IllegalArgumentException("repeat must be true, false or a whole number >= 0, got " + rounds);
        }
    }

    /** Parses {@code true}, {@code false} or a whole number. */
    public static Repeat parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "true", "yes", "on", "forever" -> FOREVER;
            case "false", "no", "off" -> NEVER;
            default -> {
                try {
                    yield new Repeat(Integer.parseInt(t));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "expected true, false or a whole number of extra rounds, got \"" + text + "\"");
                }
            }
        };
    }

    /** True if a policy may start round {@code round} (0 is the first pass). */
    boolean allows(int round) {
        return round <= rounds;
    }

    @Override
    public String toString() {
        return rounds == Integer.MAX_VALUE ? "true" : rounds == 0 ? "false" : Integer.toString(rounds);
    }
}
