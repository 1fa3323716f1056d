package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read side end to end, against Spillway as a real process: util-linux {@code logger} in, the
 * {@code spillway logs} command (a child process) and the HTTP API out, with real tokens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadApiIT {
    private static final Path LOGGER = Path.of("/usr/bin/logger");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** App {@code limited} may log one line a second, and drop markers come every second. */
    private static final String[] ARGS = {
        "--set",
        "guard.apps={limited: {rate_limit: {lines_per_second: 1, burst: 2s}}}",
        "--set",
        "guard.markers.interval=1s"
    };

    Path dir;
    SpillwayProcess spillway;
    String admin;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        spillway = SpillwayProcess.start(dir, ARGS);
        admin = Files.readString(spillway.dataDir.resolve("admin.token")).strip();
    }

    @AfterAll
    void stop() throws Exception {
        if (spillway != null) {
            spillway.close();
        }
    }

    String url() {
        return "http://127.0.0.1:" + spillway.httpPort;
    }

    void logger(String app, String message) throws Exception {
        assumeTrue(Files.isExecutable(LOGGER), "util-linux logger is not installed (apt-get install bsdutils)");
        Process p = new ProcessBuilder(
                        LOGGER.toString(),
                        "-n",
                        "127.0.0.1",
                        "-P",
                        Integer.toString(spillway.syslogPort),
                        "-T",
                        "--octet-count",
                        "-t",
                        app,
                        message)
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code java -jar spillway.jar ARGS}, as a user would run it. */
    static ProcessBuilder cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx128m",
                "-jar",
                System.getProperty("spillway.jar")));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    record Result(int exit, String out, String err) {}

    static Result run(String... args) throws Exception {
        Process p = cli(args).start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(
                p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Runs {@code spillway logs} until its output contains {@code text} (the store writes asynchronously). */
    Result awaitLogs(String text, String... args) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Result r;
        do {
            r = run(args);
            if (r.out().contains(text)) {
                return r;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("spillway logs never showed \"" + text + "\": exit " + r.exit() + "\n" + r.out()
                + r.err() + "\nserver:\n" + spillway.output());
    }

    @Test
    @Order(1)
    void firstStart_printsAdminTokenOnceAndWritesItOwnerOnly() throws Exception {
        assertThat(admin).matches("spw_[A-Za-z0-9_-]{43}");
        // The banner is printed just after /readyz turns ready; on a busy machine that can be later.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String shown = "token    " + admin.substring(0, 10) + "...";
        while (!spillway.output().contains(shown) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(spillway.output()).contains(shown).contains("admin.token, mode 0600");
        assertThat(spillway.output()).as("the whole token never reaches stdout").doesNotContain(admin);
        // The jar declares its native access (zstd-jni, sqlite-jdbc): no JDK warning at every start.
        assertThat(spillway.output()).doesNotContain("restricted method");
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(spillway.dataDir.resolve("admin.token"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(spillway.dataDir.resolve("tokens.json"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(spillway.dataDir.resolve("tokens.json"))).doesNotContain(admin.substring(4));
    }

    @Test
    @Order(2)
    void logger_lineIsShownBySpillwayLogs_tokenFromTheDataDir() throws Exception {
        logger("webapp", "hello from logger to the read api");
        Result r = awaitLogs(
                "hello from logger to the read api",
                "logs",
                "webapp",
                "--server",
                url(),
                "--data-dir",
                spillway.dataDir.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .matches(
                        "(?s).*\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00 webapp(\\[[^]]*])?: hello from"
                                + " logger to the read api\n.*")
                .doesNotContain("\u001b");
    }

    @Test
    @Order(3)
    void logsFollow_childProcessPrintsALineSentAfterItStarted() throws Exception {
        logger("followapp", "first line before follow");
        awaitLogs("first line before follow", "logs", "followapp", "--server", url(), "--token", admin);
        Process follow = cli("logs", "followapp", "-f", "-n", "1", "--server", url(), "--token", admin)
                .redirectError(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("follow.err").toFile()))
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon(true).start(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (Exception e) {
                // the process was stopped
            }
        });
        try {
            assertThat(lines.poll(30, TimeUnit.SECONDS)).contains("first line before follow");
            // The history is printed before the SSE connection opens; wait until the server holds it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String line = null;
            int n = 0;
            while (line == null && System.nanoTime() < deadline) {
                logger("followapp", "sent after follow started " + n++);
                line = lines.poll(2, TimeUnit.SECONDS);
            }
            assertThat(line).as(Files.readString(dir.resolve("follow.err"))).contains("sent after follow started");
        } finally {
            follow.destroy();
            follow.waitFor(10, TimeUnit.SECONDS);
            reader.interrupt();
        }
    }

    @Test
    @Order(4)
    void appToken_fromTokenCreate_readsItsAppOnly_andRevokeEndsIt() throws Exception {
        logger("scoped", "scoped line");
        logger("otherapp", "other line");
        awaitLogs("other line", "logs", "otherapp", "--server", url(), "--token", admin);
        Result created = run("token", "create", "--app", "scoped", "--data-dir", spillway.dataDir.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        String token = created.out().strip();
        awaitLogs("scoped line", "logs", "scoped", "--server", url(), "--token", token);

        assertThat(get("/api/v1/apps/scoped/logs", token).statusCode()).isEqualTo(200);
        HttpResponse<String> other = get("/api/v1/apps/otherapp/logs", token);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(other.body()).path("error").asText()).contains("scoped");
        HttpResponse<String> none = get("/api/v1/apps/scoped/logs", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
        JsonNode apps = JSON.readTree(get("/api/v1/apps", token).body()).path("apps");
        assertThat(apps).extracting(a -> a.path("app").asText()).containsExactly("scoped");
        assertThat(JSON.readTree(get("/api/v1/apps", admin).body()).path("apps"))
                .extracting(a -> a.path("app").asText())
                .contains("scoped", "otherapp", "webapp");

        Result cli403 = run("logs", "otherapp", "--server", url(), "--token", token);
        assertThat(cli403.exit()).isEqualTo(1);
        assertThat(cli403.err()).contains("may not read app otherapp");

        String id = run("token", "list", "--data-dir", spillway.dataDir.toString())
                .out()
                .lines()
                .filter(l -> l.contains("app:scoped"))
                .findFirst()
                .orElseThrow()
                .split("\\s+")[0];
        assertThat(run("token", "revoke", id, "--data-dir", spillway.dataDir.toString())
                        .exit())
                .isZero();
        assertThat(get("/api/v1/apps/scoped/logs", token).statusCode()).isEqualTo(401);
        Result cli401 = run("logs", "scoped", "--server", url(), "--token", token);
        assertThat(cli401.err()).contains("refused the token from --token");
    }

    @Test
    @Order(5)
    void cli_unreachableServerAndUnknownApp_areClearErrors() throws Exception {
        Result unknown = run("logs", "never-seen", "--server", url(), "--token", admin);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown app never-seen");
        int port = SpillwayProcess.freePort();
        Result down = run("logs", "webapp", "--server", "http://127.0.0.1:" + port, "--token", admin);
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.err()).contains("cannot reach http://127.0.0.1:" + port);
    }

    @Test
    @Order(5)
    void rateLimitedApp_dropsShowInAppsAndTheMarkerIsHighlightedBySpillwayLogs() throws Exception {
        HttpResponse<String> sent = http.send(
                HttpRequest.newBuilder(URI.create(url() + "/api/v1/ingest?app=limited"))
                        .header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"flood line\"}\n".repeat(50)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(429);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode limited = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode a : JSON.readTree(get("/api/v1/apps", admin).body()).path("apps")) {
                if (a.path("app").asText().equals("limited")) {
                    limited = a;
                }
            }
            if (limited != null && limited.path("drops").path("rate_limit").asLong() > 0) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(limited).isNotNull();
        assertThat(limited.path("drops").path("rate_limit").asLong()).isGreaterThanOrEqualTo(40);
        Result r = awaitLogs(
                "spillway: dropped", "logs", "limited", "--server", url(), "--token", admin, "--color=always");
        assertThat(r.out().lines().filter(l -> l.contains("spillway: dropped")))
                .allSatisfy(l -> assertThat(l).startsWith("\u001b[1;33m").endsWith("\u001b[0m"));
        assertThat(r.out()).contains("flood line");
    }

    @Test
    @Order(6)
    void secondStart_keepsTheAdminTokenAndPrintsNone() throws Exception {
        spillway.close();
        spillway = SpillwayProcess.start(dir, ARGS);
        assertThat(Files.readString(spillway.dataDir.resolve("admin.token")).strip())
                .isEqualTo(admin);
        assertThat(spillway.output()
                        .lines()
                        .filter(l -> l.contains("token    spw_"))
                        .count())
                .as("the banner of the second start shows no token")
                .isEqualTo(1);
        assertThat(get("/api/v1/apps", admin).statusCode()).isEqualTo(200);
        // What was stored before the restart is still there.
        assertThat(JSON.readTree(get("/api/v1/apps/webapp/logs", admin).body()).path("records"))
                .extracting(r -> r.path("message").asText())
                .contains("hello from logger to the read api");
    }
}
