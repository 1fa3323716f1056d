package io.spillway.server.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.spillway.alert.Incident;
import io.spillway.alert.IncidentFilter;
import io.spillway.alert.IncidentState;
import io.spillway.config.ConfigBinder;
import io.spillway.server.auth.Scope;
import io.spillway.server.auth.TokenInfo;
import io.spillway.server.dashboard.Sessions.Session;
import io.spillway.store.AppSummary;
import io.spillway.store.LogReader;
import io.spillway.store.Query;
import io.spillway.store.StoredRecord;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator dashboard (docs/dashboard.md): server-rendered pages on the node's own HTTP server.
 *
 * <p><b>Sign-in.</b> A person signs in by pasting an API token ({@code POST /login}). The token is
 * checked against the {@link io.spillway.server.auth.TokenStore} once; the browser then holds only a
 * random session id in an {@code HttpOnly; SameSite=Strict} cookie ({@link Sessions}: bounded table,
 * absolute lifetime; revoking the token ends its sessions). An app token sees only its own app: lists are filtered, another app's page is
 * answered 403 before the app's existence is checked, and host-wide pages (overview, config) are
 * admin-only. An app token sees its own app's incidents but, as in the incident API, only an admin
 * acknowledges or resolves.
 *
 * <p><b>CSRF.</b> Every POST must carry the session's CSRF token (hidden field {@code _csrf} or header
 * {@code X-CSRF-Token}, which htmx sends from {@code hx-headers}); a POST whose {@code Origin} names
 * another origin is refused as well. With {@code SameSite=Strict} that is two independent defences.
 *
 * <p><b>Live updates.</b> Tables are htmx fragments polled every {@code poll}; the tail is an SSE
 * stream on its own thread (like {@code LogRoutes}), at most {@code maxTails} at once, ending within
 * one heartbeat of the client leaving. Sparklines come from {@link AppSeries}, sampled every 10 s by
 * one daemon thread that runs while the server runs.
 *
 * <p>Every page is sent with a Content-Security-Policy allowing only this origin, so an injected
 * script would not run even if escaping failed somewhere. Thread-safe.
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String COOKIE = "spw_session";
    static final int MAX_SESSIONS = 1000;
    static final Duration SESSION_LIFETIME = Duration.ofHours(12);
    static final Duration SERIES_STEP = Duration.ofSeconds(10);
    static final int SERIES_POINTS = 360;
    static final int RECENT_LINES = 100;
    static final int MAX_SERIES_APPS = 200;
    static final int MAX_INCIDENTS = 200;

    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

    private final DashboardSources sources;
    private final InstantSource clock;
    private final Sessions sessions;
    private final Pages pages;
    private final Assets assets = new Assets();
    private final AppSeries series;
    private final TailStreams tails;
    private @Nullable ScheduledExecutorService sampler;

    /**
     * @param sources what the pages show
     * @param poll how often live fragments refresh (5 s in the node)
     * @param maxTails most live tails open at once (the node uses {@code http.max_tails})
     * @param heartbeat a live tail's keep-alive period ({@code http.tail_heartbeat})
     * @param maxApps most apps with a sparkline series (the guard's {@code max_apps})
     */
    public Dashboard(
            DashboardSources sources,
            Duration poll,
            int maxTails,
            Duration heartbeat,
            int maxApps,
            InstantSource clock) {
        this.sources = sources;
        this.clock = clock;
        this.sessions = new Sessions(MAX_SESSIONS, SESSION_LIFETIME, clock);
        this.pages = new Pages(assets, poll);
        this.series = new AppSeries(SERIES_POINTS, maxApps);
        this.tails = new TailStreams(maxTails, heartbeat);
    }

    /** A refusal rendered as a page (or as plain text for fragments and streams). */
    static final class Refusal extends RuntimeException {
        final int status;
        final String title;

        Refusal(int status, String title, String message) {
            super(message);
            this.status = status;
            this.title = title;
        }
    }

    /** Signals a redirect to the sign-in page. */
    private static final class SignIn extends RuntimeException {
        SignIn() {
            super(null, null, false, false);
        }
    }

    public void register(Javalin app) {
        app.get("/static/{hash}/{name}", assets::serve);
        app.get("/login", ctx -> html(ctx, 200, pages.login(null, safeNext(ctx.queryParam("next")))));
        app.post("/login", this::login);
        app.post("/logout", this::logout);
        app.get("/", this::overview);
        app.get("/fragments/overview", this::overviewLive);
        app.get("/apps", this::apps);
        app.get("/fragments/apps", this::appsTable);
        app.get("/fragments/series", this::seriesJson);
        app.get("/apps/{app}", this::appPage);
        app.get("/apps/{app}/drops", this::appDrops);
        app.get("/apps/{app}/tail", this::tail);
        app.get("/incidents", this::incidents);
        app.get("/fragments/incidents", this::incidentsTable);
        app.get("/incidents/{id}", this::incident);
        app.post("/incidents/{id}/ack", ctx -> incidentAction(ctx, true));
        app.post("/incidents/{id}/resolve", ctx -> incidentAction(ctx, false));
        app.get("/config", this::config);
        app.exception(SignIn.class, (e, ctx) -> {
            if (isFragment(ctx)) {
                ctx.status(HttpStatus.UNAUTHORIZED)
                        .contentType("text/plain; charset=utf-8")
                        .result("sign in first\n");
            } else {
                // Back to this page after signing in (e.g. a notification's incident link).
                String here = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
                ctx.redirect(
                        "/login" + (safeNext(here) == null ? "" : "?next=" + Html.seg(here)), HttpStatus.SEE_OTHER);
            }
        });
        app.exception(Refusal.class, (e, ctx) -> {
            if (isFragment(ctx)) {
                ctx.status(e.status).contentType("text/plain; charset=utf-8").result(e.getMessage() + "\n");
            } else {
                html(
                        ctx,
                        e.status,
                        pages.error(currentSession(ctx), e.status, e.title, String.valueOf(e.getMessage())));
            }
        });
        app.events(e -> {
            e.serverStarted(this::startSampler);
            e.serverStopping(this::close);
        });
    }

    // ---- sessions, CSRF ----

    private @Nullable Session currentSession(Context ctx) {
        Session s = sessions.get(ctx.cookie(COOKIE)).orElse(null);
        if (s != null && !tokenStillValid(s)) {
            sessions.remove(s.id());
            return null;
        }
        return s;
    }

    /** A revoked token ends its sessions at their next request (the token file is cached by mtime). */
    private boolean tokenStillValid(Session s) {
        try {
            return sources.tokens().list().stream().anyMatch(t -> t.id().equals(s.tokenId()));
        } catch (IOException e) {
            // An unreadable token file authenticates nobody (as TokenStore.authenticate does).
            return false;
        }
    }

    private Session session(Context ctx) {
        Session s = currentSession(ctx);
        if (s == null) {
            throw new SignIn();
        }
        return s;
    }

    /** A state-changing request: signed in, same origin, and the session's CSRF token. */
    private Session sessionForPost(Context ctx) {
        Session s = session(ctx);
        checkOrigin(ctx);
        String presented = ctx.header("X-CSRF-Token");
        if (presented == null) {
            presented = ctx.formParam("_csrf");
        }
        if (!Sessions.csrfMatches(s, presented)) {
            throw new Refusal(403, "Forbidden", "missing or wrong CSRF token: reload the page and try again");
        }
        return s;
    }

    private static void checkOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || origin.equals("null")) {
            // Browsers send Origin on every POST; "null" comes from privacy contexts. The CSRF token decides.
            return;
        }
        String host = ctx.header("Host");
        try {
            URI u = URI.create(origin);
            String authority = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
            if (host != null && host.equalsIgnoreCase(authority)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            // fall through: refuse
        }
        throw new Refusal(403, "Forbidden", "cross-origin request refused");
    }

    private static Scope admin(Session s) {
        if (!s.scope().isAdmin()) {
            throw new Refusal(403, "Forbidden", "this page needs an admin token; you are signed in as " + s.scope());
        }
        return s.scope();
    }

    private static void canRead(Session s, String app) {
        if (!s.scope().canRead(app)) {
            throw new Refusal(
                    403, "Forbidden", "your token reads app " + s.scope().app() + " only, not " + app + ".");
        }
    }

    private void login(Context ctx) {
        checkOrigin(ctx);
        Optional<TokenInfo> t = sources.tokens().authenticate(ctx.formParam("token"));
        if (t.isEmpty()) {
            html(
                    ctx,
                    401,
                    pages.login(
                            "That token is not valid (unknown, revoked or mistyped).",
                            safeNext(ctx.formParam("next"))));
            return;
        }
        Session old = currentSession(ctx);
        if (old != null) {
            sessions.remove(old.id());
        }
        Session s = sessions.create(t.get().scope(), t.get().name(), t.get().id());
        ctx.header(
                "Set-Cookie",
                COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + SESSION_LIFETIME.toSeconds()
                        + (ctx.scheme().equals("https") ? "; Secure" : ""));
        String app = s.scope().app();
        String next = safeNext(ctx.formParam("next"));
        ctx.redirect(next != null ? next : app == null ? "/" : "/apps/" + Html.seg(app), HttpStatus.SEE_OTHER);
    }

    /** A path on this server to return to after sign-in, or null: never another site (no open redirect). */
    static @Nullable String safeNext(@Nullable String next) {
        if (next == null
                || next.length() > 512
                || !next.startsWith("/")
                || next.startsWith("//")
                || next.startsWith("/login")
                || next.startsWith("/fragments/")
                || next.chars().anyMatch(c -> c == '\\' || c < 0x21 || c > 0x7e)) {
            return null;
        }
        return next;
    }

    private void logout(Context ctx) {
        Session s = sessionForPost(ctx);
        sessions.remove(s.id());
        ctx.header("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        ctx.redirect("/login", HttpStatus.SEE_OTHER);
    }

    // ---- pages ----

    private static boolean isFragment(Context ctx) {
        String p = ctx.path();
        return p.startsWith("/fragments/") || p.endsWith("/tail") || p.endsWith("/drops");
    }

    private static void html(Context ctx, int status, String body) {
        ctx.status(status);
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("text/html; charset=utf-8").result(body);
    }

    private @Nullable LogReader reader() {
        return sources.reader().get();
    }

    private void overview(Context ctx) {
        Session s = session(ctx);
        if (!s.scope().isAdmin()) {
            ctx.redirect("/apps/" + Html.seg(String.valueOf(s.scope().app())), HttpStatus.SEE_OTHER);
            return;
        }
        html(ctx, 200, pages.overview(s, pages.overviewLive(overviewData())));
    }

    private void overviewLive(Context ctx) {
        admin(session(ctx));
        html(ctx, 200, pages.overviewLive(overviewData()));
    }

    private Pages.OverviewData overviewData() {
        LogReader r = reader();
        List<AppSummary> apps = r == null ? List.of() : r.apps();
        double rate = apps.stream().mapToDouble(AppSummary::recordsPerSecond).sum();
        long drops = sources.drops().get().values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(Long::longValue)
                .sum();
        IncidentView iv = sources.incidents().get();
        int open = 0;
        if (iv != null) {
            open = iv.list(new IncidentFilter(IncidentState.TRIGGERED, null, null, null, 1000))
                            .size()
                    + iv.list(new IncidentFilter(IncidentState.ACKNOWLEDGED, null, null, null, 1000))
                            .size();
        }
        return new Pages.OverviewData(
                sources.host(),
                open,
                iv != null,
                sources.disks().get(),
                sources.diskWatermarks(),
                sources.buffers().get(),
                rate,
                apps.size(),
                drops);
    }

    private record Sort(String key, boolean desc) {
        static Sort of(Context ctx) {
            String k = ctx.queryParam("sort");
            if (k == null || !Set.of("rate", "bytes", "drops", "share").contains(k)) {
                k = "rate";
            }
            return new Sort(k, !"asc".equals(ctx.queryParam("dir")));
        }
    }

    private void apps(Context ctx) {
        Session s = session(ctx);
        Sort sort = Sort.of(ctx);
        html(ctx, 200, pages.apps(s, sort.key(), sort.desc(), appsTableHtml(s, sort)));
    }

    private void appsTable(Context ctx) {
        Session s = session(ctx);
        html(ctx, 200, appsTableHtml(s, Sort.of(ctx)));
    }

    private String appsTableHtml(Session s, Sort sort) {
        LogReader r = reader();
        Map<String, Map<String, Long>> dropped = sources.drops().get();
        Map<String, Pages.AppRow> rows = new TreeMap<>();
        List<AppSummary> apps = r == null ? List.of() : r.apps();
        double total = apps.stream().mapToDouble(AppSummary::recordsPerSecond).sum();
        for (AppSummary a : apps) {
            if (s.scope().canRead(a.app())) {
                long d = sum(dropped.get(a.app()));
                double share = total <= 0 ? 0 : 100.0 * a.recordsPerSecond() / total;
                rows.put(
                        a.app(),
                        new Pages.AppRow(a.app(), a.recordsPerSecond(), a.bytesStored(), a.records(), d, share));
            }
        }
        // An app whose every record was dropped is still worth seeing, with its drops.
        dropped.forEach((app, reasons) -> {
            if (s.scope().canRead(app) && !rows.containsKey(app)) {
                rows.put(app, new Pages.AppRow(app, 0, 0, 0, sum(reasons), 0));
            }
        });
        Comparator<Pages.AppRow> c = switch (sort.key()) {
            case "bytes" -> Comparator.comparingLong(Pages.AppRow::bytes);
            case "drops" -> Comparator.comparingLong(Pages.AppRow::drops);
            case "share" -> Comparator.comparingDouble(Pages.AppRow::share);
            default -> Comparator.comparingDouble(Pages.AppRow::rate);
        };
        if (sort.desc()) {
            c = c.reversed();
        }
        List<Pages.AppRow> sorted = new ArrayList<>(rows.values());
        sorted.sort(c.thenComparing(Pages.AppRow::app));
        return pages.appsTable(sorted, sort.key(), sort.desc(), r == null ? "the store is not open (yet)" : null);
    }

    private static long sum(@Nullable Map<String, Long> m) {
        return m == null ? 0 : m.values().stream().mapToLong(Long::longValue).sum();
    }

    private void seriesJson(Context ctx) {
        Session s = session(ctx);
        Set<String> wanted = new LinkedHashSet<>(ctx.queryParams("app"));
        ObjectNode root = JSON.createObjectNode();
        root.put("step", SERIES_STEP.toSeconds());
        ObjectNode appsNode = root.putObject("apps");
        int n = 0;
        for (String app : wanted) {
            if (n++ >= MAX_SERIES_APPS) {
                break;
            }
            AppSeries.Series sr = s.scope().canRead(app) ? series.get(app) : null;
            if (sr == null) {
                continue;
            }
            ObjectNode o = appsNode.putObject(app);
            ArrayNode t = o.putArray("t");
            ArrayNode rate = o.putArray("rate");
            ArrayNode drops = o.putArray("drops");
            for (int i = 0; i < sr.times().length; i++) {
                t.add(sr.times()[i]);
                rate.add(round(sr.rate()[i]));
                drops.add(round(sr.drops()[i]));
            }
        }
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json").result(root.toString());
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }

    /** Samples the sparkline series now; the sampler thread calls it every {@link #SERIES_STEP}. */
    public void sampleSeries() {
        LogReader r = reader();
        Map<String, Long> totals = new HashMap<>();
        sources.drops().get().forEach((app, reasons) -> totals.put(app, sum(reasons)));
        series.sample(clock.instant(), r == null ? List.of() : r.apps(), totals);
    }

    private synchronized void startSampler() {
        if (sampler != null) {
            return;
        }
        ScheduledExecutorService ex =
                Executors.newSingleThreadScheduledExecutor(NamedThreadFactory.daemon("dashboard-series"));
        ex.scheduleAtFixedRate(
                () -> {
                    try {
                        sampleSeries();
                    } catch (RuntimeException e) {
                        log.warn("dashboard: sampling the app series failed", e);
                    }
                },
                0,
                SERIES_STEP.toMillis(),
                TimeUnit.MILLISECONDS);
        sampler = ex;
    }

    /** Reads {@code {app}} after the scope check (403 first, so an app token cannot probe names). */
    private String readableApp(Context ctx, Session s) {
        String app = ctx.pathParam("app");
        canRead(s, app);
        LogReader r = reader();
        // An app token's own app has a page before its first line, so its team can wait for it there.
        if (r != null
                && r.app(app) == null
                && !sources.drops().get().containsKey(app)
                && !app.equals(s.scope().app())) {
            throw new Refusal(404, "Not found", "no app named " + app + " has been seen.");
        }
        return app;
    }

    private void appPage(Context ctx) {
        Session s = session(ctx);
        String app = readableApp(ctx, s);
        LogReader r = reader();
        List<StoredRecord> recent = new ArrayList<>();
        String notice = null;
        if (r == null) {
            notice = "the store is not open (yet)";
        } else {
            recent.addAll(r.query(new Query(app, null, null, null, RECENT_LINES, Query.Order.NEWEST_FIRST, null))
                    .records());
            java.util.Collections.reverse(recent);
        }
        String limits = ConfigBinder.toYaml(ConfigMask.mask(sources.limits().apply(app)));
        Map<String, Long> drops = new TreeMap<>(sources.drops().get().getOrDefault(app, Map.of()));
        html(ctx, 200, pages.app(s, app, limits, pages.dropsTable(drops), recent, notice));
    }

    private void appDrops(Context ctx) {
        Session s = session(ctx);
        String app = readableApp(ctx, s);
        html(ctx, 200, pages.dropsTable(new TreeMap<>(sources.drops().get().getOrDefault(app, Map.of()))));
    }

    private void tail(Context ctx) {
        Session s = session(ctx);
        String app = readableApp(ctx, s);
        LogReader r = reader();
        if (r == null) {
            throw new Refusal(503, "Unavailable", "the store is not open (yet)");
        }
        String grep = ctx.queryParam("grep");
        // An EventSource reconnecting sends the last id it saw; a fresh page names its last line.
        String after = ctx.header("Last-Event-ID");
        if (after == null || after.isBlank()) {
            after = ctx.queryParam("after");
        }
        tails.open(
                ctx,
                r,
                app,
                grep == null || grep.isBlank() ? null : grep,
                after == null || after.isBlank() ? null : after);
    }

    private void incidents(Context ctx) {
        Session s = session(ctx);
        IncidentView iv = sources.incidents().get();
        if (iv == null) {
            html(ctx, 200, pages.incidentsDisabled(s));
            return;
        }
        html(ctx, 200, pages.incidents(s, pages.incidentsTable(visibleIncidents(s, iv))));
    }

    private void incidentsTable(Context ctx) {
        Session s = session(ctx);
        IncidentView iv = sources.incidents().get();
        html(
                ctx,
                200,
                iv == null
                        ? "<p>Incidents are not enabled on this node.</p>"
                        : pages.incidentsTable(visibleIncidents(s, iv)));
    }

    private static List<Incident> visibleIncidents(Session s, IncidentView iv) {
        return iv.list(new IncidentFilter(null, null, s.scope().app(), null, MAX_INCIDENTS));
    }

    private Incident readableIncident(Context ctx, Session s, IncidentView iv) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new Refusal(404, "Not found", "no such incident");
        }
        Incident i = iv.get(id).orElseThrow(() -> new Refusal(404, "Not found", "no incident #" + id));
        // An app token sees its own app's incidents only; host incidents belong to admins.
        if (!s.scope().isAdmin() && (i.app() == null || !s.scope().canRead(i.app()))) {
            throw new Refusal(
                    403, "Forbidden", "your token reads app " + s.scope().app() + " only.");
        }
        return i;
    }

    private IncidentView incidentView() {
        IncidentView iv = sources.incidents().get();
        if (iv == null) {
            throw new Refusal(404, "Not found", "incidents are not enabled on this node");
        }
        return iv;
    }

    private void incident(Context ctx) {
        Session s = session(ctx);
        IncidentView iv = incidentView();
        html(ctx, 200, pages.incident(s, readableIncident(ctx, s, iv), s.scope().isAdmin()));
    }

    private void incidentAction(Context ctx, boolean ack) {
        Session s = sessionForPost(ctx);
        // Like the incident API: acting on incidents needs an admin token; an app token only reads.
        admin(s);
        IncidentView iv = incidentView();
        Incident i = readableIncident(ctx, s, iv);
        String who = "dashboard:" + s.who();
        if (ack) {
            iv.acknowledge(i.id(), who);
        } else {
            iv.resolve(i.id(), who);
        }
        log.info("dashboard: incident #{} {} by {}", i.id(), ack ? "acknowledged" : "resolved", who);
        ctx.redirect("/incidents/" + i.id(), HttpStatus.SEE_OTHER);
    }

    private void config(Context ctx) {
        Session s = session(ctx);
        admin(s);
        html(
                ctx,
                200,
                pages.config(
                        s, ConfigBinder.toYaml(ConfigMask.mask(sources.config().get()))));
    }

    /** Live dashboard tails open now. */
    public int openTails() {
        return tails.open();
    }

    /** Signed-in sessions now. */
    public int sessions() {
        return sessions.size();
    }

    @Override
    public synchronized void close() {
        tails.close();
        if (sampler != null) {
            sampler.shutdownNow();
            sampler = null;
        }
    }
}
