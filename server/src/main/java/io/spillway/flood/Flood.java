package io.spillway.flood;

import io.spillway.clock.SystemClock;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One flood run: senders (a thread for the quiet apps, one for the noisy app), a reader that tails
 * each app's file in the file output's directory, a progress line every second, then a settle phase
 * that waits for stragglers, and finally the {@link FloodReport}.
 */
public final class Flood {
    /** Opens a transport for a group of apps (one sender thread each). */
    public interface TransportFactory {
        Transport open(int apps) throws IOException;
    }

    /** Syslog over TCP with octet counting, one connection per app. */
    public static TransportFactory viaSyslog(InetSocketAddress target) {
        return apps -> new SyslogTransport(target, apps, "flood");
    }

    /** The fluent forward protocol: PackedForward chunks with acks, one connection per sender thread. */
    public static TransportFactory viaForward(InetSocketAddress target) {
        return apps -> new ForwardTransport(target, apps, SystemClock.instantSource());
    }

    /** GELF over TCP, NUL-framed JSON, one connection per sender thread. */
    public static TransportFactory viaGelf(InetSocketAddress target) {
        return apps -> new GelfTransport(target, "flood");
    }

    /** HTTP ingest, NDJSON batches. */
    public static TransportFactory viaHttp(URI ingest) {
        return apps -> new HttpTransport(ingest);
    }

    private final Workload workload;
    private final TransportFactory transports;
    private final Path filesDir;
    private final @Nullable URI metricsUrl;
    private final Duration settle;
    private final PrintStream progress;
    private final LongSupplier clock;

    public Flood(
            Workload workload,
            TransportFactory transports,
            Path filesDir,
            @Nullable URI metricsUrl,
            Duration settle,
            PrintStream progress,
            LongSupplier nanoClock) {
        this.workload = workload;
        this.transports = transports;
        this.filesDir = filesDir;
        this.metricsUrl = metricsUrl;
        this.settle = settle;
        this.progress = progress;
        this.clock = nanoClock;
    }

    public FloodReport run() throws Exception {
        List<AppTally> quiet = new ArrayList<>();
        for (int i = 0; i < workload.quietApps(); i++) {
            quiet.add(new AppTally(workload.quietApp(i), false));
        }
        List<AppTally> noisy = new ArrayList<>();
        if (workload.noisyRate() > 0) {
            noisy.add(new AppTally(workload.noisyApp(), true));
        }
        List<AppTally> all = new ArrayList<>(quiet);
        all.addAll(noisy);
        Map<String, Double> dropsBefore = scrapeDrops();

        Sender quietSender = new Sender(
                quiet,
                workload.quietRate() * workload.quietApps(),
                (seq, sent) -> Lines.quiet(seq, sent, workload.quietLineBytes()),
                transports.open(quiet.size()));
        Sender noisySender = new Sender(
                noisy,
                workload.noisyRate(),
                (seq, sent) -> Lines.noisy(seq, sent, workload.noisyLineBytes()),
                transports.open(noisy.size()));

        long start = clock.getAsLong();
        long end = start + workload.duration().toNanos();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread q = sender("flood-quiet", quietSender, start, end, stop, failure);
        Thread n = sender("flood-noisy", noisySender, start, end, stop, failure);

        List<FileTailer> tailers = new ArrayList<>();
        for (AppTally t : all) {
            tailers.add(new FileTailer(filesDir.resolve(t.app + ".log")));
        }
        long lastProgress = start;
        long lastNewLine = clock.getAsLong();
        boolean sending = true;
        long settleEnd = Long.MAX_VALUE;
        try {
            while (true) {
                long newLines = readAll(all, tailers, start);
                long now = clock.getAsLong();
                if (newLines > 0) {
                    lastNewLine = now;
                }
                if (sending && !q.isAlive() && !n.isAlive()) {
                    sending = false;
                    quietSender.close();
                    noisySender.close();
                    settleEnd = now + settle.toNanos();
                }
                if (now - lastProgress >= 1_000_000_000L) {
                    lastProgress = now;
                    printProgress(all, now - start, sending);
                }
                if (!sending) {
                    boolean complete = all.stream().allMatch(t -> t.snapshot().delivered() >= t.sent.get());
                    // The noisy app is expected to miss lines (that is the point); stop waiting for
                    // it once every quiet app is complete and nothing new arrived for a while.
                    boolean noisyDone = onlyNoisyMissing(all) && now - lastNewLine > 2_000_000_000L;
                    if (complete || noisyDone || now >= settleEnd) {
                        break;
                    }
                }
                Thread.sleep(newLines > 0 ? 1 : 10);
            }
        } finally {
            stop.set(true);
            for (FileTailer t : tailers) {
                t.close();
            }
        }
        if (failure.get() != null) {
            throw new IOException("sending failed: " + failure.get().getMessage(), failure.get());
        }
        progress.println();
        Map<String, Double> dropsAfter = scrapeDrops();
        Map<String, Map<String, Long>> dropsByApp = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : dropsAfter.entrySet()) {
            long delta = Math.round(e.getValue() - dropsBefore.getOrDefault(e.getKey(), 0.0));
            if (delta > 0) {
                String[] appReason = e.getKey().split("\u0000", 2);
                dropsByApp
                        .computeIfAbsent(appReason[0], k -> new LinkedHashMap<>())
                        .put(appReason[1], delta);
            }
        }
        List<AppTally.Snapshot> snaps = all.stream().map(AppTally::snapshot).toList();
        return new FloodReport(
                workload, Duration.ofNanos(clock.getAsLong() - start), snaps, dropsByApp, metricsUrl != null);
    }

    private static boolean onlyNoisyMissing(List<AppTally> all) {
        return all.stream().filter(t -> !t.noisy).allMatch(t -> t.snapshot().delivered() >= t.sent.get());
    }

    private Thread sender(
            String name, Sender s, long start, long end, AtomicBoolean stop, AtomicReference<Throwable> failure) {
        return NamedThreadFactory.daemon(name).start(() -> {
            try {
                s.run(clock, start, end, stop::get);
            } catch (IOException | RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        });
    }

    private long readAll(List<AppTally> all, List<FileTailer> tailers, long start) throws IOException {
        long[] count = {0};
        long warmup = workload.warmup().toNanos();
        for (int i = 0; i < all.size(); i++) {
            AppTally t = all.get(i);
            tailers.get(i).poll(line -> {
                Lines.Mark m = Lines.parse(line);
                if (m != null) {
                    t.delivered(m.seq(), clock.getAsLong() - start - m.sentNanos(), m.sentNanos() >= warmup);
                    count[0]++;
                }
            });
        }
        return count[0];
    }

    private void printProgress(List<AppTally> all, long elapsedNanos, boolean sending) {
        long qs = 0, qd = 0, ns = 0, nd = 0;
        for (AppTally t : all) {
            AppTally.Snapshot s = t.snapshot();
            if (t.noisy) {
                ns += s.sent();
                nd += s.delivered();
            } else {
                qs += s.sent();
                qd += s.delivered();
            }
        }
        progress.printf(
                Locale.ROOT,
                "\rflood %4ds %s  quiet sent %,d delivered %,d  |  noisy sent %,d delivered %,d   ",
                elapsedNanos / 1_000_000_000L,
                sending ? "sending " : "settling",
                qs,
                qd,
                ns,
                nd);
        progress.flush();
    }

    private static final Pattern DROP =
            Pattern.compile("(?m)^spillway_dropped_records_total\\{app=\"([^\"]*)\",reason=\"([^\"]*)\"} (\\S+)$");

    /** Drop counters from Spillway's /metrics, keyed "app\0reason"; empty when not reachable. */
    private Map<String, Double> scrapeDrops() {
        Map<String, Double> out = new HashMap<>();
        if (metricsUrl == null) {
            return out;
        }
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            String body = http.send(
                            HttpRequest.newBuilder(metricsUrl)
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = DROP.matcher(body);
            while (m.find()) {
                out.put(m.group(1) + "\u0000" + m.group(2), Double.parseDouble(m.group(3)));
            }
        } catch (IOException e) {
            progress.println(
                    "flood: cannot read " + metricsUrl + " (" + e.getMessage() + "); drop reasons will be missing");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
