package io.spillway.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spillway started as a real process from the distribution jar (system property {@code spillway.jar},
 * set by the build), on free loopback ports, with its own data dir. Output goes to
 * {@code <dataDir>/../spillway.out} for post-mortems.
 */
public final class SpillwayProcess implements AutoCloseable {
    public final Path dataDir;
    public final int httpPort;
    public final int syslogPort;
    /** The fluent forward input's TCP port (and its UDP heartbeat). */
    public final int forwardPort;
    /** The GELF input's TCP and UDP port. */
    public final int gelfPort;

    public final Path log;
    private final Process process;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SpillwayProcess(
            Path dataDir, int httpPort, int syslogPort, int forwardPort, int gelfPort, Path log, Process process) {
        this.dataDir = dataDir;
        this.httpPort = httpPort;
        this.syslogPort = syslogPort;
        this.forwardPort = forwardPort;
        this.gelfPort = gelfPort;
        this.log = log;
        this.process = process;
    }

    public static SpillwayProcess start(Path dir, String... extraArgs) throws Exception {
        return start(dir, freePort(), freePort(), extraArgs);
    }

    public static SpillwayProcess start(Path dir, int httpPort, int syslogPort, String... extraArgs) throws Exception {
        return start(dir, dir.resolve("data"), httpPort, syslogPort, "512m", extraArgs);
    }

    /** With a heap of {@code xmx} (e.g. {@code 256m}) instead of 512m, for tests of memory bounds. */
    public static SpillwayProcess startWithHeap(Path dir, String xmx, String... extraArgs) throws Exception {
        return start(dir, dir.resolve("data"), freePort(), freePort(), xmx, extraArgs);
    }

    /**
     * With the data dir somewhere else than {@code dir} (which keeps the process output), e.g. on a
     * small filesystem the test mounted.
     */
    public static SpillwayProcess startWithDataDir(Path dir, Path dataDir, String... extraArgs) throws Exception {
        return start(dir, dataDir, freePort(), freePort(), "512m", extraArgs);
    }

    /** Starts and returns without waiting for readiness; for tests of start-up failures. */
    public static Process launch(Path dir, Path dataDir, String... extraArgs) throws Exception {
        return process(dir, dataDir, freePort(), freePort(), freePort(), freePort(), "512m", extraArgs);
    }

    private static SpillwayProcess start(
            Path dir, Path dataDir, int httpPort, int syslogPort, String xmx, String... extraArgs) throws Exception {
        int gelfPort = freePort();
        int forwardPort = freePort();
        Path log = dir.resolve("spillway.out");
        Process p = process(dir, dataDir, httpPort, syslogPort, gelfPort, forwardPort, xmx, extraArgs);
        SpillwayProcess sp = new SpillwayProcess(dataDir, httpPort, syslogPort, forwardPort, gelfPort, log, p);
        sp.awaitReady(Duration.ofSeconds(60));
        return sp;
    }

    private static Process process(
            Path dir,
            Path dataDir,
            int httpPort,
            int syslogPort,
            int gelfPort,
            int forwardPort,
            String xmx,
            String... extraArgs)
            throws Exception {
        String jar = System.getProperty("spillway.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException(
                    "system property spillway.jar must point at the built jar (run: mvn verify), got " + jar);
        }
        Path log = dir.resolve("spillway.out");
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx" + xmx,
                "-jar",
                jar,
                "run",
                "--data-dir",
                dataDir.toString(),
                "--set",
                "http.listen=127.0.0.1:" + httpPort,
                "--set",
                "inputs.syslog.tcp.listen=127.0.0.1:" + syslogPort,
                "--set",
                "inputs.syslog.udp.listen=127.0.0.1:" + syslogPort,
                "--set",
                "inputs.gelf.udp.listen=127.0.0.1:" + gelfPort,
                "--set",
                "inputs.gelf.tcp.listen=127.0.0.1:" + gelfPort,
                "--set",
                "inputs.forward.listen=127.0.0.1:" + forwardPort,
                "--set",
                "host=it-host"));
        cmd.addAll(List.of(extraArgs));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** Ports handed out by this JVM: the kernel may give a just-closed ephemeral port again. */
    private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static int freePort() throws IOException {
        for (int tries = 0; ; tries++) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (GIVEN.add(s.getLocalPort()) || tries > 100) {
                    return s.getLocalPort();
                }
            }
        }
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("spillway exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (get("/readyz").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("spillway not ready within " + timeout + ":\n" + output());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public String metrics() throws IOException, InterruptedException {
        return get("/metrics").body();
    }

    /** The value of one sample in /metrics, e.g. {@code spillway_input_received_records_total{input="syslog"}}; 0 if absent. */
    public double metric(String sample) throws IOException, InterruptedException {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(metrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    public Path appFile(String app) {
        return dataDir.resolve("files").resolve(app + ".log");
    }

    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    public long pid() {
        return process.pid();
    }

    /** The process's resident set size ({@code VmRSS} in {@code /proc/<pid>/status}), or -1 when unknown. */
    public long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM and wait; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
