package io.spillway.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.input.http.DecodeResult;
import io.spillway.input.http.HttpIngestConfig;
import io.spillway.input.http.LogplexDecoder;
import io.spillway.input.http.NdjsonDecoder;
import io.spillway.pipeline.InputMetrics;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.server.auth.Scope;
import io.spillway.server.auth.TokenStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/ingest}: newline-delimited JSON, or {@code application/logplex-1} drains.
 *
 * <p>Answers (G5: 2xx only once the records are in the buffers under their durability policy):
 * <ul>
 *   <li>200 with counts when every decodable record was accepted;
 *   <li>400 when the body held nothing decodable; 413 for a body over {@code http.max_request_body}
 *       (declared, or counted while a chunked body is read: see {@link BodyLimit}) or over {@code
 *       inputs.http.max_records} records; 415 for a compressed body;
 *   <li>429 with {@code Retry-After} when any record was refused because its app is over its rate
 *       limit: the client retries the whole request, so accepted records may arrive twice (at least
 *       once, never lost);
 *   <li>503 when the buffers refused records for lack of room, or did not confirm durability within
 *       {@code inputs.http.ack_timeout}, or the body did not fit in {@code limits.inflight_memory}.
 * </ul>
 *
 * <p>Authentication ({@code http.ingest_auth: token}): the token comes as a bearer token or as the
 * password of HTTP Basic (log drains). No or an unknown token is 401, counted as error kind {@code
 * unauthorized}, before the body is decoded. An admin token sends for any app. An {@code app:NAME} token
 * sends only records of {@code NAME}: without {@code ?app=}, NDJSON lines without an app (decoded as
 * {@code unknown}) and every logplex frame (whose APP-NAME is a process type such as {@code app} or
 * {@code heroku}, not the app) get {@code NAME}; a body with any record of another app is 403, counted
 * as {@code forbidden}, and none of it reaches the pipeline. Thread-safe: no mutable state of its own.
 */
public final class IngestRoutes {
    private static final Logger log = LoggerFactory.getLogger(IngestRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String LOGPLEX = "application/logplex-1";
    private static final DecodeResult NOTHING = new DecodeResult(List.of(), 0, 0, "", false);

    /** Offers records and calls back with the receipt once durable (the pipeline's ack hook). */
    public interface DurableSink extends BiConsumer<List<LogRecord>, java.util.function.Consumer<Receipt>> {}

    private final HttpIngestConfig config;
    private final NdjsonDecoder ndjson;
    private final LogplexDecoder logplex;
    private final DurableSink sink;
    private final InputMetrics metrics;
    private final InstantSource clock;
    private final String host;
    private final ToLongFunction<String> retryAfterSeconds;
    private final HttpConfig.IngestAuth auth;
    private final @Nullable TokenStore tokens;

    /** Without authentication ({@code http.ingest_auth: none}). */
    public IngestRoutes(
            HttpIngestConfig config,
            LogplexDecoder logplex,
            DurableSink sink,
            InputMetrics metrics,
            InstantSource clock,
            String host,
            ToLongFunction<String> retryAfterSeconds) {
        this(config, logplex, sink, metrics, clock, host, retryAfterSeconds, HttpConfig.IngestAuth.NONE, null);
    }

    /**
     * @param auth {@code http.ingest_auth}
     * @param tokens who may send; required when {@code auth} is {@code TOKEN}
     */
    public IngestRoutes(
            HttpIngestConfig config,
            LogplexDecoder logplex,
            DurableSink sink,
            InputMetrics metrics,
            InstantSource clock,
            String host,
            ToLongFunction<String> retryAfterSeconds,
            HttpConfig.IngestAuth auth,
            @Nullable TokenStore tokens) {
        if (auth == HttpConfig.IngestAuth.TOKEN && tokens == null) {
            throw new IllegalArgumentException("ingest_auth: token needs a token store");
        }
        this.config = config;
        this.ndjson = new NdjsonDecoder(config.maxRecord().toIntBytes(), config.maxRecords());
        this.logplex = logplex;
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
        this.host = host;
        this.retryAfterSeconds = retryAfterSeconds;
        this.auth = auth;
        this.tokens = tokens;
    }

    public void register(Javalin app) {
        app.post("/api/v1/ingest", this::ingest);
    }

    private void ingest(Context ctx) {
        Scope scope = Scope.ADMIN;
        if (auth == HttpConfig.IngestAuth.TOKEN && tokens != null) {
            try {
                scope = ApiAuth.authenticate(ctx, tokens, true).scope();
            } catch (LogRoutes.ApiException e) {
                metrics.error("unauthorized");
                ApiAuth.error(ctx, e.status, e.getMessage());
                return;
            }
        }
        String tokenApp = scope.app();
        byte[] body;
        try {
            body = ctx.req().getInputStream().readAllBytes();
        } catch (BodyLimit.Refused e) {
            // Counted by BodyLimit; the response closes the connection, so the rest is never read.
            if (e.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.getCode()) {
                ctx.header("Retry-After", "5");
            }
            reply(ctx, HttpStatus.forStatus(e.getStatus()), NOTHING, null, e.getMessage());
            return;
        } catch (java.io.IOException e) {
            // The client went away, stalled past http.idle_timeout, or was cut at http.body_timeout.
            metrics.error("body_read_error");
            log.debug("ingest from {}: reading the body failed: {}", ctx.ip(), e.toString());
            return;
        }
        String app = ctx.queryParam("app");
        String peer = ctx.ip();
        long now = nanos();
        String type = ctx.contentType() == null ? "" : ctx.contentType();
        DecodeResult r = decode(body, type, app, tokenApp, peer, now);
        for (int i = 0; i < r.malformed(); i++) {
            metrics.error("parse_error");
        }
        for (int i = 0; i < r.tooLarge(); i++) {
            metrics.error("too_large");
        }
        if (!r.firstError().isEmpty()) {
            log.debug("ingest from {}: {}", peer, r.firstError());
        }
        if (tokenApp != null) {
            String other = otherApp(r.records(), tokenApp);
            if (other != null) {
                metrics.error("forbidden");
                ApiAuth.error(
                        ctx,
                        HttpStatus.FORBIDDEN,
                        "this token sends app " + tokenApp + " only, not " + other
                                + "; nothing of this body was accepted");
                return;
            }
        }
        if (r.overLimit()) {
            metrics.error("too_many_records");
            reply(
                    ctx,
                    HttpStatus.CONTENT_TOO_LARGE,
                    r,
                    null,
                    "more than inputs.http.max_records (" + config.maxRecords()
                            + ") records in one request; split the body");
            return;
        }
        if (r.records().isEmpty()) {
            boolean empty = r.malformed() == 0 && r.tooLarge() == 0;
            reply(ctx, empty ? HttpStatus.OK : HttpStatus.BAD_REQUEST, r, null, r.firstError());
            return;
        }
        for (LogRecord rec : r.records()) {
            metrics.received(rec.messageLength());
        }
        CompletableFuture<Receipt> done = new CompletableFuture<>();
        sink.accept(r.records(), done::complete);
        ctx.future(() -> done.orTimeout(config.ackTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((receipt, err) -> {
                    if (err != null) {
                        boolean timeout = err instanceof TimeoutException || err.getCause() instanceof TimeoutException;
                        metrics.error(timeout ? "ack_timeout" : "ack_failed");
                        ctx.header("Retry-After", "5");
                        reply(
                                ctx,
                                HttpStatus.SERVICE_UNAVAILABLE,
                                r,
                                null,
                                timeout
                                        ? "records not durable within inputs.http.ack_timeout; retry"
                                        : "buffer error: " + err.getMessage());
                    } else {
                        answer(ctx, r, receipt);
                    }
                    return null;
                }));
    }

    /**
     * @param app the request's {@code ?app=}, or null
     * @param tokenApp the app of the request's app token, or null (admin token, no authentication)
     */
    private DecodeResult decode(
            byte[] body, String type, @Nullable String app, @Nullable String tokenApp, String peer, long now) {
        if (type.startsWith(LOGPLEX)) {
            return logplex.decode(body, app != null ? app : tokenApp, peer, now);
        }
        DecodeResult r = ndjson.decode(body, app, peer, now);
        return app == null && tokenApp != null ? withDefaultApp(r, tokenApp) : r;
    }

    /** NDJSON lines that named no app (decoded as {@code unknown}) belong to the token's app. */
    private static DecodeResult withDefaultApp(DecodeResult r, String app) {
        List<LogRecord> records = new ArrayList<>(r.records().size());
        for (LogRecord rec : r.records()) {
            records.add(rec.app().equals(AppNames.UNKNOWN) ? rec.withApp(app) : rec);
        }
        return new DecodeResult(records, r.malformed(), r.tooLarge(), r.firstError(), r.overLimit());
    }

    /** The first app other than {@code allowed} among {@code records}, or null. */
    private static @Nullable String otherApp(List<LogRecord> records, String allowed) {
        for (LogRecord rec : records) {
            if (!rec.app().equals(allowed)) {
                return rec.app();
            }
        }
        return null;
    }

    private void answer(Context ctx, DecodeResult r, Receipt receipt) {
        Map<String, Integer> dropped = new TreeMap<>();
        String limitedApp = null;
        List<Admission> admissions = receipt.admissions();
        for (int i = 0; i < admissions.size(); i++) {
            Admission a = admissions.get(i);
            if (!a.accepted()) {
                dropped.merge(a.reason(), 1, Integer::sum);
                if (a.reason().equals("rate_limit") && limitedApp == null) {
                    limitedApp = r.records().get(i).app();
                }
            }
        }
        if (limitedApp != null) {
            ctx.header("Retry-After", Long.toString(Math.max(1, retryAfterSeconds.applyAsLong(limitedApp))));
            reply(ctx, HttpStatus.TOO_MANY_REQUESTS, r, receipt, "app " + limitedApp + " is over its rate limit");
        } else if (!dropped.isEmpty() && receipt.accepted() == 0) {
            ctx.header("Retry-After", "5");
            reply(ctx, HttpStatus.SERVICE_UNAVAILABLE, r, receipt, "the buffers refused the records: " + dropped);
        } else {
            reply(ctx, HttpStatus.OK, r, receipt, r.firstError());
        }
    }

    private static void reply(Context ctx, HttpStatus status, DecodeResult r, @Nullable Receipt receipt, String error) {
        ObjectNode o = JSON.createObjectNode();
        o.put("accepted", receipt == null ? 0 : receipt.accepted());
        o.put("durable", receipt != null && receipt.durable());
        if (receipt != null) {
            ObjectNode d = o.putObject("dropped");
            for (Admission a : receipt.admissions()) {
                if (!a.accepted()) {
                    d.put(a.reason(), d.path(a.reason()).asInt(0) + 1);
                }
            }
        }
        o.put("malformed", r.malformed());
        o.put("too_large", r.tooLarge());
        if (!error.isEmpty()) {
            o.put("error", error);
        }
        ctx.status(status).contentType("application/json").result(o.toString());
    }

    private long nanos() {
        java.time.Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
