package io.spillway.flood;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.clock.SystemClock;
import io.spillway.config.DataSize;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The soak: a Spillway node on a small filesystem of its own, fed through the acknowledged forward
 * input for a long time, killed with SIGKILL and restarted every few minutes. At the end it checks
 * that every line the node acknowledged is in the store (G5 across crashes), and reports the peak
 * resident memory of the node and how close the disk came to the floor (G4).
 *
 * <p>Workload: {@code quietApps} apps at {@code quietRate} lines/s each, and one noisy app logging
 * ~7 KB Rails dumps at {@code noisyRate} lines/s, above its rate limit, so the guard drops and marks
 * part of it (those drops are counted in the noisy app's markers, not as losses). Lines carry
 * {@code flood seq=N}, as {@link Lines} makes them, so the soak recognises them when reading back.
 *
 * <p>Not a test of the suite (it runs for half an hour); {@code bin/soak} runs it. Not thread-safe:
 * {@link #run} is called once.
 */
public final class Soak {
    /** What to run; {@code nodeSettings} are {@code --set} overrides for the node's config. */
    public record Options(
            Duration duration,
            long fsBytes,
            Path dir,
            boolean mount,
            Duration killMin,
            Duration killMax,
            int quietApps,
            double quietRate,
            double noisyRate,
            int noisySize,
            long seed,
            List<String> nodeSettings,
            List<String> javaOpts) {}

    /** One app's tally at the end. */
    public record AppResult(
            String app, long sent, long acked, long delivered, long duplicates, long lost, long marked) {}

    /** The whole report. */
    public record Report(
            Options options,
            Duration ran,
            int restarts,
            long reconnects,
            long resentChunks,
            long peakRssBytes,
            long fsTotalBytes,
            long peakUsedBytes,
            long minFreeBytes,
            long floorBytes,
            List<AppResult> apps) {
        public long quietLost() {
            return apps.stream()
                    .filter(a -> !a.app().endsWith("-noisy"))
                    .mapToLong(AppResult::lost)
                    .sum();
        }

        public boolean passed() {
            return quietLost() == 0 && minFreeBytes >= floorBytes;
        }
    }

    static final String PREFIX = "soak";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options o;
    private final PrintStream progress;

    public Soak(Options options, PrintStream progress) {
        this.o = options;
        this.progress = progress;
    }

    public Report run() throws Exception {
        Path fs = o.dir().resolve("fs");
        Files.createDirectories(fs);
        if (o.mount()) {
            mount(fs, o.fsBytes());
        }
        try {
            return runOn(fs);
        } finally {
            if (o.mount()) {
                exec("umount", fs.toString());
            }
        }
    }

    private Report runOn(Path fs) throws Exception {
        int forwardPort = freePort();
        int httpPort = freePort();
        Path data = fs.resolve("data");
        long floor = floorBytes(fs);
        Path config = o.dir().resolve("soak.yaml");
        Files.writeString(config, config(data, forwardPort, httpPort, floor));
        Path log = o.dir().resolve("node.log");
        progress.printf(
                Locale.ROOT,
                "soak: %s on %s (%s), node log %s; killing the node every %s-%s%n",
                age(o.duration().toNanos()),
                fs,
                DataSize.human(Files.getFileStore(fs).getTotalSpace()),
                log,
                age(o.killMin().toNanos()),
                age(o.killMax().toNanos()));
        String[] apps = new String[o.quietApps() + 1];
        for (int i = 0; i < o.quietApps(); i++) {
            apps[i] = String.format(java.util.Locale.ROOT, "%s-quiet-%03d", PREFIX, i);
        }
        apps[o.quietApps()] = PREFIX + "-noisy";
        long[] sent = new long[apps.length];

        FileStore store = Files.getFileStore(fs);
        long total = store.getTotalSpace();
        AtomicLong minFree = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicReference<@Nullable Throwable> senderError = new AtomicReference<>();
        Random random = new Random(o.seed());
        int restarts = 0;
        long start = System.nanoTime();
        long end = start + o.duration().toNanos();
        try (SoakNode node = new SoakNode(config, o.nodeSettings(), log, httpPort, o.javaOpts())) {
            node.start(Duration.ofSeconds(60));
            AckedForwardClient client = new AckedForwardClient(
                    new InetSocketAddress("127.0.0.1", forwardPort),
                    apps,
                    SystemClock.instantSource(),
                    Duration.ofSeconds(120));
            Thread sender = NamedThreadFactory.nonDaemon("soak-sender").start(() -> {
                try {
                    send(client, apps, sent, start, end, sending);
                    client.drain();
                } catch (Throwable t) {
                    senderError.set(t);
                }
            });
            Thread sampler = NamedThreadFactory.daemon("soak-sampler").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        minFree.accumulateAndGet(store.getUsableSpace(), Math::min);
                    } catch (IOException ignored) {
                        // the filesystem is unmounted at the very end
                    }
                    node.sampleRss();
                    LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
                }
            });
            long nextKill = start + between(random, o.killMin(), o.killMax());
            long nextProgress = start + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < end && senderError.get() == null) {
                long now = System.nanoTime();
                if (now >= nextKill) {
                    node.kill9();
                    long killed = System.nanoTime();
                    node.start(Duration.ofSeconds(120));
                    restarts++;
                    progress.printf(
                            Locale.ROOT,
                            "soak: kill -9 #%d at %s; ready again after %d ms%n",
                            restarts,
                            age(killed - start),
                            (System.nanoTime() - killed) / 1_000_000);
                    nextKill = System.nanoTime() + between(random, o.killMin(), o.killMax());
                }
                if (now >= nextProgress) {
                    long acked = client.ackedLines();
                    progress.printf(
                            Locale.ROOT,
                            "soak: %s/%s  restarts %d  acked %d  disk used %s of %s (min free %s, floor %s)"
                                    + "  peak rss %s%n",
                            age(now - start),
                            age(o.duration().toNanos()),
                            restarts,
                            acked,
                            DataSize.human(total - store.getUsableSpace()),
                            DataSize.human(total),
                            DataSize.human(minFree.get()),
                            DataSize.human(floor),
                            DataSize.human(node.peakRssBytes()));
                    nextProgress = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                }
                Thread.sleep(100);
            }
            sending.set(false);
            sender.join(Duration.ofMinutes(3).toMillis());
            if (sender.isAlive()) {
                throw new IOException("the sender did not finish within 3 minutes of the end: acks never came");
            }
            if (senderError.get() != null) {
                throw new IOException("the sender failed: " + senderError.get(), senderError.get());
            }
            progress.println("soak: sending done; waiting 15s for the outputs to catch up");
            Thread.sleep(15_000);
            String token = Files.readString(data.resolve("admin.token")).strip();
            List<AppResult> results = new ArrayList<>();
            for (int i = 0; i < apps.length; i++) {
                results.add(readBack(node, token, apps[i], sent[i], client.acked(i)));
            }
            sampler.interrupt();
            node.stop(Duration.ofSeconds(30));
            return new Report(
                    o,
                    Duration.ofNanos(System.nanoTime() - start),
                    restarts,
                    client.reconnects(),
                    client.resentChunks(),
                    node.peakRssBytes(),
                    total,
                    total - minFree.get(),
                    minFree.get(),
                    floor,
                    results);
        }
    }

    /** Paces lines to every app until {@code end}; the noisy app's share is its own rate. */
    private void send(AckedForwardClient client, String[] apps, long[] sent, long start, long end, AtomicBoolean on)
            throws IOException {
        double total = o.quietRate() * o.quietApps() + o.noisyRate();
        double intervalNanos = 1e9 / total;
        double noisyShare = o.noisyRate() / total;
        Random pick = new Random(o.seed() + 1);
        int quietNext = 0;
        for (long k = 0; on.get(); k++) {
            long due = start + (long) (k * intervalNanos);
            if (due >= end) {
                break;
            }
            long now = System.nanoTime();
            if (due > now) {
                client.flush();
                LockSupport.parkNanos(due - now);
            }
            int app;
            String line;
            if (pick.nextDouble() < noisyShare) {
                app = apps.length - 1;
                line = Lines.noisy(sent[app], System.nanoTime() - start, o.noisySize());
            } else {
                app = quietNext;
                quietNext = (quietNext + 1) % o.quietApps();
                line = Lines.quiet(sent[app], System.nanoTime() - start, 200);
            }
            client.send(app, sent[app], line);
            sent[app]++;
        }
    }

    /** Pages through the app's stored records, oldest first, noting each {@code flood seq=N} seen. */
    private static AppResult readBack(SoakNode node, String token, String app, long sent, BitSet acked)
            throws IOException, InterruptedException {
        BitSet seen = new BitSet();
        long duplicates = 0;
        long marked = 0;
        String cursor = null;
        while (true) {
            String q = "/api/v1/apps/" + app + "/logs?order=oldest&limit=10000"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            JsonNode page;
            try {
                page = JSON.readTree(node.get(q, token));
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("answered 404")) {
                    break; // the store never saw the app
                }
                throw e;
            }
            for (JsonNode r : page.path("records")) {
                String m = r.path("message").asText();
                Lines.Mark mark = Lines.parse(m);
                long seq = mark == null ? -1 : mark.seq();
                if (seq >= 0) {
                    if (seen.get((int) seq)) {
                        duplicates++;
                    }
                    seen.set((int) seq);
                } else if ("drop_marker"
                        .equals(r.path("fields").path("spillway").asText())) {
                    marked += r.path("fields").path("dropped_lines").asLong();
                }
            }
            // Only a missing cursor ends the range: a page stopped by the query budget can be empty
            // and still go on.
            JsonNode next = page.path("next_cursor");
            if (next.isNull() || next.isMissingNode()) {
                break;
            }
            cursor = next.asText();
        }
        BitSet lost = (BitSet) acked.clone();
        lost.andNot(seen);
        return new AppResult(
                app, sent, acked.cardinality(), seen.cardinality(), duplicates, lost.cardinality(), marked);
    }

    /** The node's config: forward in, HTTP for the read-back, everything on the small filesystem. */
    private String config(Path data, int forwardPort, int httpPort, long floor) {
        StringBuilder sb = new StringBuilder();
        sb.append("host: soak-node\n");
        sb.append("data_dir: \"").append(data).append("\"\n");
        sb.append("http:\n  listen: \"127.0.0.1:").append(httpPort).append("\"\n");
        sb.append("inputs:\n  syslog:\n    enabled: false\n  gelf:\n    enabled: false\n");
        sb.append("  forward:\n    listen: \"127.0.0.1:").append(forwardPort).append("\"\n");
        String f = DataSize.ofBytes(floor).toString();
        sb.append("buffer:\n  memory: 32MiB\n  disk: 32MiB\n  segment_size: 4MiB\n  min_free_space: \"")
                .append(f)
                .append("\"\n");
        sb.append("outputs:\n  file:\n    max_file_size: 16MiB\n    max_total: 80MiB\n    min_free_space: \"")
                .append(f)
                .append("\"\n");
        sb.append(
                        "  store:\n    max_total: 96MiB\n    max_per_app: 48MiB\n    chunk_size: 1MiB\n    min_free_space: \"")
                .append(f)
                .append("\"\n");
        sb.append("disk_guard:\n  enabled: false\n"); // the soak's filesystem is not a runtime partition
        return sb.toString();
    }

    /** The floor the soak holds the node to: 5% of the filesystem, at least 8 MiB. */
    private static long floorBytes(Path fs) throws IOException {
        return Math.max(8L << 20, Files.getFileStore(fs).getTotalSpace() / 20);
    }

    private static void mount(Path dir, long bytes) throws IOException, InterruptedException {
        exec("mount", "-t", "tmpfs", "-o", "size=" + bytes, "spillway-soak", dir.toString());
    }

    private static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long between(Random r, Duration min, Duration max) {
        long lo = min.toNanos();
        long hi = Math.max(lo, max.toNanos());
        return lo + (hi == lo ? 0 : (long) (r.nextDouble() * (hi - lo)));
    }

    private static String age(long nanos) {
        long s = nanos / 1_000_000_000L;
        return s >= 60 ? (s / 60) + "m" + String.format(java.util.Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
    }

    /** The report as a table for people. */
    public static void print(Report r, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "%nsoak: ran %s, %d kill -9 restarts survived, %d reconnects, %d chunks resent%n",
                age(r.ran().toNanos()),
                r.restarts(),
                r.reconnects(),
                r.resentChunks());
        out.printf(
                Locale.ROOT,
                "  node peak RSS %s; disk %s: peak used %s, min free %s, floor %s (%s)%n",
                DataSize.human(r.peakRssBytes()),
                DataSize.human(r.fsTotalBytes()),
                DataSize.human(r.peakUsedBytes()),
                DataSize.human(r.minFreeBytes()),
                DataSize.human(r.floorBytes()),
                r.minFreeBytes() >= r.floorBytes() ? "held" : "CROSSED");
        out.printf(
                Locale.ROOT,
                "  %-16s %10s %10s %10s %8s %8s %10s%n",
                "APP",
                "SENT",
                "ACKED",
                "DELIVERED",
                "DUPS",
                "LOST",
                "MARKED");
        for (AppResult a : r.apps()) {
            out.printf(
                    Locale.ROOT,
                    "  %-16s %10d %10d %10d %8d %8d %10d%n",
                    a.app(),
                    a.sent(),
                    a.acked(),
                    a.delivered(),
                    a.duplicates(),
                    a.lost(),
                    a.marked());
        }
        out.printf(
                Locale.ROOT,
                "  quiet apps: %d acknowledged lines lost (%s)%n",
                r.quietLost(),
                r.quietLost() == 0 ? "none, as G5 promises" : "G5 BROKEN");
        out.println("  LOST = acknowledged but not in the store; the noisy app's are its guard drops, counted in"
                + " MARKED (markers of a life cut by kill -9 are lost with it)");
    }

    /** The report as JSON. */
    public static String toJson(Report r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("ran_s", r.ran().toSeconds());
        root.put("restarts", r.restarts());
        root.put("reconnects", r.reconnects());
        root.put("resent_chunks", r.resentChunks());
        root.put("peak_rss_bytes", r.peakRssBytes());
        root.put("fs_total_bytes", r.fsTotalBytes());
        root.put("peak_used_bytes", r.peakUsedBytes());
        root.put("min_free_bytes", r.minFreeBytes());
        root.put("floor_bytes", r.floorBytes());
        root.put("quiet_lost", r.quietLost());
        root.put("passed", r.passed());
        Map<String, Object> apps = new LinkedHashMap<>();
        for (AppResult a : r.apps()) {
            apps.put(a.app(), a);
        }
        root.set("apps", JSON.valueToTree(apps));
        return root.toPrettyString();
    }
}
