package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incidents through the real process: a real Alertmanager fires and resolves an alert at the intake,
 * and the {@code spillway incidents}, {@code ack} and {@code resolve} commands run as a user runs
 * them ({@code java -jar spillway.jar ...}).
 */
class IncidentsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String token(SpillwayProcess s) throws Exception {
        return Files.readString(s.dataDir.resolve("admin.token")).strip();
    }

    private static ReadApiIT.Result cli(SpillwayProcess s, String token, String... args) throws Exception {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--server";
        all[args.length + 1] = "http://127.0.0.1:" + s.httpPort;
        all[args.length + 2] = "--token";
        all[args.length + 3] = token;
        return ReadApiIT.run(all);
    }

    /** Polls {@code spillway incidents --state all --json} until an incident matches. */
    private static JsonNode awaitIncident(SpillwayProcess s, String token, Predicate<JsonNode> p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        ReadApiIT.Result r = null;
        while (System.nanoTime() < deadline) {
            r = cli(s, token, "incidents", "--state", "all", "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            for (JsonNode i : JSON.readTree(r.out()).path("incidents")) {
                if (p.test(i)) {
                    return i;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("no matching incident; last answer: " + (r == null ? "none" : r.out()));
    }

    @Test
    void alertmanagerFiresAndResolves_incidentOpensAndResolves() throws Exception {
        try (SpillwayProcess spillway = SpillwayProcess.start(dir)) {
            String token = token(spillway);
            Optional<Alertmanager> started = Alertmanager.start(
                    dir.resolve("am"), "http://127.0.0.1:" + spillway.httpPort + "/api/v1/alerts/alertmanager", token);
            assumeTrue(
                    started.isPresent(),
                    "Alertmanager is not installed (" + Alertmanager.BINARY
                            + ", Debian package prometheus-alertmanager); Alertmanager IT skipped");
            try (Alertmanager am = started.get()) {
                Map<String, String> labels =
                        Map.of("alertname", "DiskFull", "instance", "db-7:9100", "severity", "critical");
                am.post(labels, Map.of("summary", "disk 99% full"), false);
                JsonNode opened = awaitIncident(
                        spillway,
                        token,
                        i -> i.path("source").asText().equals("alertmanager")
                                && i.path("state").asText().equals("triggered"));
                assertThat(opened.path("host").asText()).isEqualTo("db-7");
                assertThat(opened.path("severity").asText()).isEqualTo("critical");
                assertThat(opened.path("summary").asText()).contains("DiskFull").contains("disk 99% full");
                String id = opened.path("id").asText();

                ReadApiIT.Result table = cli(spillway, token, "incidents");
                assertThat(table.out()).contains("SEVERITY").contains("db-7").contains("DiskFull");

                am.post(labels, Map.of("summary", "disk 99% full"), true);
                JsonNode resolved = awaitIncident(
                        spillway,
                        token,
                        i -> i.path("id").asText().equals(id)
                                && i.path("state").asText().equals("resolved"));
                assertThat(resolved.path("resolved_by").asText()).isEqualTo("auto");
                ReadApiIT.Result show = cli(spillway, token, "incidents", "show", id);
                assertThat(show.out())
                        .contains("timeline:")
                        .contains("triggered")
                        .contains("resolved");
            }
        }
    }

    @Test
    void cliListsAcknowledgesAndResolves_andTheApiNeedsAnAdminToken() throws Exception {
        try (SpillwayProcess spillway = SpillwayProcess.start(dir)) {
            String token = token(spillway);
            HttpClient http = HttpClient.newHttpClient();
            String event = String.format(Locale.ROOT, """
                    {"routing_key":"it","event_action":"trigger","dedup_key":"db-7-disk",
                     "payload":{"summary":"DISK at 99%% on db-7","source":"db-7","severity":"critical",
                     "component":"postgres"}}""");
            URI events = URI.create("http://127.0.0.1:" + spillway.httpPort + "/api/v1/alerts/events");
            // Without a token and without configured routing keys the intake refuses.
            HttpResponse<String> refused = http.send(
                    HttpRequest.newBuilder(events)
                            .POST(HttpRequest.BodyPublishers.ofString(event))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            HttpResponse<String> accepted = http.send(
                    HttpRequest.newBuilder(events)
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(event))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

            JsonNode incident =
                    awaitIncident(spillway, token, i -> i.path("app").asText().equals("postgres"));
            String id = incident.path("id").asText();
            ReadApiIT.Result list = cli(spillway, token, "incidents", "--state", "triggered");
            assertThat(list.exit()).isZero();
            assertThat(list.out())
                    .contains("DISK at 99% on db-7")
                    .contains("postgres")
                    .contains("triggered");

            ReadApiIT.Result ack = cli(spillway, token, "ack", id, "--by", "alice");
            assertThat(ack.exit()).as(ack.err()).isZero();
            assertThat(ack.out()).contains("#" + id + " acknowledged");
            ReadApiIT.Result show = cli(spillway, token, "incidents", "show", id);
            assertThat(show.out()).contains("acknowledged by alice via cli");

            ReadApiIT.Result resolve = cli(spillway, token, "resolve", id);
            assertThat(resolve.exit()).as(resolve.err()).isZero();
            assertThat(resolve.out()).contains("#" + id + " resolved");
            assertThat(cli(spillway, token, "incidents").out()).contains("no open incidents");

            ReadApiIT.Result badToken = cli(spillway, "spw_nope", "incidents");
            assertThat(badToken.exit()).isEqualTo(1);
            assertThat(badToken.err()).contains("401");
            ReadApiIT.Result missing = cli(spillway, token, "ack", "9999");
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.err()).contains("no incident 9999");
        }
    }
}
