package io.spillway.server.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.spillway.guard.DropLedger;
import io.spillway.record.LogRecord;
import io.spillway.store.Filter;
import io.spillway.store.LogReader;
import io.spillway.store.Query;
import io.spillway.store.StoredRecord;
import io.spillway.store.Tail;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app page's live tail: Server-Sent Events authenticated by the session cookie (a browser's
 * {@code EventSource} cannot send the API's bearer header).
 *
 * <p>Each tail runs on its own daemon thread ({@code dashboard-tail-N}) outside the HTTP pool, holds
 * one of {@code maxTails} permits (503 when none is left) and polls the store's bounded {@link Tail}
 * for up to {@code heartbeat}; an empty poll writes a comment, which finds a departed client. So a
 * tail outlives its page by at most one heartbeat. Records the tail discarded because the browser fell
 * behind are announced as a {@code missed} event.
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

    private final Semaphore permits;
    private final Duration heartbeat;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final NamedThreadFactory threadFactory = NamedThreadFactory.daemon("dashboard-tail-", 1);
    private volatile boolean closed;

    TailStreams(int maxTails, Duration heartbeat) {
        this.permits = new Semaphore(maxTails);
        this.heartbeat = heartbeat;
    }

    int open() {
        return threads.size();
    }

    void open(Context ctx, LogReader reader, String app, @Nullable String grep, @Nullable String after) {
        if (closed || !permits.tryAcquire()) {
            ctx.header("Retry-After", "5");
            throw new Dashboard.Refusal(503, "Busy", "too many live tails open; retry later");
        }
        Tail tail;
        Filter filter = grep == null ? null : Filter.substring(grep);
        try {
            tail = reader.follow(app, filter);
        } catch (RuntimeException e) {
            permits.release();
            throw new Dashboard.Refusal(503, "Busy", "the store refused the tail: " + e.getMessage());
        }
        ctx.status(HttpStatus.OK);
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setContentType("text/event-stream");
        ctx.res().setHeader("Cache-Control", "no-store");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = threadFactory.newThread(() -> {
            try {
                stream(ctx, app, tail, catchUp(reader, app, filter, after));
            } finally {
                tail.close();
                threads.remove(Thread.currentThread());
                permits.release();
                done.complete(null);
            }
        });
        threads.add(t);
        ctx.future(() -> done);
        t.start();
    }

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

    private void stream(Context ctx, String app, Tail tail, List<StoredRecord> caughtUp) {
        try {
            OutputStream out = ctx.res().getOutputStream();
            write(out, "retry: 3000\nevent: ready\ndata: {}\n\n");
            Set<String> sent = new HashSet<>();
            if (!caughtUp.isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (StoredRecord s : caughtUp) {
                    sent.add(s.cursor());
                    appendLine(sb, s);
                }
                write(out, sb.toString());
            }
            long missed = 0;
            while (!closed && !Thread.currentThread().isInterrupted()) {
                List<StoredRecord> batch = tail.poll(heartbeat, BATCH);
                StringBuilder sb = new StringBuilder();
                for (StoredRecord s : batch) {
                    // Lines stored after the follow began may also be in the catch-up: send once.
                    if (sent.isEmpty() || !sent.remove(s.cursor())) {
                        appendLine(sb, s);
                    }
                }
                long m = tail.missed();
                if (m > missed) {
                    sb.append("event: missed\ndata: ").append(m - missed).append("\n\n");
                    missed = m;
                }
                if (sb.isEmpty()) {
                    sb.append(": heartbeat\n\n");
                }
                write(out, sb.toString());
            }
        } catch (IOException e) {
            log.debug("dashboard tail of {} ended: client gone ({})", app, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("dashboard tail of {} failed", app, e);
        }
    }

    private static void appendLine(StringBuilder sb, StoredRecord s) {
        sb.append("id: ")
                .append(s.cursor())
                .append("\nevent: line\ndata: ")
                .append(line(s))
                .append("\n\n");
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

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
