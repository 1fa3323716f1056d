package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Parsing and formatting of {@code spillway incidents}, {@code ack}, {@code resolve} and {@code notify test}. */
class IncidentsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-26T03:00:00Z");

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void age_isOneUnit() {
        assertThat(IncidentFormat.age(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(IncidentFormat.age(Duration.ofMinutes(5).plusSeconds(59))).isEqualTo("5m");
        assertThat(IncidentFormat.age(Duration.ofHours(3))).isEqualTo("3h");
        assertThat(IncidentFormat.age(Duration.ofDays(2).plusHours(5))).isEqualTo("2d");
        assertThat(IncidentFormat.age(Duration.ofSeconds(-3))).isEqualTo("0s");
    }

    @Test
    void table_alignsColumns_showsDashForHostIncidents_cutsLongSummaries() throws Exception {
        JsonNode incidents = JSON.readTree(String.format(Locale.ROOT, """
                [{"id":7,"severity":"critical","state":"triggered","created":"2026-11-26T02:58:00Z",
                  "host":"node-7","app":null,"summary":"/var/lib/docker 91%% used"},
                 {"id":12,"severity":"warning","state":"acknowledged","created":"2026-11-25T23:00:00Z",
                  "host":"n1","app":"payments","summary":"%s"}]""", "x".repeat(200)));
        List<String> lines = IncidentFormat.table(incidents, NOW);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("ID  SEVERITY  STATE");
        assertThat(lines.get(1)).matches("7 +critical +triggered +2m +node-7 +- +/var/lib/docker 91% used");
        assertThat(lines.get(2)).contains("12  warning   acknowledged  4h").endsWith("...");
        assertThat(lines.get(2).length()).isLessThan(140);
        // columns line up
        assertThat(lines.get(1).indexOf("critical")).isEqualTo(lines.get(0).indexOf("SEVERITY"));
    }

    @Test
    void details_listsFactsAndTimeline() throws Exception {
        JsonNode i = JSON.readTree("""
                {"id":7,"severity":"critical","state":"acknowledged","summary":"disk full","host":"node-7",
                 "app":null,"kind":"disk_watermark","source":"event","created":"2026-11-26T02:58:00Z",
                 "policy":"hosts","level":1,"round":0,"acknowledged_by":"alice","acknowledged_via":"link",
                 "acknowledged_at":"2026-11-26T02:59:00Z","top_writer":"app sensors-api writes 3 GB/min",
                 "details":{"used_percent":"91"},
                 "timeline":[{"time":"2026-11-26T02:58:00Z","type":"triggered","message":"opened"},
                             {"time":"2026-11-26T02:59:00Z","type":"acknowledged","message":"acknowledged by alice via link"}]}""");
        String text = String.join("\n", IncidentFormat.details(i, NOW));
        assertThat(text)
                .startsWith("#7 CRITICAL acknowledged: disk full")
                .contains("acknowledged: by alice via link")
                .contains("top writer:   app sensors-api")
                .contains("used_percent")
                .contains("timeline:\n  2026-11-26T02:58:00Z  triggered  opened");
    }

    @Test
    void badUsage_exits2() {
        assertThat(run("incidents", "--state", "bogus").exit()).isEqualTo(2);
        assertThat(run("ack").exit()).isEqualTo(2);
        assertThat(run("resolve", "x").exit()).isEqualTo(2);
        assertThat(run("incidents", "--limit", "0", "--server", "http://127.0.0.1:1", "--token", "t")
                        .exit())
                .isEqualTo(2);
    }

    @Test
    void unreachableServer_exits1NamingIt() {
        Run r = run("incidents", "--server", "http://127.0.0.1:1", "--token", "t");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach http://127.0.0.1:1 (from --server)");
    }

    @Test
    void helpTexts_describeTheCommands() {
        assertThat(run("incidents", "--help").out()).contains("--state").contains("show ID");
        assertThat(run("ack", "--help").out()).contains("--by").contains("paging stops");
        assertThat(run("notify", "test", "--help").out()).contains("TARGET").contains("--config");
    }

    @Test
    void notifyTest_realReceiver_okExit0_refusedExit1_unknownTargetListsTargets() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        AtomicInteger hits = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            hits.incrementAndGet();
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        receiver.start();
        try {
            Path config = Files.writeString(
                    dir.resolve("spillway.yaml"),
                    String.format(Locale.ROOT, """
                    alert:
                      targets:
                        oncall:
                          type: webhook
                          url: http://127.0.0.1:%d/hook
                          secret: a-secret-of-sixteen-chars
                        other:
                          type: webhook
                          url: http://127.0.0.1:9/hook
                          secret_env: SPILLWAY_TEST_UNSET_SECRET_ENV
                    """, receiver.getAddress().getPort()));
            Run ok = run("notify", "test", "oncall", "--config", config.toString());
            assertThat(ok.exit()).as(ok.err()).isZero();
            assertThat(ok.out()).startsWith("ok: ").contains("oncall");
            assertThat(hits.get()).isEqualTo(1);

            status.set(401);
            Run refused = run("notify", "test", "oncall", "--config", config.toString());
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.out()).startsWith("FAILED: ").contains("401");

            Run unknown = run("notify", "test", "on-call", "--config", config.toString());
            assertThat(unknown.exit()).isEqualTo(1);
            assertThat(unknown.out()).contains("no target named \"on-call\"; configured targets: oncall, other");
        } finally {
            receiver.stop(0);
        }
    }
}
