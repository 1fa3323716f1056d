package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outage replay, end to end, against the real process: {@code spillway flood} sends the outage
 * workload while a container log grows on a real (tmpfs) filesystem the disk guard watches. The
 * watermark crossing must become a critical incident whose first page reaches a real webhook receiver
 * (HMAC checked) within 2 s — the promise of the paging issue — and a real SMTP server (GreenMail);
 * nobody acknowledges, so it escalates; the ack link from the webhook body then stops the paging.
 */
class PagingEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "it-webhook-secret-0123456789";

    @TempDir
    Path dir;

    private Path disk;
    private boolean mounted;
    private Process writer;
    private Process flood;

    @BeforeEach
    void mountTmpfs() throws Exception {
        disk = Files.createDirectories(dir.resolve("disk"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", disk.toString()) == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN); the outage replay IT is skipped");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : new Process[] {writer, flood}) {
            if (p != null) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (mounted) {
            run("umount", disk.toString());
        }
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @Test
    void diskFillingDuringFlood_pagesWithin2s_escalates_andAckLinkStopsPaging() throws Exception {
        Path containers = Files.createDirectories(disk.resolve("containers"));
        Path c = Files.createDirectories(containers.resolve("c0ffee"));
        Files.writeString(c.resolve("config.v2.json"), "{\"ID\":\"c0ffee\",\"Name\":\"/sensors-api\",\"Config\":{}}");
        Path log = Files.createFile(c.resolve("c0ffee-json.log"));

        GreenMail mail = new GreenMail(new ServerSetup(SpillwayProcess.freePort(), "127.0.0.1", "smtp"));
        mail.start();
        try (WebhookReceiver hook = new WebhookReceiver(SECRET)) {
            Path config = Files.writeString(
                    dir.resolve("spillway.yaml"),
                    String.format(
                            Locale.ROOT,
                            """
                    disk_guard:
                      paths: [%s]
                      docker_containers: %s
                      pods: %s
                      interval: 200ms
                      warn: 50%%
                      critical: 50%%
                      emergency: 95%%
                    alert:
                      targets:
                        hook: {type: webhook, url: "%s", secret: %s, self_test: false}
                        mail:
                          type: email
                          host: 127.0.0.1
                          port: %d
                          starttls: "off"
                          from: spillway@it.example
                          to: [oncall@it.example]
                          self_test: false
                      policies:
                        - name: hosts
                          levels:
                            - {targets: [hook], delay: 1s}
                            - {everyone: true, delay: 1s}
                      delivery: {initial_backoff: 100ms}
                    """,
                            disk,
                            containers,
                            dir.resolve("no-pods"),
                            hook.url(),
                            SECRET,
                            mail.getSmtp().getPort()));
            try (SpillwayProcess spillway = SpillwayProcess.start(dir, "--config", config.toString())) {
                String token = Files.readString(spillway.dataDir.resolve("admin.token"))
                        .strip();
                // The outage: the flood at the syslog input, and one app's runtime log filling the disk.
                flood = new ProcessBuilder(
                                ProcessHandle.current().info().command().orElse("java"),
                                "-jar",
                                System.getProperty("spillway.jar"),
                                "flood",
                                "--target",
                                "127.0.0.1:" + spillway.syslogPort,
                                "--duration",
                                "5s",
                                "--settle",
                                "1s",
                                "--quiet-apps",
                                "5",
                                "--quiet-rate",
                                "20",
                                "--noisy-rate",
                                "2000",
                                "--files",
                                spillway.dataDir.resolve("files").toString(),
                                "--metrics",
                                "none")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("flood.out").toFile())
                        .start();
                writer = new ProcessBuilder(
                                "sh",
                                "-c",
                                "while :; do head -c 65536 /dev/zero >> '" + log + "' || sleep 0.05; sleep 0.02; done")
                        .redirectErrorStream(true)
                        .start();

                WebhookReceiver.Page first = hook.await(
                        p -> p.reason().equals("trigger")
                                && p.incident().path("dedup_key").asText().startsWith("disk_watermark/"),
                        60);
                assertThat(first).as(spillway.output()).isNotNull();
                writer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                assertThat(first.signatureOk())
                        .as("HMAC signature of the webhook")
                        .isTrue();
                assertThat(first.incident().path("severity").asText()).isEqualTo("critical");
                assertThat(first.incident().path("top_writer").asText()).contains("sensors-api");
                String id = first.incident().path("id").asText();

                // Within 2 s of the crossing: the event's own time (its _spillway line) and the
                // incident's opening both precede the page by at most 2 s.
                JsonNode incident = api(spillway, token, "GET", "/api/v1/incidents/" + id);
                Instant created = Instant.parse(incident.path("created").asText());
                assertThat(Duration.between(created, first.arrived()))
                        .as("page after the incident opened")
                        .isLessThanOrEqualTo(Duration.ofSeconds(2));
                Instant crossed = eventTime(spillway.appFile("_spillway"));
                System.out.printf(
                        Locale.ROOT,
                        "first page %d ms after the incident opened, %s ms after the watermark event%n",
                        Duration.between(created, first.arrived()).toMillis(),
                        crossed == null
                                ? "?"
                                : Duration.between(crossed, first.arrived()).toMillis());
                if (crossed != null) {
                    assertThat(Duration.between(crossed, first.arrived()))
                            .as("page after the watermark crossing (event at %s)", crossed)
                            .isLessThanOrEqualTo(Duration.ofSeconds(2));
                }

                // The email page reaches the SMTP server (critical host incidents page everyone).
                // Other incidents may page too (the flood's noisy app raises a drops incident), so
                // look for this incident's email.
                MimeMessage m = null;
                long mailDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (m == null && System.nanoTime() < mailDeadline) {
                    for (MimeMessage candidate : mail.getReceivedMessages()) {
                        if (candidate.getSubject().contains("#" + id)) {
                            m = candidate;
                        }
                    }
                    if (m == null) {
                        Thread.sleep(100);
                    }
                }
                assertThat(m).as("an email page for incident #" + id).isNotNull();
                assertThat(m.getSubject()).contains("CRITICAL").contains("#" + id);

                // Nobody acknowledges: it escalates to the next level (everyone) after 1 s.
                WebhookReceiver.Page escalated = hook.await(
                        p -> p.incident().path("id").asText().equals(id)
                                && p.reason().equals("escalate"),
                        15);
                assertThat(escalated).as("escalation page").isNotNull();

                // The ack link from the webhook body stops the paging.
                String ackUrl = first.incident().path("ack_url").asText();
                assertThat(ackUrl).startsWith("http://127.0.0.1:" + spillway.httpPort + "/ack/");
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> page = http.send(
                        HttpRequest.newBuilder(URI.create(ackUrl)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.body()).contains("<form method=\"post\"").contains("Acknowledge incident #" + id);
                HttpResponse<String> acked = http.send(
                        HttpRequest.newBuilder(URI.create(ackUrl))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("by=it-oncall"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(acked.statusCode()).isEqualTo(200);
                assertThat(acked.body()).contains("Acknowledged").contains("it-oncall");
                assertThat(hook.await(
                                p -> p.incident().path("id").asText().equals(id)
                                        && p.reason().equals("acknowledge"),
                                15))
                        .as("the targets already paged are told")
                        .isNotNull();
                Instant ackedAt = Instant.now();
                Thread.sleep(3500); // three escalation delays: pages would have gone out without the ack
                List<WebhookReceiver.Page> late =
                        hook.matching(p -> p.incident().path("id").asText().equals(id)
                                && List.of("trigger", "escalate", "renotify").contains(p.reason())
                                && p.arrived().isAfter(ackedAt));
                assertThat(late).as("pages after the ack").isEmpty();

                JsonNode after = api(spillway, token, "GET", "/api/v1/incidents/" + id);
                assertThat(after.path("state").asText()).isEqualTo("acknowledged");
                assertThat(after.path("acknowledged_via").asText()).isEqualTo("link");
                assertThat(after.path("acknowledged_by").asText()).isEqualTo("it-oncall");
                assertThat(after.path("timeline").toString()).contains("\"type\":\"acknowledged\"");
                assertThat(hook.pages)
                        .allSatisfy(p -> assertThat(p.signatureOk()).isTrue());
                // The link cannot be reused to mean anything else; a tampered one is refused.
                HttpResponse<String> tampered = http.send(
                        HttpRequest.newBuilder(URI.create(ackUrl + "x")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(tampered.statusCode()).isEqualTo(404);
                assertThat(tampered.body()).contains("invalid or has expired");
            }
        } finally {
            mail.stop();
        }
    }

    static JsonNode api(SpillwayProcess s, String token, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort + path))
                .header("Authorization", "Bearer " + token);
        b = method.equals("GET") ? b.GET() : b.POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return JSON.readTree(r.body());
    }

    /** The time of the first critical disk_watermark line in the _spillway stream, if readable. */
    private static Instant eventTime(Path file) throws Exception {
        if (!Files.exists(file)) {
            return null;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.contains("disk_watermark firing critical")) {
                try {
                    return OffsetDateTime.parse(line.substring(0, line.indexOf(' ')))
                            .toInstant();
                } catch (RuntimeException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
