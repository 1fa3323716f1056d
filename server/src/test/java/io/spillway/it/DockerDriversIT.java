package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real containers, each of Docker's logging drivers, into a real Spillway: every line arrives once,
 * in order, with the app, source, stream, severity and time that docs/inputs/docker.md's table
 * promises for that driver. Skipped with the reason where no Docker daemon can run.
 *
 * <p>Each container prints {@value #LINES} numbered lines to stdout, one line to stderr and one
 * 20 000-byte line (past Docker's 16 KiB log buffer, so Docker cuts it into parts).
 */
class DockerDriversIT {
    static final int LINES = 1000;
    static final int BIG = 20_000;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    static Docker docker;
    static SpillwayProcess spillway;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        docker = Docker.get();
        Assumptions.assumeTrue(docker != null, Docker::unavailable);
        spillway = SpillwayProcess.start(
                dir,
                "--set",
                "inputs.tail.enabled=true",
                "--set",
                "inputs.tail.docker_root=" + docker.dataRoot.resolve("containers"),
                "--set",
                "inputs.tail.cri_root=",
                // The default scan_interval (1s): short-lived containers must not depend on a fast scan.
                // Whole lines, to see what each driver does with the 20 KB one.
                "--set",
                "guard.truncate.max_message=64KiB",
                "--set",
                "guard.rate_limit.enabled=false");
        token = Files.readString(spillway.dataDir.resolve("admin.token")).strip();
    }

    @AfterAll
    static void stop() throws Exception {
        if (spillway != null) {
            spillway.close();
        }
    }

    static String script(String name) {
        return "i=1; while [ $i -le " + LINES + " ]; do echo \"dd " + name + " out $i\"; i=$((i+1)); done;"
                + " echo \"dd " + name + " err 1\" >&2;"
                + " printf 'dd " + name + " big '; head -c " + (BIG - ("dd " + name + " big ").length())
                + " /dev/zero | tr '\\0' x; echo"
                // With acks each line waits for its own; on a busy machine 1002 round trips take
                // longer than a few seconds, and dockerd discards what is queued when the container
                // exits: a service lives on, and so does this container, long enough.
                + (name.contains("-ack") ? "; sleep 20" : "");
    }

    record Stored(Instant time, String host, String source, String stream, String severity, String message) {}

    /** Every stored record of the app, oldest first, once the app has at least {@code atLeast}. */
    static List<Stored> read(String app, int atLeast) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<Stored> out = fetch(app);
        while (out.size() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(app + ": only " + out.size() + " records arrived, expected at least " + atLeast
                        + "\n" + spillway.output());
            }
            Thread.sleep(200);
            out = fetch(app);
        }
        Thread.sleep(500); // stragglers, and duplicates if there were any
        return fetch(app);
    }

    private static List<Stored> fetch(String app) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + spillway.httpPort + "/api/v1/apps/" + app
                                + "/logs?order=oldest&limit=10000"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        List<Stored> out = new ArrayList<>();
        if (r.statusCode() != 200) {
            return out; // 404 until the app's first record is stored
        }
        for (JsonNode n : JSON.readTree(r.body()).path("records")) {
            out.add(new Stored(
                    Instant.parse(n.path("time").asText()),
                    n.path("host").asText(),
                    n.path("source").asText(),
                    n.path("stream").asText(),
                    n.path("severity").asText(),
                    n.path("message").asText()));
        }
        return out;
    }

    /** What each driver is documented to give. */
    record Mapping(
            String source,
            String stdoutStream,
            String stderrStream,
            String stdoutSeverity,
            String stderrSeverity,
            boolean bigLineWhole) {}

    /** fluentd: the record's source field says the stream; no level; long lines joined from their parts. */
    static final Mapping FLUENTD = new Mapping("ID", "stdout", "stderr", "unknown", "unknown", true);

    /** gelf: Docker's level (6 stdout, 3 stderr) is the only thing that says the stream. */
    static final Mapping GELF = new Mapping("ID", "stdout", "stderr", "info", "err", false);

    static final Pattern OUT = Pattern.compile("dd (\\S+) out (\\d+)");

    /**
     * Runs one container with the driver's options and checks every line and the mapping.
     *
     * @param source what {@code source} must be: "ID" for the 64-character container id, "PID" for a
     *     process id, else literally this
     */
    static void check(String name, List<String> opts, Mapping m) throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        List<String> args = new ArrayList<>(List.of("--name", name));
        args.addAll(opts);
        Docker.Result r = docker.run(args, script(name));
        assertThat(r.exit()).as(r.out()).isZero();
        Instant after = Instant.now().plusSeconds(1);
        List<Stored> got = read(name, LINES + 2);
        List<Integer> seqs = new ArrayList<>();
        List<Stored> err = new ArrayList<>();
        List<Stored> big = new ArrayList<>();
        for (Stored s : got) {
            Matcher mo = OUT.matcher(s.message());
            if (mo.matches()) {
                seqs.add(Integer.parseInt(mo.group(2)));
                assertThat(s.stream()).as("stdout line's stream").isEqualTo(m.stdoutStream());
                assertThat(s.severity()).as("stdout line's severity").isEqualTo(m.stdoutSeverity());
            } else if (s.message().equals("dd " + name + " err 1")) {
                err.add(s);
            } else if (s.message().startsWith("dd " + name + " big ")
                    || s.message().matches("x+")) {
                big.add(s);
            } else {
                throw new AssertionError("unexpected record " + s);
            }
            assertThat(s.time()).as("record time").isBetween(before, after);
            if (m.source().equals("ID")) {
                assertThat(s.source()).as("source is the full container id").matches("[0-9a-f]{64}");
            } else if (m.source().equals("PID")) {
                assertThat(s.source())
                        .as("source is the sender's PROCID (dockerd's pid)")
                        .matches("[0-9]+");
            } else {
                assertThat(s.source()).as("source").isEqualTo(m.source());
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= LINES; i++) {
            expected.add(i);
        }
        assertThat(seqs).as("every stdout line once, in order").isEqualTo(expected);
        assertThat(err).as("the stderr line once").hasSize(1);
        assertThat(err.get(0).stream()).as("stderr line's stream").isEqualTo(m.stderrStream());
        assertThat(err.get(0).severity()).as("stderr line's severity").isEqualTo(m.stderrSeverity());
        if (m.bigLineWhole()) {
            assertThat(big)
                    .as("the 20 KB line, joined")
                    .singleElement()
                    .satisfies(s -> assertThat(s.message()).hasSize(BIG));
        } else {
            assertThat(big.stream().mapToInt(s -> s.message().length()).sum())
                    .as("the 20 KB line's parts")
                    .isEqualTo(BIG);
        }
    }

    @Test
    void fluentd_async_everyLineOnceWithContainerIdAndStreams() throws Exception {
        check(
                "dd-fluentd-async",
                List.of(
                        "--log-driver",
                        "fluentd",
                        "--log-opt",
                        "fluentd-address=127.0.0.1:" + spillway.forwardPort,
                        "--log-opt",
                        "fluentd-async=true"),
                FLUENTD);
    }

    @Test
    void fluentd_requestAckWithAsync_everyLineOnce() throws Exception {
        // Acknowledged, as docs/inputs/docker.md recommends: with fluentd-async one goroutine sends
        // and reads the acks (without it, Docker 20.10 posts stdout and stderr from two goroutines
        // over one connection and they read each other's acks). Every line waits for its ack, and
        // dockerd discards what is still queued when a container exits ("Discarding queued
        // events"): this container lives on for a few seconds after printing, as a service does.
        check(
                "dd-fluentd-ack",
                List.of(
                        "--log-driver",
                        "fluentd",
                        "--log-opt",
                        "fluentd-address=127.0.0.1:" + spillway.forwardPort,
                        "--log-opt",
                        "fluentd-async=true",
                        "--log-opt",
                        "fluentd-request-ack=true"),
                FLUENTD);
    }

    @Test
    void gelf_udpCompressed_everyLineOnce() throws Exception {
        check(
                "dd-gelf-udp-gzip",
                List.of(
                        "--log-driver",
                        "gelf",
                        "--log-opt",
                        "gelf-address=udp://127.0.0.1:" + spillway.gelfPort,
                        "--log-opt",
                        "gelf-compression-type=gzip"),
                GELF);
    }

    @Test
    void gelf_udpUncompressed_everyLineOnce() throws Exception {
        check(
                "dd-gelf-udp-none",
                List.of(
                        "--log-driver",
                        "gelf",
                        "--log-opt",
                        "gelf-address=udp://127.0.0.1:" + spillway.gelfPort,
                        "--log-opt",
                        "gelf-compression-type=none"),
                GELF);
    }

    @Test
    void gelf_tcp_everyLineOnce() throws Exception {
        check(
                "dd-gelf-tcp",
                List.of("--log-driver", "gelf", "--log-opt", "gelf-address=tcp://127.0.0.1:" + spillway.gelfPort),
                GELF);
    }

    @Test
    void syslog_tcpRfc5424micro_everyLineOnce() throws Exception {
        check(
                "dd-syslog-tcp-5424",
                List.of(
                        "--log-driver",
                        "syslog",
                        "--log-opt",
                        "syslog-address=tcp://127.0.0.1:" + spillway.syslogPort,
                        "--log-opt",
                        "syslog-format=rfc5424micro",
                        "--log-opt",
                        "tag={{.Name}}"),
                new Mapping("PID", "unknown", "unknown", "info", "err", false));
    }

    @Test
    void syslog_tcpDefaultFormat_everyLineOnce() throws Exception {
        check(
                "dd-syslog-tcp-default",
                List.of(
                        "--log-driver",
                        "syslog",
                        "--log-opt",
                        "syslog-address=tcp://127.0.0.1:" + spillway.syslogPort,
                        "--log-opt",
                        "tag={{.Name}}"),
                new Mapping("PID", "unknown", "unknown", "info", "err", false));
    }

    @Test
    void syslog_udpRfc5424micro_everyLineOnce() throws Exception {
        check(
                "dd-syslog-udp-5424",
                List.of(
                        "--log-driver",
                        "syslog",
                        "--log-opt",
                        "syslog-address=udp://127.0.0.1:" + spillway.syslogPort,
                        "--log-opt",
                        "syslog-format=rfc5424micro",
                        "--log-opt",
                        "tag={{.Name}}"),
                new Mapping("PID", "unknown", "unknown", "info", "err", false));
    }

    @Test
    void jsonFile_tailed_everyLineOnceJoined() throws Exception {
        check(
                "dd-json-file",
                List.of("--log-driver", "json-file"),
                new Mapping("ID", "stdout", "stderr", "unknown", "unknown", true));
    }

    @Test
    void jsonFile_fiveShortLivedRmContainers_everyLineOfEachArrives() throws Exception {
        // docker run --rm deletes the container's log as soon as it exits: the tail must find the
        // file at once and read a deleted file to its end.
        List<Thread> runs = new ArrayList<>();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int c = 0; c < 5; c++) {
            String name = "dd-rm-" + c;
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    Docker.Result r = docker.run(
                            List.of("--name", name, "--log-driver", "json-file"),
                            "i=1; while [ $i -le 100 ]; do echo \"dd " + name + " out $i\"; i=$((i+1)); done");
                    if (r.exit() != 0) {
                        failures.add(name + ": " + r.out());
                    }
                } catch (Exception e) {
                    failures.add(name + ": " + e);
                }
            });
            runs.add(t);
        }
        for (Thread t : runs) {
            t.join();
        }
        assertThat(failures).isEmpty();
        for (int c = 0; c < 5; c++) {
            String name = "dd-rm-" + c;
            List<Integer> seqs = new ArrayList<>();
            for (Stored s : read(name, 100)) {
                Matcher mo = OUT.matcher(s.message());
                assertThat(mo.matches()).as(s.message()).isTrue();
                seqs.add(Integer.parseInt(mo.group(2)));
            }
            assertThat(seqs)
                    .as(name + ": every line once, in order")
                    .hasSize(100)
                    .isSorted()
                    .doesNotHaveDuplicates();
        }
    }
}
