package io.spillway.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.spillway.record.LogRecord;
import io.spillway.server.auth.Scope;
import io.spillway.server.auth.TokenStore;
import io.spillway.server.tail.LiveTails;
import io.spillway.store.AppSummary;
import io.spillway.store.Filter;
import io.spillway.store.LogReader;
import io.spillway.store.Query;
import io.spillway.store.QueryResult;
import io.spillway.store.StoredRecord;
import io.spillway.store.Tail;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The read API (docs/api.md): {@code GET /api/v1/apps}, {@code GET /api/v1/apps/{app}/logs} and the
 * live tail {@code GET /api/v1/apps/{app}/logs/tail} (Server-Sent Events).
 *
 * <p><b>Access.</b> Every route needs {@code Authorization: Bearer spw_...} ({@link TokenStore}). No or
 * an unknown token: 401 with {@code WWW-Authenticate: Bearer}. An app token reading another app: 403,
 * answered before the app's existence is checked, so an app token cannot probe other app names. An
 * admin token reads every app; an app token's {@code /apps} lists only its own app.
 *
 * <p><b>Live tail</b> ({@link LiveTails}, as the dashboard's). Each tail runs on its own platform thread ({@code http-tail-N}), outside the
 * HTTP worker pool so tails cannot starve ordinary requests, and holds one permit of {@code
 * http.max_tails}; when none is left the request is answered 503 with {@code Retry-After}. The thread
 * polls the store's {@link Tail} for up to {@code http.tail_heartbeat}; an empty poll sends a comment
 * line, which both keeps proxies from closing the connection and finds a departed client: the write
 * fails, the loop ends, the store tail is closed and the permit returned. So a tail outlives its
 * client by at most one heartbeat. A client that reconnects with {@code Last-Event-ID} first gets the
 * records stored after that cursor (up to {@value #RESUME_LIMIT}), then the live ones; records both
 * in that catch-up and in the live tail are sent once. When the catch-up could not reach the present
 * (more records, or the store's query budget), a {@code gap} event says so, with the cursor to read
 * the rest from.
 *
 * <p>Thread-safe; {@link #close} ends every open tail, and runs when the HTTP server stops.
 */
public final class LogRoutes implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Most records sent to catch up a tail resumed with {@code Last-Event-ID}. */
    static final int RESUME_LIMIT = 1000;

    /** Most records one poll of a live tail hands over before they are written and flushed. */
    static final int TAIL_BATCH = 500;

    private final Supplier<@Nullable LogReader> readers;
    private final TokenStore tokens;
    private final Supplier<Map<String, Map<String, Long>>> drops;
    private final InstantSource clock;
    private final LiveTails tails;

    /** Routes over a store that is open already. */
    public LogRoutes(
            LogReader reader,
            TokenStore tokens,
            Supplier<Map<String, Map<String, Long>>> drops,
            HttpConfig config,
            InstantSource clock) {
        this(() -> reader, tokens, drops, config, clock);
    }

    /**
     * @param readers the store; null until it has opened (routes are registered before the node starts
     *     its outputs), answered 503 meanwhile
     * @param tokens who may read
     * @param drops dropped records so far per app and reason (the drop ledger's totals), shown in
     *     {@code /apps}
     * @param config {@code http.max_tails} and {@code http.tail_heartbeat}
     * @param clock for relative times ({@code since=1h})
     */
    public LogRoutes(
            Supplier<@Nullable LogReader> readers,
            TokenStore tokens,
            Supplier<Map<String, Map<String, Long>>> drops,
            HttpConfig config,
            InstantSource clock) {
        this.readers = readers;
        this.tokens = tokens;
        this.drops = drops;
        this.clock = clock;
        this.tails = new LiveTails("live tail", config.maxTails(), config.tailHeartbeat(), TAIL_BATCH, "http-tail-");
    }

    /** An answer other than 200, with a JSON body {@code {"error": ...}}. */
    static final class ApiException extends RuntimeException {
        final HttpStatus status;

        ApiException(HttpStatus status, String message) {
            super(message);
            this.status = status;
        }
    }

    public void register(Javalin app) {
        app.get("/api/v1/apps", this::apps);
        app.get("/api/v1/apps/{app}/logs", this::logs);
        app.get("/api/v1/apps/{app}/logs/tail", this::tail);
        app.exception(ApiException.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        app.exception(ApiParams.BadParameter.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        // Open tails would otherwise hold the server's stop until their next heartbeat.
        app.events(e -> e.serverStopping(this::close));
    }

    /** Live tails open now. */
    public int openTails() {
        return tails.open();
    }

    private static void error(Context ctx, HttpStatus status, String message) {
        ApiAuth.error(ctx, status, message);
    }

    private Scope authenticate(Context ctx) {
        return ApiAuth.authenticate(ctx, tokens).scope();
    }

    private LogReader reader() {
        LogReader r = readers.get();
        if (r == null) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the store is not open (yet)");
        }
        return r;
    }

    /** Authenticates, checks the scope, then that the app exists: 401, 403, 404 in that order. */
    private String readableApp(Context ctx) {
        Scope scope = authenticate(ctx);
        String app = ctx.pathParam("app");
        if (!scope.canRead(app)) {
            throw new ApiException(HttpStatus.FORBIDDEN, "this token reads app " + scope.app() + " only, not " + app);
        }
        if (reader().app(app) == null) {
            throw new ApiException(HttpStatus.NOT_FOUND, "unknown app " + app);
        }
        return app;
    }

    private void apps(Context ctx) {
        Scope scope = authenticate(ctx);
        Map<String, Map<String, Long>> dropped = drops.get();
        Map<String, ObjectNode> out = new TreeMap<>();
        for (AppSummary a : reader().apps()) {
            if (scope.canRead(a.app())) {
                out.put(a.app(), summary(a, dropped.getOrDefault(a.app(), Map.of())));
            }
        }
        // An app whose every record was dropped is still worth seeing, with its drops.
        dropped.forEach((app, reasons) -> {
            if (scope.canRead(app) && !out.containsKey(app)) {
                out.put(app, summary(new AppSummary(app, 0, 0, 0, null, null, 0, 0), reasons));
            }
        });
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("apps");
        out.values().forEach(arr::add);
        ctx.contentType("application/json").result(root.toString());
    }

    private static ObjectNode summary(AppSummary a, Map<String, Long> reasons) {
        ObjectNode o = JSON.createObjectNode();
        o.put("app", a.app());
        o.put("records", a.records());
        o.put("bytes_stored", a.bytesStored());
        o.put("bytes_raw", a.bytesRaw());
        putTime(o, "oldest", a.oldest());
        putTime(o, "newest", a.newest());
        o.put("ingest_rate", a.recordsPerSecond());
        o.put("evicted_bytes", a.evictedBytes());
        ObjectNode d = o.putObject("drops");
        new TreeMap<>(reasons).forEach(d::put);
        return o;
    }

    private static void putTime(ObjectNode o, String key, @Nullable Instant t) {
        if (t == null) {
            o.putNull(key);
        } else {
            o.put(key, ApiParams.time(t.getEpochSecond() * 1_000_000_000L + t.getNano()));
        }
    }

    private void logs(Context ctx) {
        String app = readableApp(ctx);
        Instant now = clock.instant();
        Instant since = ApiParams.instant("since", ctx.queryParam("since"), now);
        Instant until = ApiParams.instant("until", ctx.queryParam("until"), now);
        if (since != null && until != null && !since.isBefore(until)) {
            throw new ApiParams.BadParameter("until", "must be after since");
        }
        Filter filter = ApiParams.filter(ctx.queryParam("grep"), ctx.queryParam("regex"));
        int limit = ApiParams.limit(ctx.queryParam("limit"));
        Query.Order order = ApiParams.order(ctx.queryParam("order"));
        String cursor = ctx.queryParam("cursor");
        QueryResult r = query(new Query(app, since, until, filter, limit, order, blankToNull(cursor)));
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("records");
        for (StoredRecord s : r.records()) {
            arr.add(record(s));
        }
        if (r.nextCursor() == null) {
            root.putNull("next_cursor");
        } else {
            root.put("next_cursor", r.nextCursor());
        }
        if (r.stoppedEarly() == null) {
            root.putNull("stopped_early");
        } else {
            root.put("stopped_early", r.stoppedEarly());
        }
        root.put("scanned_bytes", r.scannedBytes());
        ctx.contentType("application/json").result(root.toString());
    }

    /** The store refuses a cursor it cannot read with IllegalArgumentException: the client's error. */
    private QueryResult query(Query q) {
        try {
            return reader().query(q);
        } catch (IllegalArgumentException e) {
            throw new ApiParams.BadParameter(q.cursor() != null ? "cursor" : "query", String.valueOf(e.getMessage()));
        }
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static ObjectNode record(StoredRecord s) {
        LogRecord r = s.record();
        ObjectNode o = JSON.createObjectNode();
        o.put("cursor", s.cursor());
        o.put("time", ApiParams.time(r.timestamp()));
        o.put("host", r.host());
        o.put("app", r.app());
        o.put("source", r.source());
        o.put("stream", r.stream().label());
        o.put("severity", r.severity().label());
        o.put("message", r.messageText());
        ObjectNode f = o.putObject("fields");
        r.fields().forEach(f::put);
        return o;
    }

    private void tail(Context ctx) {
        String app = readableApp(ctx);
        Filter filter = ApiParams.filter(ctx.queryParam("grep"), ctx.queryParam("regex"));
        String lastEventId = blankToNull(ctx.header("Last-Event-ID"));
        if (!tails.tryAcquire()) {
            ctx.header("Retry-After", "5");
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "too many live tails open (http.max_tails); retry later or use /logs without tail");
        }
        Tail tail;
        QueryResult catchUp;
        try {
            // Follow first, then read the gap since the client's last record, so nothing falls between.
            try {
                tail = reader().follow(app, filter);
            } catch (IllegalStateException e) {
                // The store's own bound on followers (outputs.store.max_followers) is full.
                ctx.header("Retry-After", "5");
                throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "the store refused the tail: " + e.getMessage());
            }
            try {
                catchUp = lastEventId == null
                        ? new QueryResult(List.of(), null, null, 0)
                        : query(new Query(app, null, null, filter, RESUME_LIMIT, Query.Order.ARRIVAL, lastEventId));
            } catch (RuntimeException e) {
                tail.close();
                throw e;
            }
        } catch (RuntimeException e) {
            tails.release();
            throw e;
        }
        ctx.status(HttpStatus.OK);
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setContentType("text/event-stream");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        StringBuilder preamble = new StringBuilder(": following " + app + "\n\n");
        Set<String> sent = new HashSet<>();
        for (StoredRecord s : catchUp.records()) {
            sent.add(s.cursor());
            preamble.append(event("record", s.cursor(), record(s).toString()));
        }
        if (catchUp.nextCursor() != null) {
            // More was stored while the client was away than one catch-up page: say so (G3).
            ObjectNode o = JSON.createObjectNode();
            o.put("reason", catchUp.stoppedEarly() != null ? catchUp.stoppedEarly() : "resume_limit");
            o.put("after", catchUp.nextCursor());
            preamble.append(event("gap", null, o.toString()));
        }
        tails.start(ctx, app, tail, preamble.toString(), sent, API_EVENTS);
    }

    /** The API's events: {@code record} with the record as JSON, {@code missed} with the counts. */
    private static final LiveTails.Format API_EVENTS = new LiveTails.Format() {
        @Override
        public String line(StoredRecord s) {
            return event("record", s.cursor(), record(s).toString());
        }

        @Override
        public String missed(long newly, long total) {
            ObjectNode o = JSON.createObjectNode();
            o.put("missed", newly);
            o.put("total", total);
            return event("missed", null, o.toString());
        }
    };

    private static String event(String type, @Nullable String id, String data) {
        return (id == null ? "" : "id: " + id + "\n") + "event: " + type + "\ndata: " + data + "\n\n";
    }

    /** Ends every live tail (their threads see the flag or the interrupt within one poll). */
    @Override
    public void close() {
        tails.close();
    }
}
