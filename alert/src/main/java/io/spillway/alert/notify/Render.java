package io.spillway.alert.notify;

import java.util.Locale;

/** Wording shared by the human-facing notifiers (Slack, email), so every channel says the same. */
final class Render {
    private Render() {}

    /** {@code CRITICAL}/{@code WARNING}/{@code INFO} while firing, else what happened. */
    static String status(Notification n) {
        return switch (n.reason()) {
            case "test" -> "TEST";
            case "acknowledge" -> "ACKNOWLEDGED";
            case "resolve" -> "RESOLVED";
            default ->
                switch (n.state()) {
                    case "acknowledged" -> "ACKNOWLEDGED";
                    case "resolved" -> "RESOLVED";
                    default -> n.severity().name();
                };
        };
    }

    /** A short phrase for the reason, e.g. {@code escalated to level 2}; empty for a first trigger. */
    static String reasonPhrase(Notification n) {
        return switch (n.reason()) {
            case "escalate" -> "escalated to level " + (n.level() + 1);
            case "renotify" -> "still unacknowledged";
            case "acknowledge" -> "acknowledged";
            case "resolve" -> "resolved";
            case "test" -> "self-test: if you read this, this target works";
            default -> "";
        };
    }

    static String severity(Notification n) {
        return n.severity().name().toLowerCase(Locale.ROOT);
    }

    static boolean hasAck(Notification n) {
        return !n.ackUrl().isBlank() && !"test".equals(n.reason()) && !"resolve".equals(n.reason());
    }
}
