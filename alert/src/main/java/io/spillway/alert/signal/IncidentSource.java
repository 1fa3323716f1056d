package io.spillway.alert.signal;

import java.util.Locale;

/** Where an incident came from. Stored and shown in lower case ({@code events_api}). */
public enum IncidentSource {
    /** A Spillway event ({@code _spillway}: disk watermark, drops, output down, ...). */
    EVENT,
    /** A record rule (error rate, pattern). */
    RULE,
    /** Host heartbeat loss. */
    HEARTBEAT,
    /** Alertmanager webhook intake. */
    ALERTMANAGER,
    /** PagerDuty Events API v2 compatible intake. */
    EVENTS_API;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static IncidentSource parse(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
