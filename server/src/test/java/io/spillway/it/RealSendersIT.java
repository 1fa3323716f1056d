package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The senders platforms already run, as they are: Debian's syslog-ng ({@code network()} newline
 * framed and {@code syslog()} octet counted) and rsyslog ({@code omfwd} TCP octet counted with the
 * RFC 5424 template, and UDP) forwarding a file of lines, each started here in the foreground with
 * its own config and pid file, never as a service; and Debian's {@code python3-fluent-logger} as a
 * forward client. Every line must arrive once, in order, under the sender's app name.
 *
 * <p>rsyslog and syslog-ng-core conflict as Debian packages: {@code .ci/run} installs syslog-ng and
 * unpacks rsyslog into {@code /opt/spillway-test/rsyslog-root} ({@code apt-get download} + {@code
 * dpkg -x}); the property or variable {@code SPILLWAY_RSYSLOG_ROOT} points elsewhere. Each test skips
 * with the reason when its sender is missing.
 */
class RealSendersIT {
    static final int LINES = 500;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Pattern LINE = Pattern.compile(".*\\brs (\\S+) (\\d+)$");

    @TempDir
    static Path dir;

    static SpillwayProcess spillway;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        spillway = SpillwayProcess.start(dir, "--set", "guard.rate_limit.enabled=false");
        token = Files.readString(spillway.dataDir.resolve("admin.token")).strip();
    }

    @AfterAll
    static void stop() throws Exception {
        if (spillway != null) {
            spillway.close();
        }
    }

    /** A file of {@value #LINES} lines {@code rs NAME i} for a sender to forward. */
    static Path input(String name) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= LINES; i++) {
            sb.append("rs ").append(name).append(' ').append(i).append('\n');
        }
        Path f = dir.resolve(name + ".in");
        Files.writeString(f, sb);
        return f;
    }

    /** Waits until the app has every line, then checks each arrived once and in order. */
    static void assertEveryLineOnceInOrder(String app, String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        List<Integer> seqs = List.of();
        while (System.nanoTime() < deadline) {
            seqs = seqs(app, name);
            if (seqs.size() >= LINES) {
                Thread.sleep(500); // duplicates, if any, would come now
                seqs = seqs(app, name);
                break;
            }
            Thread.sleep(200);
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= LINES; i++) {
            expected.add(i);
        }
        assertThat(seqs)
                .as(app + ": every line once, in order\n" + spillway.output())
                .isEqualTo(expected);
    }

    private static List<Integer> seqs(String app, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + spillway.httpPort + "/api/v1/apps/" + app
                                + "/logs?order=oldest&limit=10000"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        List<Integer> out = new ArrayList<>();
        if (r.statusCode() != 200) {
            return out;
        }
        for (JsonNode n : JSON.readTree(r.body()).path("records")) {
            Matcher m = LINE.matcher(n.path("message").asText());
            if (m.matches() && m.group(1).equals(name)) {
                out.add(Integer.parseInt(m.group(2)));
            }
        }
        return out;
    }

    /** Runs a daemon in the foreground until {@code done} holds, then stops it. */
    static void runUntil(List<String> cmd, Path log, ThrowingCheck done) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            Thread.sleep(300);
            assertThat(p.isAlive())
                    .as(String.join(" ", cmd) + " keeps running:\n" + Files.readString(log))
                    .isTrue();
            done.check();
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    interface ThrowingCheck {
        void check() throws Exception;
    }

    // ---- syslog-ng --------------------------------------------------------------------------------

    static Path syslogNg() {
        Path bin = Path.of("/usr/sbin/syslog-ng");
        Assumptions.assumeTrue(Files.isExecutable(bin), "syslog-ng is not installed (Debian: syslog-ng-core)");
        return bin;
    }

    static void syslogNg(String name, String destination) throws Exception {
        Path bin = syslogNg();
        Path in = input(name);
        Path work = Files.createDirectories(dir.resolve(name));
        Path conf = work.resolve("syslog-ng.conf");
        Files.writeString(
                conf,
                String.format(
                        Locale.ROOT, """
                @version: 3.38
                options { keep-hostname(yes); stats-freq(0); };
                source s_in { file("%s" follow-freq(0.1) flags(no-parse) program-override("%s")); };
                destination d_out { %s };
                log { source(s_in); destination(d_out); };
                """, in, name, String.format(Locale.ROOT, destination, spillway.syslogPort)));
        runUntil(
                List.of(
                        bin.toString(),
                        "--foreground",
                        "--no-caps",
                        "--cfgfile=" + conf,
                        "--pidfile=" + work.resolve("syslog-ng.pid"),
                        "--persist-file=" + work.resolve("syslog-ng.persist"),
                        "--control=" + work.resolve("syslog-ng.ctl")),
                work.resolve("syslog-ng.out"),
                () -> assertEveryLineOnceInOrder(name, name));
    }

    @Test
    void syslogNg_networkNewlineFramedTcp_everyLineOnce() throws Exception {
        syslogNg("sng-net", "network(\"127.0.0.1\" port(%d) transport(\"tcp\"));");
    }

    @Test
    void syslogNg_syslogOctetCountedTcp_everyLineOnce() throws Exception {
        syslogNg("sng-syslog", "syslog(\"127.0.0.1\" port(%d) transport(\"tcp\"));");
    }

    // ---- rsyslog ----------------------------------------------------------------------------------

    static Path rsyslogRoot() {
        String env = System.getProperty("spillway.rsyslog.root", System.getenv("SPILLWAY_RSYSLOG_ROOT"));
        Path root = Path.of(env == null || env.isBlank() ? "/opt/spillway-test/rsyslog-root" : env);
        Assumptions.assumeTrue(
                Files.isExecutable(root.resolve("usr/sbin/rsyslogd")),
                "rsyslog is not unpacked at " + root + " (.ci/run: apt-get download rsyslog && dpkg -x)");
        return root;
    }

    static void rsyslog(String name, String protocol, String extra) throws Exception {
        Path root = rsyslogRoot();
        Path in = input(name);
        Path work = Files.createDirectories(dir.resolve(name));
        Path conf = work.resolve("rsyslog.conf");
        Files.writeString(conf, String.format(Locale.ROOT, """
                global(workDirectory="%s" maxMessageSize="64k")
                module(load="imfile" mode="polling" pollingInterval="1")
                input(type="imfile" file="%s" tag="%s" ruleset="fwd")
                ruleset(name="fwd") {
                  action(type="omfwd" target="127.0.0.1" port="%d" protocol="%s" %s
                         template="RSYSLOG_SyslogProtocol23Format")
                }
                """, work, in, name, spillway.syslogPort, protocol, extra));
        runUntil(
                List.of(
                        root.resolve("usr/sbin/rsyslogd").toString(),
                        "-n",
                        "-f",
                        conf.toString(),
                        "-i",
                        work.resolve("rsyslogd.pid").toString(),
                        "-M",
                        root.resolve("usr/lib/x86_64-linux-gnu/rsyslog").toString()),
                work.resolve("rsyslogd.out"),
                () -> assertEveryLineOnceInOrder(name, name));
    }

    @Test
    void rsyslog_omfwdTcpOctetCountedRfc5424_everyLineOnce() throws Exception {
        rsyslog("rsl-tcp", "tcp", "TCP_Framing=\"octet-counted\"");
    }

    @Test
    void rsyslog_omfwdUdpRfc5424_everyLineOnce() throws Exception {
        rsyslog("rsl-udp", "udp", "");
    }

    // ---- python3-fluent-logger --------------------------------------------------------------------

    @Test
    void pythonFluentLogger_eventTimeRecords_everyLineOnce() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import fluent.sender")
                .redirectErrorStream(true)
                .start();
        Assumptions.assumeTrue(probe.waitFor() == 0, "python3-fluent-logger is not installed (Debian package)");
        Path script = dir.resolve("send.py");
        Files.writeString(script, String.format(Locale.ROOT, """
                import sys, time
                from fluent import sender
                s = sender.FluentSender('pyfl', host='127.0.0.1', port=int(sys.argv[1]), nanosecond_precision=True)
                for i in range(1, %d + 1):
                    if not s.emit('app', {'message': 'rs pyfl %%d' %% i}):
                        print(s.last_error, file=sys.stderr)
                        sys.exit(1)
                s.close()
                """, LINES));
        Process p = new ProcessBuilder(python.toString(), script.toString(), Integer.toString(spillway.forwardPort))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertEveryLineOnceInOrder("pyfl.app", "pyfl");
    }
}
