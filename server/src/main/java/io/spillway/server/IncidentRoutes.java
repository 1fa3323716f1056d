package io.spillway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.spillway.alert.Incident;
import io.spillway.alert.IncidentEngine;
import io.spillway.alert.IncidentFilter;
import io.spillway.alert.IncidentState;
import io.spillway.alert.Match;
import io.spillway.alert.Silence;
import io.spillway.alert.TimelineEntry;
import io.spillway.alert.intake.AlertmanagerIntake;
import io.spillway.alert.intake.EventsApiIntake;
import io.spillway.alert.intake.IntakeConfig;
import io.spillway.alert.intake.IntakeResult;
import io.spillway.config.Durations;
import io.spillway.event.EventSeverity;
import io.spillway.server.auth.TokenInfo;
import io.spillway.server.auth.TokenStore;
import io.spillway.server.dashboard.Html;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The incident API, the alert intake and the acknowledge-link pages (docs/incidents.md, docs/api.md).
 *
 * <ul>
 *   <li>{@code GET /api/v1/incidents?state=&host=&app=&severity=&limit=}: newest first, without
 *       timelines; {@code state} is {@code open} (triggered or acknowledged), {@code triggered},
 *       {@code acknowledged}, {@code resolved} or {@code all} (default {@code open}).
 *   <li>{@code GET /api/v1/incidents/{id}}: one incident with its timeline.
 *   <li>{@code POST /api/v1/incidents/{id}/ack} and {@code .../resolve}: optional JSON body {@code
 *       {"by": "alice", "via": "cli"}} ({@code via} is {@code api} or {@code cli}; {@code by}
 *       defaults to the token's name).
 *   <li>{@code GET/POST /api/v1/silences}, {@code DELETE /api/v1/silences/{id}}.
 *   <li>{@code POST /api/v1/alerts/alertmanager}, {@code POST /api/v1/alerts/events}: intake.
 *   <li>{@code GET /ack/{token}}: a confirm page; {@code POST /ack/{token}}: acknowledges.
 * </ul>
 *
 * <p><b>Access.</b> The incident and silence routes need an admin token (401 without a valid token,
 * 403 for an app token, like the read API). The Alertmanager intake needs an admin token too:
 * Alertmanager sends it with {@code http_config.authorization.credentials}. The Events API intake
 * accepts either an admin bearer token or, without one, a body whose {@code routing_key} is one of
 * {@code alert.intake.routing_keys} (PagerDuty-style senders cannot send headers but do send a
 * routing key); with no routing keys configured a request without a token is refused (401), so an
 * open port cannot open incidents. The ack pages need no token: the signed link is the credential,
 * and only {@code POST} acknowledges, so a link preview in a chat tool does not.
 *
 * <p><b>Bounds.</b> Bodies are bounded by {@code http.max_request_body} (the server) and for the
 * intake by {@code alert.intake.max_body} (413); a silence comment by {@value #MAX_TEXT} characters.
 *
 * <p>Thread-safe: the engine synchronizes; the routes keep no state. Before the engine opens (and
 * after it closes) every route answers 503.
 */
public final class IncidentRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_TEXT = 1000;

    private final Supplier<@Nullable IncidentEngine> engines;
    private final TokenStore tokens;
    private final IntakeConfig intake;
    private final InstantSource clock;
    // The intake parsers are stateless past their config: the routes parse and answer, the engine
    // only applies what parsed.
    private final AlertmanagerIntake alertmanager;
    private final EventsApiIntake eventsApi;

    /**
     * @param engines the engine; null until it has opened, answered 503 meanwhile
     * @param tokens who may read and act
     * @param intake the intake bounds and routing keys
     */
    public IncidentRoutes(
            Supplier<@Nullable IncidentEngine> engines, TokenStore tokens, IntakeConfig intake, InstantSource clock) {
        this.engines = engines;
        this.tokens = tokens;
        this.intake = intake;
        this.clock = clock;
        this.alertmanager = new AlertmanagerIntake(intake);
        this.eventsApi = new EventsApiIntake(intake);
    }

    public void register(Javalin app) {
        app.get("/api/v1/incidents", this::list);
        app.get("/api/v1/incidents/{id}", this::show);
        app.post("/api/v1/incidents/{id}/ack", this::ack);
        app.post("/api/v1/incidents/{id}/resolve", this::resolve);
        app.get("/api/v1/silences", this::silences);
        app.post("/api/v1/silences", this::addSilence);
        app.delete("/api/v1/silences/{id}", this::expireSilence);
        app.post("/api/v1/alerts/alertmanager", this::alertmanager);
        app.post("/api/v1/alerts/events", this::events);
        app.get("/ack/{token}", this::ackPage);
        app.post("/ack/{token}", this::ackByLink);
        app.exception(LogRoutes.ApiException.class, (e, ctx) -> ApiAuth.error(ctx, e.status, e.getMessage()));
    }

    private IncidentEngine engine() {
        IncidentEngine e = engines.get();
        if (e == null) {
            throw new LogRoutes.ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the incident engine is not running");
        }
        return e;
    }

    // ---------------------------------------------------------------- incidents

    private void list(Context ctx) {
        ApiAuth.admin(ctx, tokens);
        String state = Optional.ofNullable(ctx.queryParam("state")).orElse("open");
        int limit = intParam(ctx, "limit", 100, 1, IncidentFilter.MAX_LIMIT);
        EventSeverity severity = null;
        String sev = ctx.queryParam("severity");
        if (sev != null && !sev.isEmpty()) {
            try {
                severity = EventSeverity.valueOf(sev.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad("severity must be info, warning or critical, got \"" + sev + "\"");
            }
        }
        IncidentFilter base = new IncidentFilter(
                null, blankToNull(ctx.queryParam("host")), blankToNull(ctx.queryParam("app")), severity, limit);
        IncidentEngine e = engine();
        List<Incident> found = switch (state) {
            case "all" -> e.list(base);
            case "open" -> {
                List<Incident> out = new java.util.ArrayList<>(e.list(base.withState(IncidentState.TRIGGERED)));
                out.addAll(e.list(base.withState(IncidentState.ACKNOWLEDGED)));
                out.sort((a, b) -> Long.compare(b.id(), a.id()));
                yield out.size() > limit ? out.subList(0, limit) : out;
            }
            case "triggered", "acknowledged", "resolved" -> e.list(base.withState(IncidentState.parse(state)));
            default -> throw bad("state must be open, triggered, acknowledged, resolved or all, got \"" + state + "\"");
        };
        ObjectNode o = JSON.createObjectNode();
        ArrayNode arr = o.putArray("incidents");
        found.forEach(i -> arr.add(incident(i, false)));
        json(ctx, HttpStatus.OK, o);
    }

    private void show(Context ctx) {
        ApiAuth.admin(ctx, tokens);
        long id = id(ctx);
        Incident i = engine().get(id).orElseThrow(() -> notFound(id));
        json(ctx, HttpStatus.OK, incident(i, true));
    }

    private void ack(Context ctx) {
        TokenInfo t = ApiAuth.admin(ctx, tokens);
        long id = id(ctx);
        JsonNode body = optionalBody(ctx);
        String via = text(body, "via", "api");
        if (!via.equals("api") && !via.equals("cli")) {
            throw bad("via must be api or cli, got \"" + via + "\"");
        }
        Incident i = engine().acknowledge(id, by(body, t), via).orElseThrow(() -> notFound(id));
        json(ctx, HttpStatus.OK, incident(i, false));
    }

    private void resolve(Context ctx) {
        TokenInfo t = ApiAuth.admin(ctx, tokens);
        long id = id(ctx);
        Incident i = engine().resolve(id, by(optionalBody(ctx), t)).orElseThrow(() -> notFound(id));
        json(ctx, HttpStatus.OK, incident(i, false));
    }

    private static String by(@Nullable JsonNode body, TokenInfo t) {
        String fallback = t.name().isEmpty() ? "admin" : t.name();
        String by = text(body, "by", fallback).strip();
        return by.isEmpty() ? fallback : by;
    }

    // ---------------------------------------------------------------- silences

    private void silences(Context ctx) {
        ApiAuth.admin(ctx, tokens);
        ObjectNode o = JSON.createObjectNode();
        ArrayNode arr = o.putArray("silences");
        engine().silences().forEach(s -> arr.add(silence(s)));
        json(ctx, HttpStatus.OK, o);
    }

    /**
     * {@code {"matcher": {"host": "node-1?", "app": ..., "kind": ..., "severity": ..., "labels":
     * {...}}, "starts": RFC 3339 (default now), "ends": RFC 3339 or "duration": "2h", "comment": ...,
     * "by": ...}}.
     */
    private void addSilence(Context ctx) {
        TokenInfo t = ApiAuth.admin(ctx, tokens);
        JsonNode body = optionalBody(ctx);
        if (body == null || !body.isObject()) {
            throw bad("expected a JSON object with matcher and ends or duration");
        }
        JsonNode m = body.path("matcher");
        if (!m.isObject() || m.isEmpty()) {
            throw bad("matcher is required and must name at least one of host, app, kind, severity, labels");
        }
        Map<String, String> labels = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.path("labels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
        }
        EventSeverity severity = null;
        if (m.hasNonNull("severity")) {
            try {
                severity = EventSeverity.valueOf(m.get("severity").asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad("matcher.severity must be info, warning or critical");
            }
        }
        Match matcher;
        try {
            matcher = new Match(severity, text(m, "host", null), text(m, "app", null), text(m, "kind", null), labels);
        } catch (RuntimeException e) {
            throw bad("matcher: " + e.getMessage());
        }
        Instant now = clock.instant();
        Instant starts = body.hasNonNull("starts") ? instant(body.get("starts").asText(), "starts") : now;
        Instant ends;
        if (body.hasNonNull("ends")) {
            ends = instant(body.get("ends").asText(), "ends");
        } else if (body.hasNonNull("duration")) {
            try {
                ends = starts.plus(Durations.parse(body.get("duration").asText()));
            } catch (RuntimeException e) {
                throw bad("duration: " + e.getMessage());
            }
        } else {
            throw bad("ends (RFC 3339) or duration (e.g. 2h) is required");
        }
        String comment = text(body, "comment", "");
        if (comment.length() > MAX_TEXT) {
            throw bad("comment is longer than " + MAX_TEXT + " characters");
        }
        Silence s;
        try {
            s = engine().addSilence(matcher, starts, ends, by(body, t), comment);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        json(ctx, HttpStatus.CREATED, silence(s));
    }

    private void expireSilence(Context ctx) {
        ApiAuth.admin(ctx, tokens);
        long id = id(ctx);
        if (!engine().expireSilence(id)) {
            throw new LogRoutes.ApiException(HttpStatus.NOT_FOUND, "no silence " + id);
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("expired", true);
        json(ctx, HttpStatus.OK, o);
    }

    // ---------------------------------------------------------------- intake

    private void alertmanager(Context ctx) {
        ApiAuth.admin(ctx, tokens);
        IncidentEngine e = engine();
        answer(ctx, alertmanager.handle(boundedBody(ctx), clock.instant(), e::applyAlertmanager));
    }

    private void events(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && !header.isBlank()) {
            ApiAuth.admin(ctx, tokens);
        } else if (intake.routingKeys().isEmpty()) {
            // The engine checks routing keys only when some are configured: without any, the key
            // proves nothing, so a token is needed.
            throw new LogRoutes.ApiException(
                    HttpStatus.UNAUTHORIZED,
                    "send Authorization: Bearer <admin token>, or configure alert.intake.routing_keys and send one"
                            + " of them as routing_key");
        }
        IncidentEngine e = engine();
        answer(ctx, eventsApi.handle(boundedBody(ctx), clock.instant(), e::applyEvent));
    }

    private byte[] boundedBody(Context ctx) {
        long length = ctx.contentLength();
        if (length > intake.maxBody().bytes()) {
            throw new LogRoutes.ApiException(
                    HttpStatus.CONTENT_TOO_LARGE, "body larger than alert.intake.max_body " + intake.maxBody());
        }
        // The intake checks max_body again on what was actually read (chunked bodies have no length).
        return ctx.bodyAsBytes();
    }

    private static void answer(Context ctx, IntakeResult r) {
        ctx.status(r.status()).contentType(IntakeResult.CONTENT_TYPE).result(r.body());
    }

    // ---------------------------------------------------------------- ack links

    private void ackPage(Context ctx) {
        IncidentEngine e = engines.get();
        Optional<Incident> i = e == null ? Optional.empty() : e.incidentForToken(ctx.pathParam("token"));
        if (i.isEmpty()) {
            invalidLink(ctx, e == null);
            return;
        }
        Incident in = i.get();
        String action = "/ack/" + Html.esc(ctx.pathParam("token"));
        String body = in.state() == IncidentState.TRIGGERED
                ? "<form method=\"post\" action=\"" + action + "\">"
                        + "<label>Your name <input name=\"by\" maxlength=\"100\" autocomplete=\"name\"></label> "
                        + "<button type=\"submit\">Acknowledge incident #" + in.id() + "</button></form>"
                : "<p>This incident is already <b>" + in.state().label() + "</b>"
                        + (in.acknowledgedBy() != null
                                ? " (acknowledged by " + Html.esc(in.acknowledgedBy()) + ")"
                                : "")
                        + ". Nothing to do.</p>";
        page(ctx, HttpStatus.OK, "Incident #" + in.id(), summary(in) + body);
    }

    private void ackByLink(Context ctx) {
        IncidentEngine e = engines.get();
        if (e == null) {
            invalidLink(ctx, true);
            return;
        }
        String by = Optional.ofNullable(ctx.formParam("by")).orElse("").strip();
        if (by.length() > 100) {
            by = by.substring(0, 100);
        }
        String token = ctx.pathParam("token");
        Optional<Incident> i = by.isEmpty() ? e.acknowledgeByToken(token) : e.acknowledgeByToken(token, by);
        if (i.isEmpty()) {
            invalidLink(ctx, false);
            return;
        }
        Incident in = i.get();
        String what = in.state() == IncidentState.RESOLVED
                ? "<p>This incident is already <b>resolved</b>.</p>"
                : "<p><b>Acknowledged</b>" + (in.acknowledgedBy() != null ? " by " + Html.esc(in.acknowledgedBy()) : "")
                        + ". Paging has stopped; the people already paged are told.</p>";
        page(ctx, HttpStatus.OK, "Incident #" + in.id() + " acknowledged", summary(in) + what);
    }

    private static void invalidLink(Context ctx, boolean unavailable) {
        if (unavailable) {
            page(
                    ctx,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "Not available",
                    "<p>Spillway's incident engine is not running right now. Try again in a minute.</p>");
            return;
        }
        page(
                ctx,
                HttpStatus.NOT_FOUND,
                "Link invalid or expired",
                "<p>This acknowledge link is invalid or has expired (links work for <code>alert.ack_link_ttl</code>,"
                        + " 7 days by default). Acknowledge with <code>spillway ack ID</code> or through the API"
                        + " instead.</p>");
    }

    private static String summary(Incident in) {
        return "<p class=\"sev-" + in.severity().name().toLowerCase(Locale.ROOT) + "\"><b>"
                + in.severity().name() + "</b> " + Html.esc(in.summary()) + "</p><ul>"
                + "<li>State: " + in.state().label() + "</li>"
                + "<li>Host: " + Html.esc(in.host()) + "</li>"
                + (in.app() != null ? "<li>App: " + Html.esc(in.app()) + "</li>" : "")
                + (in.topWriter() != null ? "<li>Top writer: " + Html.esc(in.topWriter()) + "</li>" : "")
                + "<li>Opened: " + in.created() + "</li></ul>";
    }

    private static void page(Context ctx, HttpStatus status, String title, String body) {
        ctx.status(status)
                .header("Cache-Control", "no-store")
                .header("X-Robots-Tag", "noindex")
                .contentType("text/html; charset=utf-8")
                .result("<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\""
                        + " content=\"width=device-width\"><title>" + Html.esc(title) + " - Spillway</title></head>"
                        + "<body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\"><h1>" + Html.esc(title)
                        + "</h1>" + body + "</body></html>\n");
    }

    // ---------------------------------------------------------------- JSON

    /** An incident as the API shows it; with its timeline for the detail view. */
    static ObjectNode incident(Incident i, boolean withTimeline) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", i.id());
        o.put("dedup_key", i.dedupKey());
        o.put("kind", i.kind());
        o.put("severity", i.severity().name().toLowerCase(Locale.ROOT));
        o.put("state", i.state().label());
        o.put("summary", i.summary());
        o.put("host", i.host());
        if (i.app() != null) {
            o.put("app", i.app());
        } else {
            o.putNull("app");
        }
        o.put("source", i.source().name().toLowerCase(Locale.ROOT));
        o.put("policy", i.policy());
        o.put("level", i.level());
        o.put("round", i.round());
        o.put("created", i.created().toString());
        o.put("updated", i.updated().toString());
        put(o, "acknowledged_by", i.acknowledgedBy());
        put(o, "acknowledged_via", i.acknowledgedVia());
        put(o, "acknowledged_at", i.acknowledgedAt());
        put(o, "resolved_by", i.resolvedBy());
        put(o, "resolved_at", i.resolvedAt());
        put(o, "next_escalation", i.nextEscalation());
        put(o, "last_notified", i.lastNotified());
        put(o, "top_writer", i.topWriter());
        if (i.parentId() > 0) {
            o.put("parent_id", i.parentId());
        }
        if (i.silenceId() > 0) {
            o.put("silence_id", i.silenceId());
        }
        o.set("details", JSON.valueToTree(new TreeMap<>(i.details())));
        o.set("labels", JSON.valueToTree(new TreeMap<>(i.labels())));
        o.set("notified_targets", JSON.valueToTree(i.notifiedTargets()));
        if (withTimeline) {
            o.put("timeline_dropped", i.timelineDropped());
            ArrayNode arr = o.putArray("timeline");
            for (TimelineEntry t : i.timeline()) {
                ObjectNode e = arr.addObject();
                e.put("seq", t.seq());
                e.put("time", t.time().toString());
                e.put("type", t.type().label());
                e.put("message", t.message());
                e.set("data", JSON.valueToTree(new TreeMap<>(t.data())));
            }
        }
        return o;
    }

    static ObjectNode silence(Silence s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", s.id());
        ObjectNode m = o.putObject("matcher");
        Match x = s.matcher();
        if (x.severity() != null) {
            m.put("severity", x.severity().name().toLowerCase(Locale.ROOT));
        }
        put(m, "host", x.host());
        put(m, "app", x.app());
        put(m, "kind", x.kind());
        if (!x.labels().isEmpty()) {
            m.set("labels", JSON.valueToTree(x.labels()));
        }
        o.put("starts", s.starts().toString());
        o.put("ends", s.ends().toString());
        o.put("created_by", s.createdBy());
        o.put("comment", s.comment());
        put(o, "expired_at", s.expiredAt());
        return o;
    }

    private static void put(ObjectNode o, String key, @Nullable Object value) {
        if (value != null) {
            o.put(key, value.toString());
        }
    }

    private static void json(Context ctx, HttpStatus status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    // ---------------------------------------------------------------- parameters

    private static long id(Context ctx) {
        String raw = ctx.pathParam("id");
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw bad("id must be a positive number, got \"" + raw + "\"");
    }

    private static int intParam(Context ctx, String name, int dflt, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw bad(name + " must be " + min + ".." + max + ", got \"" + raw + "\"");
    }

    private static Instant instant(String raw, String name) {
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw bad(name + " must be an RFC 3339 time like 2026-06-01T22:00:00Z, got \"" + raw + "\"");
        }
    }

    private static @Nullable JsonNode optionalBody(Context ctx) {
        byte[] b = ctx.bodyAsBytes();
        if (b.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            throw bad("body is not valid JSON: " + e.getMessage());
        }
    }

    private static @Nullable String text(@Nullable JsonNode body, String key, @Nullable String dflt) {
        if (body == null || !body.hasNonNull(key)) {
            return dflt;
        }
        String v = body.get(key).asText();
        if (v.length() > MAX_TEXT) {
            throw bad(key + " is longer than " + MAX_TEXT + " characters");
        }
        return v;
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static LogRoutes.ApiException bad(String message) {
        return new LogRoutes.ApiException(HttpStatus.BAD_REQUEST, message);
    }

    private static LogRoutes.ApiException notFound(long id) {
        return new LogRoutes.ApiException(HttpStatus.NOT_FOUND, "no incident " + id);
    }
}
