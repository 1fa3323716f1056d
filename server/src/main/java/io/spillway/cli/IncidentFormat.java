package io.spillway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How {@code spillway incidents} prints incidents: a table, and one incident with its timeline. */
final class IncidentFormat {
    /** Summaries are cut to this many characters in the table. */
    static final int SUMMARY_WIDTH = 80;

    private IncidentFormat() {}

    /** An age like {@code 42s}, {@code 5m}, {@code 3h}, {@code 2d}. */
    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }

    /** The table: a header, then one row per incident (id, severity, state, age, host, app, summary). */
    static List<String> table(JsonNode incidents, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "SEVERITY", "STATE", "AGE", "HOST", "APP", "SUMMARY"});
        for (JsonNode i : incidents) {
            rows.add(new String[] {
                i.path("id").asText(),
                i.path("severity").asText(),
                i.path("state").asText(),
                age(i.path("created").asText(), now),
                i.path("host").asText(),
                i.path("app").isNull() || i.path("app").isMissingNode()
                        ? "-"
                        : i.path("app").asText(),
                cut(oneLine(i.path("summary").asText()), SUMMARY_WIDTH)
            });
        }
        int[] width = new int[7];
        for (String[] r : rows) {
            for (int c = 0; c < 6; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < 6; c++) {
                sb.append(r[c]).append(" ".repeat(width[c] - r[c].length() + 2));
            }
            out.add(sb.append(r[6]).toString().stripTrailing());
        }
        return out;
    }

    /** One incident: its facts, then its timeline, one entry a line. */
    static List<String> details(JsonNode i, Instant now) {
        List<String> out = new ArrayList<>();
        out.add("#" + i.path("id").asText() + " " + i.path("severity").asText().toUpperCase(Locale.ROOT) + " "
                + i.path("state").asText() + ": " + oneLine(i.path("summary").asText()));
        add(out, "host", i.path("host").asText());
        add(out, "app", i.path("app").isNull() ? "-" : i.path("app").asText());
        add(
                out,
                "kind",
                i.path("kind").asText() + " (source " + i.path("source").asText() + ")");
        add(
                out,
                "opened",
                i.path("created").asText() + " (" + age(i.path("created").asText(), now) + " ago)");
        add(
                out,
                "policy",
                i.path("policy").asText() + ", level " + i.path("level").asText() + ", round "
                        + i.path("round").asText());
        if (i.hasNonNull("acknowledged_by")) {
            add(
                    out,
                    "acknowledged",
                    "by " + i.path("acknowledged_by").asText() + " via "
                            + i.path("acknowledged_via").asText() + " at "
                            + i.path("acknowledged_at").asText());
        }
        if (i.hasNonNull("resolved_by")) {
            add(
                    out,
                    "resolved",
                    "by " + i.path("resolved_by").asText() + " at "
                            + i.path("resolved_at").asText());
        }
        if (i.hasNonNull("next_escalation")) {
            add(out, "next page", i.path("next_escalation").asText());
        }
        if (i.hasNonNull("top_writer")) {
            add(out, "top writer", i.path("top_writer").asText());
        }
        var details = i.path("details").fields();
        while (details.hasNext()) {
            var e = details.next();
            add(out, "  " + e.getKey(), oneLine(e.getValue().asText()));
        }
        out.add("timeline:");
        for (JsonNode t : i.path("timeline")) {
            out.add("  " + t.path("time").asText() + "  " + t.path("type").asText() + "  "
                    + oneLine(t.path("message").asText()));
        }
        return out;
    }

    private static void add(List<String> out, String key, String value) {
        out.add(String.format(Locale.ROOT, "%-13s %s", key + ":", value));
    }

    private static String age(String created, Instant now) {
        try {
            return age(Duration.between(Instant.parse(created), now));
        } catch (DateTimeParseException e) {
            return "?";
        }
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
