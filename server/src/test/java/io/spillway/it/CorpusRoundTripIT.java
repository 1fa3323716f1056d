package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.guard.Guard;
import io.spillway.guard.GuardConfig;
import io.spillway.guard.Ticker;
import io.spillway.input.gelf.GelfDecoder;
import io.spillway.input.http.LogplexDecoder;
import io.spillway.input.http.NdjsonDecoder;
import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.input.tail.CriLineDecoder;
import io.spillway.input.tail.DockerJsonLineDecoder;
import io.spillway.input.tail.TailLine;
import io.spillway.pipeline.Stage;
import io.spillway.record.LogRecord;
import io.spillway.record.Severity;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every corpus sample through a real input of a real process, into the store, and out through the
 * read API: syslog over TCP (LF and octet-counted framing), GELF over UDP, HTTP ingest as NDJSON and
 * as a logplex drain, and the tail input for the Docker json-file and CRI files. What the API must return is computed by the inputs' own decoders followed by
 * the default guard (so redaction and truncation are expected), and compared field by field: app,
 * message, severity, and the time when the sample carries one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorpusRoundTripIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern(
                    "uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSX", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    SpillwayProcess spillway;
    String admin;
    int gelfPort;
    Path containers;
    Path pods;
    final Guard guard = Guard.create(GuardConfig.defaults(), (app, reason, n, b) -> {}, Ticker.system());
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What the API should show for one sent record; time null when it is the time of receipt. */
    record Expected(String source, String app, String message, String severity, String time) {}

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        gelfPort = SpillwayProcess.freePort();
        containers = dir.resolve("containers");
        pods = dir.resolve("pods");
        Files.createDirectories(containers);
        Files.createDirectories(pods);
        spillway = SpillwayProcess.start(
                dir,
                "--set",
                "inputs.gelf.udp.listen=127.0.0.1:" + gelfPort,
                "--set",
                "inputs.gelf.tcp.listen=127.0.0.1:" + gelfPort,
                "--set",
                "inputs.tail.enabled=true",
                "--set",
                "inputs.tail.docker_root=" + containers,
                "--set",
                "inputs.tail.cri_root=" + pods,
                "--set",
                "inputs.tail.scan_interval=100ms");
        admin = Files.readString(spillway.dataDir.resolve("admin.token")).strip();
    }

    @AfterAll
    void stop() throws Exception {
        if (spillway != null) {
            spillway.close();
        }
    }

    private static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private Expected expect(String source, LogRecord decoded, long sentAt) {
        LogRecord r = decoded;
        for (Stage s : guard.stages()) {
            r = s.apply(r);
            assertThat(r).as("the default guard keeps corpus record " + decoded).isNotNull();
        }
        boolean ownTime = Math.abs(r.timestamp() - sentAt) > TimeUnit.DAYS.toNanos(1);
        String time = ownTime ? TIME.format(Instant.ofEpochSecond(0, r.timestamp())) : null;
        return new Expected(source, r.app(), r.messageText(), r.severity().label(), time);
    }

    private void syslogTcp(byte[] bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", spillway.syslogPort)) {
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
        }
    }

    private HttpResponse<String> ingest(String app, String contentType, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + spillway.httpPort + "/api/v1/ingest?app=" + app))
                        .header("Content-Type", contentType)
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Every stored record of {@code app}, oldest first, paging with cursors. */
    private List<JsonNode> stored(String app) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            String path = "/api/v1/apps/" + app + "/logs?order=oldest&limit=10000"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + spillway.httpPort + path))
                            .header("Authorization", "Bearer " + admin)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404) {
                return out;
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode page = JSON.readTree(r.body());
            page.path("records").forEach(out::add);
            cursor = page.path("next_cursor").isNull()
                    ? null
                    : page.path("next_cursor").asText();
        } while (cursor != null);
        return out;
    }

    private static boolean matches(Expected e, JsonNode r) {
        return r.path("message").asText().equals(e.message())
                && r.path("severity").asText().equals(e.severity())
                && (e.time() == null || r.path("time").asText().equals(e.time()));
    }

    @Test
    void everyCorpusSample_throughARealInput_comesBackThroughTheApi() throws Exception {
        List<Expected> expected = new ArrayList<>();
        SyslogDecoder syslog = new SyslogDecoder(InstantSource.system());

        // syslog over TCP, LF framing
        for (String file : List.of("syslog-rfc5424.log", "syslog-rfc3164.log")) {
            long at = now();
            for (byte[] line : ItCorpus.lines(file)) {
                expected.add(expect(file, syslog.decode(line, "127.0.0.1", at), at));
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (byte[] line : ItCorpus.lines(file)) {
                body.write(line);
                body.write('\n');
            }
            syslogTcp(body.toByteArray());
        }

        // syslog over TCP, RFC 6587 octet counting
        byte[] octets = ItCorpus.bytes("syslog-octet-counted.bin");
        long at = now();
        for (byte[] frame : octetFrames(octets)) {
            expected.add(expect("syslog-octet-counted.bin", syslog.decode(frame, "127.0.0.1", at), at));
        }
        syslogTcp(octets);

        // the same octet-counted frames as a logplex drain over HTTP
        at = now();
        LogplexDecoder logplex = new LogplexDecoder(syslog, 64 * 1024, 10_000);
        for (LogRecord r : logplex.decode(octets, "drain", "127.0.0.1", at).records()) {
            expected.add(expect("logplex", r, at));
        }
        HttpResponse<String> drained = ingest("drain", "application/logplex-1", octets);
        assertThat(drained.statusCode()).as(drained.body()).isEqualTo(200);

        // GELF over UDP, one datagram per payload
        GelfDecoder gelf = new GelfDecoder("_container_name");
        at = now();
        try (DatagramSocket udp = new DatagramSocket()) {
            for (byte[] payload : ItCorpus.lines("gelf.jsonl")) {
                expected.add(expect("gelf.jsonl", gelf.decode(payload, "127.0.0.1", at), at));
                udp.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), gelfPort));
            }
        }

        // NDJSON over HTTP: Docker json-file lines as they are, and the Rails lines as messages
        NdjsonDecoder ndjson = new NdjsonDecoder(64 * 1024, 10_000);
        byte[] docker = ItCorpus.bytes("docker-json-file.log");
        at = now();
        for (LogRecord r : ndjson.decode(docker, "docker-json", "127.0.0.1", at).records()) {
            expected.add(expect("docker-json-file.log", r, at));
        }
        HttpResponse<String> d = ingest("docker-json", "application/x-ndjson", docker);
        assertThat(d.statusCode()).as(d.body()).isEqualTo(200);

        ByteArrayOutputStream rails = new ByteArrayOutputStream();
        for (byte[] line : ItCorpus.lines("rails-error-page.log")) {
            Map<String, String> o = new LinkedHashMap<>();
            o.put("message", ItCorpus.text(line));
            rails.write(JSON.writeValueAsBytes(o));
            rails.write('\n');
        }
        at = now();
        for (LogRecord r :
                ndjson.decode(rails.toByteArray(), "rails", "127.0.0.1", at).records()) {
            expected.add(expect("rails-error-page.log", r, at));
        }
        HttpResponse<String> rr = ingest("rails", "application/x-ndjson", rails.toByteArray());
        assertThat(rr.statusCode()).as(rr.body()).isEqualTo(200);

        assertStored(expected);
        assertThat(expected)
                .extracting(Expected::source)
                .contains(
                        "syslog-rfc5424.log",
                        "syslog-rfc3164.log",
                        "syslog-octet-counted.bin",
                        "logplex",
                        "gelf.jsonl",
                        "docker-json-file.log",
                        "rails-error-page.log");
    }

    @Test
    void tailedContainerFiles_dockerJsonFileAndCri_comeBackThroughTheApi() throws Exception {
        List<Expected> expected = new ArrayList<>();
        long at = now();
        // Docker json-file: partial entries joined, the container's name as the app.
        String id = "c0ffee" + "1".repeat(58);
        Path container = containers.resolve(id);
        Files.createDirectories(container);
        Files.writeString(
                container.resolve("config.v2.json"), "{\"Name\":\"/docker-tailed\",\"Config\":{\"Labels\":{}}}");
        DockerJsonLineDecoder docker = new DockerJsonLineDecoder(256 * 1024);
        for (byte[] line : ItCorpus.lines("docker-json-file.log")) {
            TailLine t = docker.decode(line, 0, line.length).line();
            if (t != null) {
                expected.add(expect("docker-json-file.log (tail)", tailed("docker-tailed", t), at));
            }
        }
        Files.write(container.resolve(id + "-json.log"), ItCorpus.bytes("docker-json-file.log"));
        // CRI: <ns>_<pod>_<uid>/<container>/0.log, the container's name as the app.
        Path criDir = pods.resolve("default_web-7d9_0e1f").resolve("cri-tailed");
        Files.createDirectories(criDir);
        CriLineDecoder cri = new CriLineDecoder(256 * 1024);
        for (byte[] line : ItCorpus.lines("cri.log")) {
            TailLine t = cri.decode(line, 0, line.length).line();
            if (t != null) {
                expected.add(expect("cri.log", tailed("cri-tailed", t), at));
            }
        }
        Files.write(criDir.resolve("0.log"), ItCorpus.bytes("cri.log"));
        assertThat(expected).extracting(Expected::source).contains("docker-json-file.log (tail)", "cri.log");
        assertStored(expected);
    }

    private static LogRecord tailed(String app, TailLine t) {
        return new LogRecord(t.timeNanos(), "h", app, "", t.stream(), Severity.UNKNOWN, t.message(), Map.of());
    }

    private void assertStored(List<Expected> expected) throws Exception {
        Map<String, List<Expected>> byApp = new TreeMap<>();
        for (Expected e : expected) {
            byApp.computeIfAbsent(e.app(), a -> new ArrayList<>()).add(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> missing;
        do {
            missing = new ArrayList<>();
            for (Map.Entry<String, List<Expected>> e : byApp.entrySet()) {
                List<JsonNode> got = stored(e.getKey());
                for (Expected x : e.getValue()) {
                    if (got.stream().noneMatch(r -> matches(x, r))) {
                        missing.add(x + "\n    stored for " + e.getKey() + ": "
                                + got.stream()
                                        .map(r -> r.path("time").asText() + " "
                                                + r.path("severity").asText() + " "
                                                + abbreviate(r.path("message").asText()))
                                        .toList());
                    }
                }
            }
            if (missing.isEmpty()) {
                break;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        assertThat(missing).as("records sent but not returned by the API").isEmpty();
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Splits RFC 6587 octet-counted framing: {@code LEN SP MSG}, repeated. */
    static List<byte[]> octetFrames(byte[] b) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (i < b.length) {
            int len = 0;
            while (b[i] != ' ') {
                len = len * 10 + (b[i++] - '0');
            }
            i++;
            out.add(java.util.Arrays.copyOfRange(b, i, i + len));
            i += len;
        }
        return out;
    }
}
