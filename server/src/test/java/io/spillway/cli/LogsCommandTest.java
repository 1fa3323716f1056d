package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import io.spillway.server.HttpConfig;
import io.spillway.server.HttpServer;
import io.spillway.server.LogRoutes;
import io.spillway.server.MemoryLogReader;
import io.spillway.server.auth.AdminToken;
import io.spillway.server.auth.Scope;
import io.spillway.server.auth.TokenStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code spillway logs} against the real routes on a free port (in-memory reader). */
class LogsCommandTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    @TempDir
    Path dir;

    MemoryLogReader reader = new MemoryLogReader(100);
    TokenStore tokens;
    String admin;
    HttpServer server;
    LogRoutes routes;
    final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void start() throws Exception {
        tokens = TokenStore.inDataDir(dir, InstantSource.system());
        admin = AdminToken.ensure(tokens, dir);
        for (int i = 0; i < 5; i++) {
            reader.append(rec("web", T0.plusSeconds(i), "line " + i));
        }
        reader.append(rec("api", T0, "api line"));
        HttpConfig config = new HttpConfig(
                true, new ListenAddress("127.0.0.1", 0), DataSize.ofMiB(1), 16, 4, Duration.ofMillis(100));
        routes = new LogRoutes(reader, tokens, Map::of, config, InstantSource.system());
        server = new HttpServer(config, new Metrics(), () -> true).routes(routes::register);
        server.start();
    }

    @AfterEach
    void stop() {
        routes.close();
        server.close();
    }

    static LogRecord rec(String app, Instant t, String message) {
        return new LogRecord(
                t.getEpochSecond() * 1_000_000_000L + 123_456_000,
                "h",
                app,
                app + ".1",
                LogStream.STDOUT,
                Severity.INFO,
                message.getBytes(StandardCharsets.UTF_8),
                Map.of());
    }

    record Run(int exit, String out, String err) {}

    final class Cli {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final LogsCommand command = new LogsCommand();
        final CommandLine cl = new CommandLine(command);

        Cli() {
            command.env = env::get;
            command.terminal = () -> false;
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
        }

        Run run(String... args) {
            int exit = cl.execute(args);
            return new Run(exit, out.toString(), err.toString());
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Test
    void logs_printsLastNOldestFirstInHerokuFormatWithoutColour() {
        Run r = new Cli().run("web", "--server", url(), "--token", admin, "-n", "3");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .isEqualTo("2026-11-25T10:00:02.123456+00:00 web[web.1]: line 2\n"
                        + "2026-11-25T10:00:03.123456+00:00 web[web.1]: line 3\n"
                        + "2026-11-25T10:00:04.123456+00:00 web[web.1]: line 4\n");
        assertThat(r.out()).doesNotContain("\u001b");
    }

    @Test
    void logs_grepAndRegex_filterOnTheServer() {
        assertThat(new Cli()
                        .run("web", "--server", url(), "--token", admin, "--grep", "line 3")
                        .out())
                .endsWith("line 3\n")
                .doesNotContain("line 2");
        assertThat(new Cli()
                        .run("web", "--server", url(), "--token", admin, "--grep", "line [14]$", "--regex")
                        .out())
                .contains("line 1\n")
                .contains("line 4\n")
                .doesNotContain("line 2");
    }

    @Test
    void logs_serverAndTokenFromEnvironment() {
        env.put("SPILLWAY_URL", url());
        env.put("SPILLWAY_TOKEN", admin);
        Run r = new Cli().run("api");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("api[api.1]: api line");
    }

    @Test
    void logs_serverFromConfigAndTokenFromDataDir() {
        Run r = new Cli().run("web", "--data-dir", dir.toString(), "--set", "http.listen=127.0.0.1:" + server.port());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("line 4");
    }

    @Test
    void logs_unreachableServer_namesTheUrlAndWhereItCameFrom() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = new Cli().run("web", "--server", "http://127.0.0.1:" + port, "--token", admin);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach http://127.0.0.1:" + port).contains("from --server");
    }

    @Test
    void logs_badToken_is401SayingWhereTheTokenCameFrom() {
        env.put("SPILLWAY_TOKEN", "spw_wrong");
        Run r = new Cli().run("web", "--server", url());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("refused the token from SPILLWAY_TOKEN").contains("401");
    }

    @Test
    void logs_appTokenForAnotherApp_is403() throws Exception {
        String api = tokens.create(Scope.app("api"), null).secret();
        Run r = new Cli().run("web", "--server", url(), "--token", api);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("may not read app web").contains("403");
    }

    @Test
    void logs_unknownApp_is404() {
        Run r = new Cli().run("nosuch", "--server", url(), "--token", admin);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("unknown app nosuch");
    }

    @Test
    void logs_noTokenAnywhere_explainsTheThreeSources() {
        Run r = new Cli()
                .run(
                        "web",
                        "--server",
                        url(),
                        "--data-dir",
                        dir.resolve("elsewhere").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--token").contains("SPILLWAY_TOKEN").contains("admin.token");
    }

    @Test
    void logs_badOptions_areUsageErrors() {
        assertThat(new Cli().run("web", "-n", "0").exit()).isEqualTo(2);
        assertThat(new Cli().run("web", "--regex").exit()).isEqualTo(2);
        assertThat(new Cli().run("web", "--color", "sometimes").exit()).isEqualTo(2);
    }

    @Test
    void colour_autoFollowsTerminalAndNoColor_alwaysAndNeverOverride() {
        Cli c = new Cli();
        c.cl.parseArgs("web");
        assertThat(c.command.useColour()).isFalse();
        c.command.terminal = () -> true;
        assertThat(c.command.useColour()).isTrue();
        env.put("NO_COLOR", "1");
        assertThat(c.command.useColour()).isFalse();
        c.cl.parseArgs("web", "--color=always");
        assertThat(c.command.useColour()).isTrue();
        c.cl.parseArgs("web", "--color=never");
        c.command.terminal = () -> true;
        env.remove("NO_COLOR");
        assertThat(c.command.useColour()).isFalse();
    }

    @Test
    void logsFollow_printsHistoryThenLinesStoredAfterItStarted() throws Exception {
        Cli c = new Cli();
        Thread t = Thread.ofPlatform()
                .daemon(true)
                .start(() -> c.run("web", "-f", "-n", "2", "--server", url(), "--token", admin));
        awaitOutput(c, "line 4");
        await(() -> routes.openTails() == 1);
        reader.append(rec("web", T0.plusSeconds(60), "after follow started"));
        awaitOutput(c, "after follow started");
        assertThat(c.out.toString()).doesNotContain("line 2").containsOnlyOnce("line 4");
        t.interrupt();
    }

    @Test
    void logsFollow_serverRestarts_reconnectsAndResumesAfterTheLastLine() throws Exception {
        Cli c = new Cli();
        Thread t = Thread.ofPlatform()
                .daemon(true)
                .start(() -> c.run("web", "-f", "-n", "1", "--server", url(), "--token", admin));
        awaitOutput(c, "line 4");
        await(() -> routes.openTails() == 1);
        reader.append(rec("web", T0.plusSeconds(60), "before restart"));
        awaitOutput(c, "before restart");
        int port = server.port();
        server.close();
        reader.append(rec("web", T0.plusSeconds(61), "stored while the client was away"));
        HttpConfig config = new HttpConfig(
                true, new ListenAddress("127.0.0.1", port), DataSize.ofMiB(1), 16, 4, Duration.ofMillis(100));
        routes = new LogRoutes(reader, tokens, Map::of, config, InstantSource.system());
        server = new HttpServer(config, new Metrics(), () -> true).routes(routes::register);
        server.start();
        awaitOutput(c, "stored while the client was away");
        await(() -> routes.openTails() == 1);
        reader.append(rec("web", T0.plusSeconds(62), "after restart"));
        awaitOutput(c, "after restart");
        assertThat(c.out.toString()).containsOnlyOnce("before restart").containsOnlyOnce("line 4");
        assertThat(c.err.toString()).contains("reconnecting");
        t.interrupt();
    }

    static void awaitOutput(Cli c, String text) throws InterruptedException {
        await(() -> c.out.toString().contains(text));
    }

    static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10s");
            }
            Thread.sleep(20);
        }
    }
}
