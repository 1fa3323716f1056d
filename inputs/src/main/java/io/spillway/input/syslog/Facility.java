package io.spillway.input.syslog;

/** Facility keywords of RFC 5424 §6.2.1 table 1 (the names rsyslog and syslog-ng print). */
final class Facility {
    private static final String[] NAMES = {
        "kern",
        "user",
        "mail",
        "daemon",
        "auth",
        "syslog",
        "lpr",
        "news",
        "uucp",
        "cron",
        "authpriv",
        "ftp",
        "ntp",
        "audit",
        "alert",
        "clock",
        "local0",
        "local1",
        "local2",
        "local3",
        "local4",
        "local5",
        "local6",
        "local7"
    };

    private Facility() {}

    /** The keyword of a facility code 0–23. */
    static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : Integer.toString(code);
    }
}
