package io.spillway.input.forward;

import io.spillway.input.forward.PartialJournal.Part;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.LogRecord;
import io.spillway.space.SpaceWriter;
import io.spillway.thread.NamedThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the parts Docker's {@code fluentd} log driver cuts a line longer than 16 KiB into: records
 * with {@code partial_message: "true"}, {@code partial_id}, {@code partial_ordinal} (from 1) and
 * {@code partial_last}. The joined record has the first part's time, app, source, stream and fields,
 * without the four {@code partial_*} fields, and the parts' messages in ordinal order.
 *
 * <h2>Why a journal</h2>
 *
 * Docker sends each part as its own event and, with {@code fluentd-request-ack}, waits for a part's
 * ack before it sends the next, so a part must be acknowledged long before its line can be joined.
 * An acknowledged part must survive a crash (G5): each is written to a {@link PartialJournal} and
 * forced before the caller may acknowledge it ({@link Outcome#HELD}); it leaves the journal only once
 * the line it belongs to was handed to the sink and the sink's receipt came back. A crash between the
 * two delivers the line again on start (at least once), never loses it.
 *
 * <h2>Bounds and fallbacks</h2>
 *
 * Nothing is ever dropped here; what cannot be joined is delivered as it is, with its {@code
 * partial_*} fields, so a reader can still join it, and counted in {@code spillway_input_errors}:
 *
 * <ul>
 *   <li>{@code partial_timeout}: a line whose parts stopped arriving for {@code timeout} (its sender
 *       died, or its other parts passed through): its parts are delivered as they are.
 *   <li>{@code partial_overflow}: a part that would take the parts held (and queued) past {@code
 *       max_pending}; it is not held ({@link Outcome#PASS}).
 *   <li>{@code partial_too_long}: a line longer than {@code max_line} is delivered as several joined
 *       records of at most {@code max_line} each.
 *   <li>{@code partial_unjournaled}: the journal refused the write (disk floor) or failed; the part is
 *       not held. After an I/O error the joiner stops holding parts until the next start.
 *   <li>{@code partial_journal_damaged}: the journal's tail failed its checks on start and was cut
 *       (after a crash mid-write this is a part that was never acknowledged).
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * {@link #offer} may be called from any thread; every decision, journal write and delivery happens on
 * the joiner's one thread, which owns all state below. Outcomes are reported on that thread. {@link
 * #start} and {@link #stop} are called once each; after {@link #stop} returns no record is handed to
 * the sink, and parts still held stay in the journal for the next start.
 */
final class PartialJoiner {
    /** What became of an offered part. */
    enum Outcome {
        /** Journaled and durable: the caller may acknowledge it; the joiner delivers it. */
        HELD,
        /** Not held: the caller delivers the part itself, as it is. */
        PASS
    }

    static final String MESSAGE = "partial_message";
    static final String ID = "partial_id";
    static final String ORDINAL = "partial_ordinal";
    static final String LAST = "partial_last";

    /** Bytes a held part is charged beyond its record's size: its key and bookkeeping. */
    static final int PART_OVERHEAD = 256;

    private static final Logger LOG = LoggerFactory.getLogger(PartialJoiner.class);

    private final ForwardConfig.Partial config;
    private final PartialJournal journal;
    private final InputMetrics metrics;
    private final InstantSource clock;
    private final long compactAt;

    private final ConcurrentLinkedQueue<Offer> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Bytes charged by offers queued and parts held: at most max_pending. */
    private final AtomicLong charged = new AtomicLong();

    private @Nullable ScheduledExecutorService thread;
    private volatile @Nullable RecordSink sink;

    // State of the joiner's thread.
    private final Map<String, Group> groups = new LinkedHashMap<>();
    /** Lines handed to the sink whose receipt has not come back: their parts stay in the journal. */
    private final Map<Long, List<Part>> unconfirmed = new LinkedHashMap<>();

    private long nextDelivery;
    private boolean broken;

    private record Offer(LogRecord record, String key, int ordinal, boolean last, Consumer<Outcome> then) {}

    /** The parts of one line held so far, from {@code base} (1, or the first after a split). */
    private static final class Group {
        final String key;
        int base = 1;
        final TreeMap<Integer, Part> parts = new TreeMap<>();
        long bytes;
        int lastOrdinal = -1;
        long lastMillis;

        Group(String key) {
            this.key = key;
        }

        boolean complete() {
            return lastOrdinal >= base
                    && !parts.isEmpty()
                    && parts.firstKey() == base
                    && parts.size() == lastOrdinal - base + 1;
        }
    }

    /**
     * @param file the journal file (its directory is created on start)
     * @param space the journal's space writer (its floor is {@code space.min_free_space})
     */
    PartialJoiner(
            ForwardConfig.Partial config, Path file, SpaceWriter space, InputMetrics metrics, InstantSource clock) {
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        long maxPending = config.maxPending().bytes();
        // One entry holds one part, and a part is held only if it fits max_pending.
        this.journal = new PartialJournal(file, space, (int) Math.min(Integer.MAX_VALUE, maxPending + (1 << 20)));
        this.compactAt = 2 * maxPending + (1 << 20);
    }

    /** True when {@code r} carries Docker's partial markers, well formed (else it is an ordinary record). */
    static boolean isPart(LogRecord r) {
        Map<String, String> f = r.fields();
        return "true".equals(f.get(MESSAGE)) && !f.getOrDefault(ID, "").isEmpty() && ordinal(r) > 0;
    }

    private static int ordinal(LogRecord r) {
        String o = r.fields().get(ORDINAL);
        if (o == null || o.isEmpty() || o.length() > 9) {
            return -1;
        }
        for (int i = 0; i < o.length(); i++) {
            if (o.charAt(i) < '0' || o.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(o);
    }

    /**
     * Recovers the journal (delivering the lines it holds complete), then starts the joiner's thread.
     *
     * @throws IOException when the journal cannot be opened
     */
    void start(RecordSink to) throws IOException {
        this.sink = to;
        PartialJournal.Recovery rec = journal.open();
        if (rec.damagedBytes() > 0) {
            metrics.error("partial_journal_damaged");
            LOG.warn(
                    "forward: the partial-message journal's last {} bytes failed their checks and were cut"
                            + " (a write torn by a crash, never acknowledged, or damage)",
                    rec.damagedBytes());
        }
        ScheduledExecutorService t =
                Executors.newSingleThreadScheduledExecutor(NamedThreadFactory.daemon("forward-partials"));
        thread = t;
        t.execute(() -> recover(rec));
        long tick = Math.max(50, Math.min(1000, config.timeout().toMillis() / 2));
        t.scheduleWithFixedDelay(this::expire, tick, tick, TimeUnit.MILLISECONDS);
        if (!rec.live().isEmpty()) {
            LOG.info(
                    "forward: {} partial-message parts recovered from the journal",
                    rec.live().size());
        }
    }

    private void recover(PartialJournal.Recovery rec) {
        long now = clock.millis();
        for (Map.Entry<String, Integer> b : rec.bases().entrySet()) {
            Group g = new Group(b.getKey());
            g.base = b.getValue();
            g.lastMillis = now;
            groups.put(g.key, g);
        }
        for (Part p : rec.live()) {
            Group g = groups.computeIfAbsent(p.key(), Group::new);
            g.lastMillis = now;
            add(g, p);
            charged.addAndGet(charge(p.record()));
        }
        try {
            journal.rewrite(rec.live(), rec.bases());
        } catch (IOException e) {
            LOG.warn("forward: cannot compact the partial-message journal: {}", e.toString());
        }
        for (Group g : new ArrayList<>(groups.values())) {
            if (g.complete()) {
                deliverJoined(g, true);
            }
        }
    }

    /**
     * Offers a part ({@link #isPart} must hold). {@code then} is told, once, whether the joiner holds
     * it; on the joiner's thread, or on the caller's when the part is not held at once.
     */
    void offer(LogRecord part, Consumer<Outcome> then) {
        long size = charge(part);
        if (part.messageLength() > config.maxLine().bytes()) {
            metrics.error("partial_too_long");
            then.accept(Outcome.PASS);
            return;
        }
        if (charged.addAndGet(size) > config.maxPending().bytes()) {
            charged.addAndGet(-size);
            metrics.error("partial_overflow");
            then.accept(Outcome.PASS);
            return;
        }
        ScheduledExecutorService t = thread;
        if (t == null) {
            charged.addAndGet(-size);
            then.accept(Outcome.PASS);
            return;
        }
        String key = part.host() + '\0' + part.source() + '\0' + part.fields().get(ID);
        queue.add(
                new Offer(part, key, ordinal(part), "true".equals(part.fields().get(LAST)), then));
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                t.execute(this::drain);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false);
                passQueued(); // stopped: nothing is held any more
            }
        }
    }

    private void passQueued() {
        Offer o;
        while ((o = queue.poll()) != null) {
            charged.addAndGet(-charge(o.record()));
            o.then().accept(Outcome.PASS);
        }
    }

    private static long charge(LogRecord r) {
        return r.sizeBytes() + PART_OVERHEAD;
    }

    /** Takes the queued offers: joins, journals and forces them in one write, then answers them. */
    private void drain() {
        drainScheduled.set(false);
        List<Offer> batch = new ArrayList<>();
        Offer o;
        while ((o = queue.poll()) != null) {
            batch.add(o);
        }
        if (batch.isEmpty()) {
            return;
        }
        List<Part> written = new ArrayList<>();
        List<Offer> writtenOffers = new ArrayList<>();
        List<Offer> duplicates = new ArrayList<>();
        List<Group> touched = new ArrayList<>();
        long now = clock.millis();
        for (Offer offer : batch) {
            if (broken) {
                charged.addAndGet(-charge(offer.record()));
                metrics.error("partial_unjournaled");
                offer.then().accept(Outcome.PASS);
                continue;
            }
            Group g = groups.computeIfAbsent(offer.key(), Group::new);
            g.lastMillis = now;
            if (offer.ordinal() < g.base || g.parts.containsKey(offer.ordinal())) {
                // A resend of a part held or delivered already: acknowledge it again, hold it once.
                charged.addAndGet(-charge(offer.record()));
                metrics.error("duplicate_part");
                duplicates.add(offer);
                continue;
            }
            if (!g.parts.isEmpty()
                    && g.bytes + offer.record().messageLength()
                            > config.maxLine().bytes()) {
                metrics.error("partial_too_long");
                deliverSoFar(g, offer.ordinal());
            }
            Part p = new Part(offer.key(), offer.ordinal(), offer.last(), offer.record());
            add(g, p);
            written.add(p);
            writtenOffers.add(offer);
            if (!touched.contains(g)) {
                touched.add(g);
            }
        }
        boolean durable = false;
        if (!written.isEmpty()) {
            try {
                durable = journal.append(written);
                if (durable) {
                    journal.force();
                }
            } catch (IOException e) {
                broken = true;
                durable = false;
                LOG.error(
                        "forward: cannot write the partial-message journal ({}); long lines are no longer joined"
                                + " until Spillway restarts, their parts are stored as they arrive",
                        e.toString());
            }
        }
        if (!durable) {
            for (int i = 0; i < written.size(); i++) {
                Part p = written.get(i);
                remove(p);
                charged.addAndGet(-charge(p.record()));
                metrics.error("partial_unjournaled");
                writtenOffers.get(i).then().accept(Outcome.PASS);
            }
        } else {
            for (Offer w : writtenOffers) {
                w.then().accept(Outcome.HELD);
            }
        }
        for (Offer d : duplicates) {
            d.then().accept(Outcome.HELD);
        }
        for (Group g : touched) {
            if (g.complete()) {
                deliverJoined(g, true);
            } else if (g.parts.isEmpty() && g.lastOrdinal < 0 && g.base == 1) {
                groups.remove(g.key, g);
            }
        }
        compact();
    }

    private static void add(Group g, Part p) {
        g.parts.put(p.ordinal(), p);
        g.bytes += p.record().messageLength();
        if (p.last()) {
            g.lastOrdinal = p.ordinal();
        }
    }

    private void remove(Part p) {
        Group g = groups.get(p.key());
        if (g != null && g.parts.remove(p.ordinal(), p)) {
            g.bytes -= p.record().messageLength();
            if (p.last()) {
                g.lastOrdinal = -1;
            }
        }
    }

    /** A line grown past max_line: delivers what it has, and goes on from {@code nextOrdinal}. */
    private void deliverSoFar(Group g, int nextOrdinal) {
        if (g.parts.firstKey() == g.base && g.parts.lastKey() - g.base + 1 == g.parts.size()) {
            deliverJoined(g, false);
        } else {
            deliverAsIs(g, false);
        }
        g.base = Math.max(g.base, nextOrdinal);
    }

    /** Delivers the group's parts as one record; {@code last}: the line is complete and the group ends. */
    private void deliverJoined(Group g, boolean last) {
        List<Part> parts = new ArrayList<>(g.parts.values());
        LogRecord first = parts.get(0).record();
        ByteArrayOutputStream message = new ByteArrayOutputStream((int) g.bytes);
        for (Part p : parts) {
            message.writeBytes(p.record().messageBytes());
        }
        Map<String, String> fields = new LinkedHashMap<>(first.fields());
        fields.remove(MESSAGE);
        fields.remove(ID);
        fields.remove(ORDINAL);
        fields.remove(LAST);
        LogRecord joined = first.withMessage(message.toByteArray()).withFields(fields);
        handOver(g, List.of(joined), parts, last);
    }

    /** Delivers the group's parts as they are. */
    private void deliverAsIs(Group g, boolean last) {
        List<Part> parts = new ArrayList<>(g.parts.values());
        List<LogRecord> records = new ArrayList<>(parts.size());
        for (Part p : parts) {
            records.add(p.record());
        }
        handOver(g, records, parts, last);
    }

    private void handOver(Group g, List<LogRecord> records, List<Part> parts, boolean last) {
        int upTo = parts.get(parts.size() - 1).ordinal();
        g.parts.clear();
        g.bytes = 0;
        g.base = upTo + 1;
        if (last) {
            groups.remove(g.key, g);
        }
        long id = nextDelivery++;
        unconfirmed.put(id, parts);
        RecordSink s = sink;
        if (s == null) {
            return;
        }
        String key = g.key;
        s.acceptDurable(records, receipt -> onThread(() -> confirmed(id, key, upTo, last)));
    }

    private void onThread(Runnable r) {
        ScheduledExecutorService t = thread;
        if (t == null) {
            return;
        }
        try {
            t.execute(r);
        } catch (RejectedExecutionException e) {
            // Stopped: the DONE is not written, and the line is delivered again on the next start.
        }
    }

    /** The sink's receipt for a delivery came back: its parts leave the journal. */
    private void confirmed(long id, String key, int upTo, boolean last) {
        List<Part> parts = unconfirmed.remove(id);
        if (parts == null) {
            return;
        }
        for (Part p : parts) {
            charged.addAndGet(-charge(p.record()));
        }
        try {
            if (!broken && !journal.done(key, upTo, last)) {
                LOG.debug("forward: no space for a partial journal DONE; the line may be delivered again on start");
            }
        } catch (IOException e) {
            LOG.warn("forward: cannot write to the partial-message journal: {}", e.toString());
        }
        compact();
    }

    /** Delivers, as they are, the parts of lines that stopped arriving for {@code timeout}. */
    private void expire() {
        long now = clock.millis();
        long timeout = config.timeout().toMillis();
        for (Group g : new ArrayList<>(groups.values())) {
            if (now - g.lastMillis < timeout) {
                continue;
            }
            if (g.parts.isEmpty()) {
                groups.remove(g.key, g);
                continue;
            }
            metrics.error("partial_timeout");
            deliverAsIs(g, true);
        }
        compact();
    }

    /** Keeps the journal small: empty once nothing is held, rewritten when it grew past its bound. */
    private void compact() {
        if (broken) {
            return;
        }
        try {
            if (groups.isEmpty() && unconfirmed.isEmpty()) {
                if (journal.size() > 0) {
                    journal.rewrite(List.of(), Map.of());
                }
                return;
            }
            if (journal.size() > compactAt) {
                List<Part> live = new ArrayList<>();
                Map<String, Integer> bases = new LinkedHashMap<>();
                for (List<Part> ps : unconfirmed.values()) {
                    live.addAll(ps);
                }
                for (Group g : groups.values()) {
                    live.addAll(g.parts.values());
                    if (g.base > 1) {
                        bases.put(g.key, g.base);
                    }
                }
                journal.rewrite(live, bases);
            }
        } catch (IOException e) {
            LOG.warn("forward: cannot compact the partial-message journal: {}", e.toString());
        }
    }

    /** Bytes in the journal file now (for tests). */
    long journalBytes() throws InterruptedException {
        return callOnThread(journal::size);
    }

    /** Parts held now, not yet delivered (for tests). */
    int heldParts() throws InterruptedException {
        return callOnThread(() -> {
            int n = 0;
            for (Group g : groups.values()) {
                n += g.parts.size();
            }
            return n;
        });
    }

    private <T> T callOnThread(java.util.concurrent.Callable<T> c) throws InterruptedException {
        ScheduledExecutorService t = thread;
        if (t == null) {
            throw new IllegalStateException("not started");
        }
        try {
            return t.submit(c).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stops the thread (finishing the work queued); held parts stay in the journal for the next start. */
    void stop() {
        ScheduledExecutorService t = thread;
        if (t == null) {
            return;
        }
        t.shutdown();
        try {
            if (!t.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("forward: the partial-message joiner did not stop within 10s");
                t.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink = null;
        thread = null;
        passQueued();
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warn("forward: cannot close the partial-message journal: {}", e.toString());
        }
    }
}
