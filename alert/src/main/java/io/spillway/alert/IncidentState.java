package io.spillway.alert;

import java.util.Locale;

/** An incident's state: triggered → acknowledged → resolved (a flapping condition may reopen it). */
public enum IncidentState {
    TRIGGERED,
    ACKNOWLEDGED,
    RESOLVED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static IncidentState parse(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    public boolean open() {
        return this != RESOLVED;
    }
}
