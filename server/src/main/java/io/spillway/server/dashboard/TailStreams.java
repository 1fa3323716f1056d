package io.spillway.server.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.spillway.guard.DropLedger;
import io.spillway.record.LogRecord;
import io.spillway.server.tail.LiveTails;
import io.spillway.store.Filter;
import io.spillway.store.LogReader;
import io.spillway.store.Query;
import io.spillway.store.StoredRecord;
import io.spillway.store.Tail;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app page's live tail: Server-Sent Events authenticated by the session cookie (a browser's
 * {@code EventSource} cannot send the API's bearer header).
 *
 * <p>The loop is the API's ({@link LiveTails}): each tail runs on its own daemon thread ({@code
 * dashboard-tail-N}) outside the HTTP pool, holds one of {@code maxTails} permits (503 when none is
 * left) and polls the store's bounded {@link Tail} for up to {@code heartbeat}; an empty poll writes a
 * comment, which finds a departed client. So a tail outlives its page by at most one heartbeat, and
 * ends when the store closes its tail. Records the tail discarded because the browser fell behind are
 * announced as a {@code missed} event.
 *
 * <p>Resume: given the cursor of the last line the page shows ({@code after}, or an EventSource's
 * {@code Last-Event-ID}), the tail first sends up to {@value #RESUME_LIMIT} stored lines after it, then
 * the live ones, each once: the follow starts before the catch-up query, and live lines already sent
 * by the catch-up are skipped by cursor. Every line carries its cursor as the event id. Thread-safe.
 */
final class TailStreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TailStreams.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int BATCH = 500;

    /** Most stored lines sent to catch up a resumed tail. */
    static final int RESUME_LIMIT = 1000;

    private final LiveTails tails;

    TailStreams(int maxTails, Duration heartbeat) {
        this.tails = new LiveTails("dashboard tail", maxTails, heartbeat, BATCH, "dashboard-tail-");
    }

    int open() {
        return tails.open();
    }

    void open(Context ctx, LogReader reader, String app, @Nullable String grep, @Nullable String after) {
        if (!tails.tryAcquire()) {
            ctx.header("Retry-After", "5");
            throw new Dashboard.Refusal(503, "Busy", "too many live tails open; retry later");
        }
        Tail tail;
        Filter filter = grep == null ? null : Filter.substring(grep);
        try {
            tail = reader.follow(app, filter);
        } catch (RuntimeException e) {
            tails.release();
            throw new Dashboard.Refusal(503, "Busy", "the store refused the tail: " + e.getMessage());
        }
        ctx.status(HttpStatus.OK);
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setContentType("text/event-stream");
        ctx.res().setHeader("Cache-Control", "no-store");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        StringBuilder preamble = new StringBuilder("retry: 3000\nevent: ready\ndata: {}\n\n");
        Set<String> sent = new HashSet<>();
        for (StoredRecord s : catchUp(reader, app, filter, after)) {
            sent.add(s.cursor());
            preamble.append(lineEvent(s));
        }
        tails.start(ctx, app, tail, preamble.toString(), sent, PAGE_EVENTS);
    }

    /** The page's events: {@code line} with the line as JSON, {@code missed} with the newly missed count. */
    private static final LiveTails.Format PAGE_EVENTS = new LiveTails.Format() {
        @Override
        public String line(StoredRecord s) {
            return lineEvent(s);
        }

        @Override
        public String missed(long newly, long total) {
            return "event: missed\ndata: " + newly + "\n\n";
        }
    };

    /** Stored lines after {@code after}, oldest first; none for no cursor or one the store rejects. */
    private static List<StoredRecord> catchUp(
            LogReader reader, String app, @Nullable Filter filter, @Nullable String after) {
        if (after == null) {
            return List.of();
        }
        try {
            return reader.query(new Query(app, null, null, filter, RESUME_LIMIT, Query.Order.ARRIVAL, after))
                    .records();
        } catch (RuntimeException e) {
            log.debug("dashboard tail of {}: no catch-up after {}: {}", app, after, e.toString());
            return List.of();
        }
    }

    private static String lineEvent(StoredRecord s) {
        return "id: " + s.cursor() + "\nevent: line\ndata: " + line(s) + "\n\n";
    }

    /** One line as JSON; the page inserts it with textContent, never as HTML. */
    static String line(StoredRecord s) {
        LogRecord r = s.record();
        ObjectNode o = JSON.createObjectNode();
        o.put("cursor", s.cursor());
        o.put("time", Pages.TIME.format(Instant.ofEpochSecond(0, r.timestamp())));
        o.put("severity", r.severity().label());
        o.put("message", r.messageText());
        o.put("marker", DropLedger.MARKER_VALUE.equals(r.fields().get(DropLedger.MARKER_FIELD)));
        return o.toString();
    }

    @Override
    public void close() {
        tails.close();
    }
}
