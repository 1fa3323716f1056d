package io.spillway.diskguard;

import io.spillway.event.EventSeverity;

/** How full a watched filesystem is, in watermark order. */
public enum Level {
    OK,
    WARN,
    CRITICAL,
    EMERGENCY;

    /** The severity of the event raised on entering this level. */
    EventSeverity severity() {
        return switch (this) {
            case OK -> EventSeverity.INFO;
            case WARN -> EventSeverity.WARNING;
            case CRITICAL, EMERGENCY -> EventSeverity.CRITICAL;
        };
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
