package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G4 on a real 64 MiB filesystem (a tmpfs the test mounts; skipped where mounting is not permitted)
 * holding the whole data dir: buffers, files, store and the incident store. The process runs with the
 * default floors; the test samples the filesystem's free space while it floods the node.
 */
class SmallDiskIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MiB = 1024 * 1024;
    private static final long DISK = 64 * MiB;

    @TempDir
    Path dir;

    private Path disk;
    private boolean mounted;

    @BeforeEach
    void mountTmpfs() throws Exception {
        disk = Files.createDirectories(dir.resolve("disk"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", disk.toString()) == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN); the small-disk IT is skipped");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", "-l", disk.toString());
        }
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** Sends {@code lines} syslog lines of about {@code size} bytes, round robin over {@code apps}. */
    private static void flood(SpillwayProcess s, int connections, int lines, int size, List<String> apps)
            throws Exception {
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int conn = c;
            senders.add(Thread.ofPlatform().start(() -> {
                String pad = "x".repeat(size);
                try (Socket sock = new Socket("127.0.0.1", s.syslogPort);
                        OutputStream out = new BufferedOutputStream(sock.getOutputStream(), 1 << 16)) {
                    for (int i = conn; i < lines; i += connections) {
                        String app = apps.get(i % apps.size());
                        out.write(("<14>1 2026-12-01T20:00:00.000Z it-host " + app + " - - - line " + i + " " + pad
                                        + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                    }
                } catch (Exception e) {
                    // the node may close a connection it cannot keep up with; what arrived is enough
                }
            }));
        }
        for (Thread t : senders) {
            t.join(TimeUnit.MINUTES.toMillis(5));
        }
    }

    @Test
    void flood_onA64MiBDisk_freeSpaceNeverBelowTheFloor_andTheRefusalIsAnIncident() throws Exception {
        long incidentFloor = (long) Math.ceil(DISK * 0.02);
        long othersFloor = (long) Math.ceil(DISK * 0.05);
        long minFree = floodAndSample("incident store on the disk");
        assertThat(minFree)
                .as("free space never below the lowest floor (the incident store's)")
                .isGreaterThanOrEqualTo(incidentFloor);
        assertThat(minFree)
                .as("below the others' floor only by what the incident store wrote in its headroom")
                .isGreaterThanOrEqualTo(othersFloor - 1024 * 1024);
    }

    @Test
    void flood_incidentStoreElsewhere_noWriterEverBelowItsFloor() throws Exception {
        long othersFloor = (long) Math.ceil(DISK * 0.05);
        Path elsewhere = Files.createDirectories(dir.resolve("incidents"));
        long minFree = floodAndSample("incident store elsewhere", "--set", "alert.store_dir=" + elsewhere);
        assertThat(minFree)
                .as("buffers, files and store together stop at their floor, not one batch past it")
                .isGreaterThanOrEqualTo(othersFloor);
        assertThat(elsewhere.resolve("incidents.db")).exists();
    }

    /**
     * Floods the node until every writer met its floor and a {@code disk_floor} incident is recorded,
     * sampling the free space all along; returns the least free space seen.
     */
    private long floodAndSample(String label, String... extra) throws Exception {
        Path dataDir = disk.resolve("data");
        FileStore fs = Files.getFileStore(disk);
        AtomicLong minFree = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                try {
                    long free = fs.getUsableSpace();
                    minFree.accumulateAndGet(free, Math::min);
                    Thread.sleep(2);
                } catch (Exception e) {
                    return;
                }
            }
        });
        List<String> args = new ArrayList<>(List.of("--set", "guard.rate_limit.enabled=false"));
        args.addAll(List.of(extra));
        try (SpillwayProcess s = SpillwayProcess.startWithDataDir(dir, dataDir, args.toArray(String[]::new))) {
            // About 100 MB of lines: more than the disk holds, so every writer meets its floor.
            flood(s, 4, 330_000, 300, List.of("sensors-api", "error-page", "billing", "web"));
            String token = Files.readString(s.dataDir.resolve("admin.token")).strip();
            // Buffers, files and store stop at min(5%, 256MiB); the incident store records that.
            JsonNode incident = awaitIncident(
                    s,
                    token,
                    i -> i.path("kind").asText().equals("disk_floor")
                            && i.path("summary").asText().contains("min(5%, 256MiB)"));
            sampling.set(false);
            sampler.join();
            System.out.printf(
                    Locale.ROOT,
                    "small disk (%s): min free seen %d bytes (%.3f MiB); floors: others %d (%.3f MiB), incident"
                            + " store %d (%.3f MiB); refused writes %.0f%n",
                    label,
                    minFree.get(),
                    minFree.get() / (double) MiB,
                    (long) Math.ceil(DISK * 0.05),
                    Math.ceil(DISK * 0.05) / MiB,
                    (long) Math.ceil(DISK * 0.02),
                    Math.ceil(DISK * 0.02) / MiB,
                    refused(s));
            assertThat(incident.path("summary").asText())
                    .contains("not writing")
                    .contains("min(5%, 256MiB)");
            assertThat(refused(s)).isPositive();
            assertThat(s.output())
                    .contains("WARN")
                    .containsPattern("below (buffer\\.floor|outputs\\.\\w+\\.min_free_space)")
                    .doesNotContain("SQLITE_FULL");
            return minFree.get();
        } finally {
            sampling.set(false);
        }
    }

    private static double refused(SpillwayProcess s) throws Exception {
        double sum = 0;
        for (String kind : new String[] {"buffer", "file", "store"}) {
            sum += s.metric("spillway_space_refused_writes_total{kind=\"" + kind + "\",reason=\"floor\"}");
        }
        return sum;
    }

    @Test
    void defaultFloors_onA64MiBDisk_deliverEverything() throws Exception {
        Path dataDir = disk.resolve("data");
        int lines = 20_000;
        try (SpillwayProcess s = SpillwayProcess.startWithDataDir(dir, dataDir)) {
            flood(s, 1, lines, 200, List.of("web"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long got = 0;
            Path file = s.appFile("web");
            while (System.nanoTime() < deadline) {
                got = Files.exists(file) ? countLines(file) : 0;
                if (got >= lines) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(got)
                    .as("lines of web.log on a 64 MiB disk\n" + s.output())
                    .isEqualTo(lines);
            assertThat(s.metric("spillway_store_records_total{app=\"web\"}"))
                    .as("the store took them too")
                    .isGreaterThan(0);
        }
    }

    private static long countLines(Path file) throws Exception {
        try (Stream<String> l = Files.lines(file)) {
            return l.count();
        }
    }

    @Test
    void floorLargerThanTheDisk_refusedAtStart_namingTheKey() throws Exception {
        Path dataDir = disk.resolve("data");
        Process p = SpillwayProcess.launch(dir, dataDir, "--set", "outputs.file.min_free_space=256MiB");
        boolean exited;
        try {
            exited = p.waitFor(60, TimeUnit.SECONDS);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        String out = Files.readString(dir.resolve("spillway.out"));
        assertThat(exited).as("exits at start\n" + out).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(2);
        assertThat(out)
                .contains("outputs.file.min_free_space: the floor 256MiB")
                .contains("does not fit the filesystem of " + dataDir.resolve("files"));
    }

    private static JsonNode awaitIncident(SpillwayProcess s, String token, Predicate<JsonNode> wanted)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        ReadApiIT.Result r = null;
        while (System.nanoTime() < deadline) {
            r = ReadApiIT.run(
                    "incidents",
                    "--state",
                    "all",
                    "--json",
                    "--server",
                    "http://127.0.0.1:" + s.httpPort,
                    "--token",
                    token);
            if (r.exit() == 0) {
                for (JsonNode i : JSON.readTree(r.out()).path("incidents")) {
                    if (wanted.test(i)) {
                        return i;
                    }
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError(
                "no such incident; last answer: " + (r == null ? "none" : r.out() + r.err()) + "\n" + s.output());
    }
}
