package io.spillway.server.dashboard;

import static io.spillway.server.dashboard.Html.esc;
import static io.spillway.server.dashboard.Html.seg;

import io.spillway.alert.Incident;
import io.spillway.alert.TimelineEntry;
import io.spillway.config.DataSize;
import io.spillway.diskguard.FilesystemStatus;
import io.spillway.guard.DropLedger;
import io.spillway.record.LogRecord;
import io.spillway.server.dashboard.Sessions.Session;
import io.spillway.store.StoredRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The page templates: Java text blocks filled with escaped values ({@link Html#esc}); no template
 * engine, so no reflection, no expression language and nothing to configure. Every dynamic value is
 * escaped at the point it is written; attributes are always double-quoted.
 *
 * <p>No inline script or style: the pages work under a Content-Security-Policy of {@code 'self'}
 * (set by {@link Dashboard}); data for scripts travels in {@code data-*} attributes.
 *
 * <p>Stateless apart from the immutable asset table; thread-safe.
 */
final class Pages {
    /** How the dashboard shows a time, rendered and live lines alike: UTC to the second. */
    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Assets assets;
    private final Duration poll;

    Pages(Assets assets, Duration poll) {
        this.assets = assets;
        this.poll = poll;
    }

    /** The htmx trigger for live fragments. */
    String every() {
        return "every " + Math.max(1, poll.toSeconds()) + "s";
    }

    // ---- layout ----

    String layout(String title, @Nullable Session s, String active, String body) {
        String nav = "";
        String bodyAttrs = "";
        if (s != null) {
            StringBuilder n = new StringBuilder("<nav aria-label=\"Main\"><ul>");
            if (s.scope().isAdmin()) {
                n.append(navItem("/", "Overview", active));
            }
            n.append(navItem("/apps", "Apps", active));
            n.append(navItem("/incidents", "Incidents", active));
            if (s.scope().isAdmin()) {
                n.append(navItem("/config", "Config", active));
            }
            n.append("</ul></nav>");
            n.append("<form class=\"signout\" method=\"post\" action=\"/logout\">")
                    .append(csrfField(s))
                    .append("<span class=\"who\">")
                    .append(esc(s.scope()))
                    .append("</span> <button type=\"submit\">Sign out</button></form>");
            nav = n.toString();
            bodyAttrs = " data-csrf=\"" + esc(s.csrf()) + "\" hx-headers=\""
                    + esc("{\"X-CSRF-Token\":\"" + s.csrf() + "\"}") + "\"";
        }
        return String.format(
                Locale.ROOT,
                """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <meta name="htmx-config" content="{&quot;includeIndicatorStyles&quot;:false}">
                <title>%s · Spillway</title>
                <link rel="stylesheet" href="%s">
                <link rel="stylesheet" href="%s">
                <script src="%s" defer></script>
                <script src="%s" defer></script>
                <script src="%s" defer></script>
                </head>
                <body%s>
                <header class="top"><a class="brand" href="/">Spillway</a>%s</header>
                <main id="main">
                %s
                </main>
                </body>
                </html>
                """,
                esc(title),
                assets.url(Assets.UPLOT_CSS),
                assets.url(Assets.CSS),
                assets.url(Assets.HTMX),
                assets.url(Assets.UPLOT_JS),
                assets.url(Assets.JS),
                bodyAttrs,
                nav,
                body);
    }

    private static String navItem(String href, String label, String active) {
        boolean on = label.equalsIgnoreCase(active);
        return "<li><a href=\"" + href + "\"" + (on ? " aria-current=\"page\"" : "") + ">" + label + "</a></li>";
    }

    static String csrfField(Session s) {
        return "<input type=\"hidden\" name=\"_csrf\" value=\"" + esc(s.csrf()) + "\">";
    }

    // ---- sign-in and errors ----

    String login(@Nullable String error, @Nullable String next) {
        String err = error == null ? "" : "<p class=\"error\" role=\"alert\">" + esc(error) + "</p>";
        return layout(
                "Sign in",
                null,
                "",
                String.format(
                        Locale.ROOT,
                        """
                <section class="login">
                <h1>Sign in</h1>
                %s
                <form method="post" action="/login">
                %s
                <label for="token">API token</label>
                <input id="token" name="token" type="password" autocomplete="off" required spellcheck="false">
                <p class="hint">An admin token sees everything; an app token sees its own app. Create one with <code>spillway token create</code>.</p>
                <button type="submit">Sign in</button>
                </form>
                </section>
                """,
                        err,
                        next == null ? "" : "<input type=\"hidden\" name=\"next\" value=\"" + esc(next) + "\">"));
    }

    String error(@Nullable Session s, int status, String title, String message) {
        return layout(
                title,
                s,
                "",
                "<section class=\"error-page\"><h1>" + status + " " + esc(title) + "</h1><p>" + esc(message)
                        + "</p></section>");
    }

    // ---- overview ----

    String overview(Session s, String live) {
        return layout(
                "Overview",
                s,
                "Overview",
                "<h1>Overview</h1><div id=\"overview-live\" hx-get=\"/fragments/overview\" hx-trigger=\"" + every()
                        + "\" hx-swap=\"innerHTML\">" + live + "</div>");
    }

    record OverviewData(
            String host,
            int openIncidents,
            boolean incidentsEnabled,
            List<FilesystemStatus> disks,
            String watermarks,
            List<DashboardSources.BufferUse> buffers,
            double ingestRate,
            int apps,
            long drops) {}

    String overviewLive(OverviewData d) {
        StringBuilder sb = new StringBuilder();
        if (d.openIncidents() > 0) {
            sb.append("<div class=\"banner\" role=\"status\"><strong>")
                    .append(d.openIncidents())
                    .append(d.openIncidents() == 1 ? " open incident" : " open incidents")
                    .append("</strong> <a href=\"/incidents\">See incidents</a></div>");
        }
        sb.append("<dl class=\"stats\">")
                .append(stat("Ingest rate", fmt(d.ingestRate()) + " lines/s"))
                .append(stat("Apps", String.valueOf(d.apps())))
                .append(stat("Dropped since start", String.valueOf(d.drops())))
                .append(stat("Incidents", d.incidentsEnabled() ? d.openIncidents() + " open" : "not enabled"))
                .append("</dl>");
        sb.append("<h2>Hosts</h2><div class=\"scroll\"><table><caption>Disk use per watched filesystem")
                .append(d.watermarks().isEmpty() ? "" : "; watermarks: " + esc(d.watermarks()))
                .append("</caption>")
                .append("<thead><tr><th scope=\"col\">Host</th><th scope=\"col\">Filesystem</th>")
                .append("<th scope=\"col\" class=\"num\">Used</th><th scope=\"col\" class=\"num\">Free</th>")
                .append("<th scope=\"col\">Watermark level</th></tr></thead><tbody>");
        if (d.disks().isEmpty()) {
            sb.append("<tr><td>")
                    .append(esc(d.host()))
                    .append("</td><td colspan=\"4\">disk guard is not enabled</td></tr>");
        }
        for (FilesystemStatus f : d.disks()) {
            double used = f.usedPercent();
            sb.append("<tr><td>")
                    .append(esc(d.host()))
                    .append("</td><td>")
                    .append(esc(f.path()))
                    .append("</td><td class=\"num\"><meter min=\"0\" max=\"100\" value=\"")
                    .append(fmt(used))
                    .append("\" aria-label=\"used percent\"></meter> ")
                    .append(fmt(used))
                    .append(" %</td><td class=\"num\">")
                    .append(esc(DataSize.human(f.freeBytes())))
                    .append("</td><td><span class=\"level level-")
                    .append(esc(f.level().name().toLowerCase(Locale.ROOT)))
                    .append("\">")
                    .append(esc(f.level().name().toLowerCase(Locale.ROOT)))
                    .append("</span></td></tr>");
        }
        sb.append("</tbody></table></div>");
        sb.append("<h2>Buffers</h2><div class=\"scroll\"><table><caption>Records waiting per output</caption>")
                .append("<thead><tr><th scope=\"col\">Output</th><th scope=\"col\" class=\"num\">Records</th>")
                .append("<th scope=\"col\" class=\"num\">Bytes</th></tr></thead><tbody>");
        for (DashboardSources.BufferUse b : d.buffers()) {
            sb.append("<tr><td>")
                    .append(esc(b.output()))
                    .append("</td><td class=\"num\">")
                    .append(b.records())
                    .append("</td><td class=\"num\">")
                    .append(esc(DataSize.human(b.bytes())))
                    .append("</td></tr>");
        }
        sb.append("</tbody></table></div>");
        return sb.toString();
    }

    private static String stat(String label, String value) {
        return "<div><dt>" + esc(label) + "</dt><dd>" + esc(value) + "</dd></div>";
    }

    // ---- apps ----

    record AppRow(String app, double rate, long bytes, long records, long drops, double share) {}

    String apps(Session s, String sort, boolean desc, String table) {
        return layout(
                "Apps",
                s,
                "Apps",
                "<h1>Apps</h1><div id=\"apps-live\" hx-get=\"/fragments/apps?sort=" + esc(sort) + "&amp;dir="
                        + (desc ? "desc" : "asc") + "\" hx-trigger=\"" + every() + "\" hx-swap=\"innerHTML\">" + table
                        + "</div>");
    }

    String appsTable(List<AppRow> rows, String sort, boolean desc, @Nullable String notice) {
        StringBuilder sb = new StringBuilder();
        if (notice != null) {
            sb.append("<p class=\"notice\">").append(esc(notice)).append("</p>");
        }
        sb.append("<div class=\"scroll\"><table class=\"apps\"><caption>Apps seen by this node; ")
                .append("sparklines show the last hour of lines/s and drops/s</caption><thead><tr>")
                .append("<th scope=\"col\">App</th>")
                .append(sortable("rate", "Lines/s", sort, desc))
                .append(sortable("bytes", "Stored", sort, desc).replace("class=\"num\"", "class=\"num opt\""))
                .append(sortable("drops", "Dropped", sort, desc))
                .append(sortable("share", "Share", sort, desc).replace("class=\"num\"", "class=\"num opt\""))
                .append("<th scope=\"col\">Last hour</th></tr></thead><tbody>");
        if (rows.isEmpty()) {
            sb.append("<tr><td colspan=\"6\">no apps yet: send some logs</td></tr>");
        }
        for (AppRow r : rows) {
            sb.append("<tr data-app=\"")
                    .append(esc(r.app()))
                    .append("\"><th scope=\"row\"><a href=\"/apps/")
                    .append(esc(seg(r.app())))
                    .append("\">")
                    .append(esc(r.app()))
                    .append("</a></th><td class=\"num\">")
                    .append(fmt(r.rate()))
                    .append("</td><td class=\"num opt\">")
                    .append(esc(DataSize.human(r.bytes())))
                    .append("</td><td class=\"num")
                    .append(r.drops() > 0 ? " dropped" : "")
                    .append("\">")
                    .append(r.drops())
                    .append("</td><td class=\"num opt\">")
                    .append(fmt(r.share()))
                    .append(" %</td><td><div class=\"spark\" role=\"img\" aria-label=\"lines and drops per second of ")
                    .append(esc(r.app()))
                    .append(" over the last hour\" data-app=\"")
                    .append(esc(r.app()))
                    .append("\"></div></td></tr>");
        }
        sb.append("</tbody></table></div>");
        return sb.toString();
    }

    private static String sortable(String key, String label, String sort, boolean desc) {
        boolean on = key.equals(sort);
        String aria = on ? " aria-sort=\"" + (desc ? "descending" : "ascending") + "\"" : "";
        String next = on && desc ? "asc" : "desc";
        return "<th scope=\"col\" class=\"num\"" + aria + "><a href=\"/apps?sort=" + key + "&amp;dir=" + next + "\">"
                + label + (on ? (desc ? " ▼" : " ▲") : "") + "</a></th>";
    }

    // ---- one app ----

    String app(
            Session s,
            String app,
            String limitsYaml,
            String dropsTable,
            List<StoredRecord> recent,
            @Nullable String notice) {
        StringBuilder lines = new StringBuilder();
        for (StoredRecord r : recent) {
            lines.append(logLine(r));
        }
        String n = notice == null ? "" : "<p class=\"notice\">" + esc(notice) + "</p>";
        String segApp = esc(seg(app));
        return layout(
                app,
                s,
                "Apps",
                String.format(
                        Locale.ROOT,
                        """
                <h1>App <span class="app-name">%s</span></h1>
                %s
                <div class="grid">
                <section aria-labelledby="h-rate"><h2 id="h-rate">Last hour</h2>
                <div class="chart" role="img" aria-label="lines and drops per second over the last hour" data-app="%s"></div></section>
                <section aria-labelledby="h-drops"><h2 id="h-drops">Drops by reason</h2>
                <div id="drops-live" hx-get="/apps/%s/drops" hx-trigger="%s" hx-swap="innerHTML">%s</div></section>
                </div>
                <section aria-labelledby="h-tail" class="tail-section"><h2 id="h-tail">Live tail</h2>
                <form class="tail-controls" role="search" data-tail="/apps/%s/tail">
                <label for="grep">Filter</label>
                <input id="grep" name="grep" type="search" placeholder="substring" autocomplete="off">
                <button type="button" id="pause" aria-pressed="false">Pause</button>
                <span id="tail-status" role="status" aria-live="polite">connecting…</span>
                </form>
                <ol id="tail" class="tail" aria-label="log lines of %s, newest last">%s</ol>
                </section>
                <section aria-labelledby="h-limits"><h2 id="h-limits">Limits</h2>
                <pre class="yaml">%s</pre></section>
                """,
                        esc(app),
                        n,
                        esc(app),
                        segApp,
                        every(),
                        dropsTable,
                        segApp,
                        esc(app),
                        lines,
                        esc(limitsYaml)));
    }

    static String logLine(StoredRecord s) {
        LogRecord r = s.record();
        boolean marker = DropLedger.MARKER_VALUE.equals(r.fields().get(DropLedger.MARKER_FIELD));
        return "<li class=\"line sev-" + esc(r.severity().label()) + (marker ? " marker" : "") + "\" data-cursor=\""
                + esc(s.cursor()) + "\"><time>" + esc(TIME.format(Instant.ofEpochSecond(0, r.timestamp())))
                + "</time> <span class=\"sev\">" + esc(r.severity().label()) + "</span> <span class=\"msg\">"
                + esc(r.messageText()) + "</span></li>";
    }

    String dropsTable(Map<String, Long> reasons) {
        if (reasons.isEmpty()) {
            return "<p>No drops since start.</p>";
        }
        StringBuilder sb = new StringBuilder(
                "<table><caption>Records dropped since start</caption><thead><tr><th scope=\"col\">Reason</th>"
                        + "<th scope=\"col\" class=\"num\">Records</th></tr></thead><tbody>");
        reasons.forEach((reason, n) -> sb.append("<tr><td>")
                .append(esc(reason))
                .append("</td><td class=\"num dropped\">")
                .append(n)
                .append("</td></tr>"));
        return sb.append("</tbody></table>").toString();
    }

    // ---- incidents ----

    String incidents(Session s, String table) {
        return layout(
                "Incidents",
                s,
                "Incidents",
                "<h1>Incidents</h1><div id=\"incidents-live\" hx-get=\"/fragments/incidents\" hx-trigger=\"" + every()
                        + "\" hx-swap=\"innerHTML\">" + table + "</div>");
    }

    String incidentsDisabled(Session s) {
        return layout(
                "Incidents",
                s,
                "Incidents",
                "<h1>Incidents</h1><p class=\"notice\">Incidents are not enabled on this node.</p>");
    }

    String incidentsTable(List<Incident> list) {
        StringBuilder sb = new StringBuilder(
                "<div class=\"scroll\"><table class=\"incidents\"><caption>Newest first</caption><thead><tr>"
                        + "<th scope=\"col\">#</th><th scope=\"col\">State</th><th scope=\"col\">Severity</th>"
                        + "<th scope=\"col\">Summary</th><th scope=\"col\">Host</th><th scope=\"col\">App</th>"
                        + "<th scope=\"col\">Opened</th></tr></thead><tbody>");
        if (list.isEmpty()) {
            sb.append("<tr><td colspan=\"7\">no incidents</td></tr>");
        }
        for (Incident i : list) {
            sb.append("<tr data-incident=\"")
                    .append(i.id())
                    .append("\"><td><a href=\"/incidents/")
                    .append(i.id())
                    .append("\">#")
                    .append(i.id())
                    .append("</a></td><td>")
                    .append(state(i))
                    .append("</td><td>")
                    .append(esc(i.severity().name().toLowerCase(Locale.ROOT)))
                    .append("</td><td><a href=\"/incidents/")
                    .append(i.id())
                    .append("\">")
                    .append(esc(i.summary()))
                    .append("</a></td><td>")
                    .append(esc(i.host()))
                    .append("</td><td>")
                    .append(i.app() == null ? "" : esc(i.app()))
                    .append("</td><td>")
                    .append(esc(TIME.format(i.created())))
                    .append("</td></tr>");
        }
        return sb.append("</tbody></table></div>").toString();
    }

    private static String state(Incident i) {
        String label = i.state().label();
        return "<span class=\"state state-" + esc(label) + "\">" + esc(label) + "</span>";
    }

    String incident(Session s, Incident i, boolean canAct) {
        StringBuilder sb = new StringBuilder();
        sb.append("<h1>Incident #")
                .append(i.id())
                .append("</h1><p class=\"summary\">")
                .append(esc(i.summary()))
                .append("</p><dl class=\"facts\">")
                .append("<div><dt>State</dt><dd id=\"incident-state\">")
                .append(state(i))
                .append("</dd></div>")
                .append(fact("Severity", i.severity().name().toLowerCase(Locale.ROOT)))
                .append(fact("Kind", i.kind()))
                .append(fact("Host", i.host()))
                .append(fact("App", i.app() == null ? "(host)" : i.app()))
                .append(fact("Opened", TIME.format(i.created())));
        if (i.acknowledgedBy() != null) {
            sb.append(fact("Acknowledged by", i.acknowledgedBy()));
        }
        if (i.resolvedBy() != null) {
            sb.append(fact("Resolved by", i.resolvedBy()));
        }
        sb.append("</dl>");
        if (canAct && i.state().open()) {
            sb.append("<div class=\"actions\">");
            if (i.state() == io.spillway.alert.IncidentState.TRIGGERED) {
                sb.append("<form method=\"post\" action=\"/incidents/")
                        .append(i.id())
                        .append("/ack\">")
                        .append(csrfField(s))
                        .append("<button type=\"submit\" id=\"ack\">Acknowledge</button></form>");
            }
            sb.append("<form method=\"post\" action=\"/incidents/")
                    .append(i.id())
                    .append("/resolve\">")
                    .append(csrfField(s))
                    .append("<button type=\"submit\" id=\"resolve\">Resolve</button></form></div>");
        }
        sb.append("<h2>Timeline</h2><div class=\"scroll\"><table class=\"timeline\"><caption>Oldest first")
                .append(i.timelineDropped() > 0 ? " (" + i.timelineDropped() + " older entries dropped)" : "")
                .append("</caption><thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Event</th>")
                .append("<th scope=\"col\">Detail</th></tr></thead><tbody>");
        for (TimelineEntry e : i.timeline()) {
            sb.append("<tr><td>")
                    .append(esc(TIME.format(e.time())))
                    .append("</td><td>")
                    .append(esc(e.type().label()))
                    .append("</td><td>")
                    .append(esc(e.message()))
                    .append("</td></tr>");
        }
        sb.append("</tbody></table></div>");
        return layout("Incident #" + i.id(), s, "Incidents", sb.toString());
    }

    private static String fact(String label, String value) {
        return "<div><dt>" + esc(label) + "</dt><dd>" + esc(value) + "</dd></div>";
    }

    // ---- config ----

    String config(Session s, String yaml) {
        return layout(
                "Config",
                s,
                "Config",
                "<h1>Effective configuration</h1><p class=\"hint\">Read-only; secrets are shown as "
                        + ConfigMask.MASK + ".</p><pre class=\"yaml\" aria-label=\"configuration\">" + esc(yaml)
                        + "</pre>");
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, d >= 100 ? "%.0f" : "%.1f", d);
    }
}
