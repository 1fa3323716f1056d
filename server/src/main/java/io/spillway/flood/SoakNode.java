package io.spillway.flood;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Spillway node a soak runs against: a child process of the same jar ({@code spillway run
 * --config FILE}), started, killed with SIGKILL and started again. Its output goes to one log file
 * that every life appends to. Not thread-safe: the soak's main thread owns it.
 */
final class SoakNode implements AutoCloseable {
    private final List<String> command;
    private final Path log;
    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private @Nullable Process process;
    private long peakRssKiB;

    SoakNode(Path config, List<String> settings, Path log, int httpPort, List<String> javaOpts) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar;
        try {
            jar = Path.of(SoakNode.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot find the jar this runs from", e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(javaOpts);
        cmd.addAll(List.of("-jar", jar, "run", "--config", config.toString()));
        for (String setting : settings) {
            cmd.add("--set");
            cmd.add(setting);
        }
        this.command = List.copyOf(cmd);
        this.log = log;
        this.base = URI.create("http://127.0.0.1:" + httpPort);
    }

    /** Starts the node and waits until {@code /readyz} answers 200, at most {@code timeout}. */
    void start(Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        process = p;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("the node exited with " + p.exitValue() + " at start; see " + log);
            }
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(base.resolve("/readyz"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("the node was not ready within " + timeout + "; see " + log);
    }

    /** SIGKILL: no drain, no flush, no shutdown hook. Waits until the process is gone. */
    void kill9() throws InterruptedException {
        Process p = process;
        if (p != null) {
            sampleRss();
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** SIGTERM, the way an operator stops it: buffers drain. Returns the exit code. */
    int stop(Duration timeout) throws InterruptedException {
        Process p = process;
        if (p == null) {
            return 0;
        }
        p.destroy();
        if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            return -1;
        }
        return p.exitValue();
    }

    /** Reads the process's peak resident set (VmHWM) and keeps the largest seen over all lives. */
    long sampleRss() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return peakRssKiB;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    peakRssKiB = Math.max(peakRssKiB, kib);
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process ended between the check and the read
        }
        return peakRssKiB;
    }

    long peakRssBytes() {
        return peakRssKiB * 1024;
    }

    URI base() {
        return base;
    }

    /** GET with a bearer token; the body as text, or an IOException on a non-200 answer. */
    String get(String pathAndQuery, String token) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(base.resolve(pathAndQuery))
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    @Override
    public void close() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }
}
