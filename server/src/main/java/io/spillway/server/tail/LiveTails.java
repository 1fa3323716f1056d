package io.spillway.server.tail;

import io.javalin.http.Context;
import io.spillway.store.StoredRecord;
import io.spillway.store.Tail;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live tails as Server-Sent Events: the one loop behind the API's {@code /logs/tail} and the
 * dashboard's app tail, which differ only in how they write an event ({@link Format}).
 *
 * <p>Invariants: at most {@code maxTails} tails are open, each holding one permit; each runs on its own
 * daemon thread ({@code threadPrefix}N) outside the HTTP pool and polls the store's bounded {@link
 * Tail} for up to {@code heartbeat}, writing a comment when nothing came, which finds a departed client.
 * A tail ends, closes the store's tail and returns its permit when the client is gone, when the store
 * closes the tail (the node is stopping) or at {@link #close()}; so it outlives its client by at most
 * one heartbeat, and never outlives the store's tail. A line whose cursor the caller already sent (its
 * catch-up of stored lines) is not sent again; records the store's tail discarded because the client
 * fell behind are announced, as their count since the last announcement. Thread-safe.
 */
public final class LiveTails implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveTails.class);

    /** How one kind of client is written to. */
    public interface Format {
        /** One stored line as a complete event, with its cursor as the event id. */
        String line(StoredRecord s);

        /** The event announcing {@code newly} more discarded records, {@code total} in all. */
        String missed(long newly, long total);
    }

    private final String name;
    private final Duration heartbeat;
    private final int batch;
    private final Semaphore permits;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final NamedThreadFactory threadFactory;
    private volatile boolean closed;

    /**
     * @param name what the logs call one of these tails ({@code live tail}, {@code dashboard tail})
     * @param batch most lines taken from the store's tail per poll
     */
    public LiveTails(String name, int maxTails, Duration heartbeat, int batch, String threadPrefix) {
        this.name = name;
        this.heartbeat = heartbeat;
        this.batch = batch;
        this.permits = new Semaphore(maxTails);
        this.threadFactory = NamedThreadFactory.daemon(threadPrefix, 1);
    }

    /** Takes a permit for a new tail; false when all are taken or the tails are closed. */
    public boolean tryAcquire() {
        return !closed && permits.tryAcquire();
    }

    /** Returns a permit taken by {@link #tryAcquire} for a tail that was not {@link #start started}. */
    public void release() {
        permits.release();
    }

    /** Tails streaming now. */
    public int open() {
        return threads.size();
    }

    /**
     * Streams {@code tail} to {@code ctx}'s response on a thread of its own, after {@code preamble};
     * the response headers are the caller's. Takes over the permit and the tail: both are given back
     * when the stream ends.
     *
     * @param sent cursors of the lines the preamble already holds; the tail skips them once
     */
    public void start(Context ctx, String app, Tail tail, String preamble, Set<String> sent, Format format) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = threadFactory.newThread(() -> {
            try {
                stream(ctx, app, tail, preamble, sent, format);
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

    private void stream(Context ctx, String app, Tail tail, String preamble, Set<String> sent, Format format) {
        try {
            OutputStream out = ctx.res().getOutputStream();
            write(out, preamble);
            long missed = 0;
            // The store closes its tails when the node stops: end then, rather than send heartbeats.
            while (!closed && !tail.isClosed() && !Thread.currentThread().isInterrupted()) {
                List<StoredRecord> lines = tail.poll(heartbeat, batch);
                StringBuilder sb = new StringBuilder();
                for (StoredRecord s : lines) {
                    // Lines stored after the follow began may also be in the catch-up: send once.
                    if (sent.isEmpty() || !sent.remove(s.cursor())) {
                        sb.append(format.line(s));
                    }
                }
                long m = tail.missed();
                if (m > missed) {
                    sb.append(format.missed(m - missed, m));
                    missed = m;
                }
                if (sb.isEmpty()) {
                    sb.append(": heartbeat\n\n");
                }
                write(out, sb.toString());
            }
        } catch (IOException e) {
            log.debug("{} of {} ended: client gone ({})", name, app, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("{} of {} failed", name, app, e);
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Ends every tail (their threads see the flag or the interrupt within one poll). */
    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
