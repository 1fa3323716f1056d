package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation's promise, end to end: Spillway as a real process, the real util-linux {@code logger}
 * as the sender, per-app files and {@code /metrics} as the evidence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyslogToFilesIT {
    private static final Path LOGGER = Path.of("/usr/bin/logger");

    SpillwayProcess spillway;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        spillway = SpillwayProcess.start(dir);
    }

    @AfterAll
    void stop() throws Exception {
        if (spillway != null) {
            spillway.close();
        }
    }

    private void logger(String... args) throws Exception {
        assumeTrue(Files.isExecutable(LOGGER), "util-linux logger is not installed (apt-get install bsdutils)");
        List<String> cmd = new ArrayList<>(
                List.of(LOGGER.toString(), "-n", "127.0.0.1", "-P", Integer.toString(spillway.syslogPort)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
    }

    private String awaitLine(String app, String text) throws Exception {
        Path file = spillway.appFile(app);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                "no line containing \"" + text + "\" in " + file + "; spillway said:\n" + spillway.output());
    }

    @Test
    void logger_tcpOctetCounting_lineInAppFileAndMetrics() throws Exception {
        double before = spillway.metric("spillway_input_received_records_total{input=\"syslog\"}");
        logger("-T", "--octet-count", "-t", "octet-app", "hello");
        assertThat(awaitLine("octet-app", "hello")).contains("hello");
        assertThat(spillway.metric("spillway_input_received_records_total{input=\"syslog\"}"))
                .isGreaterThan(before);
        assertThat(spillway.metric("spillway_output_written_records_total{output=\"file\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void logger_tcpLineFeed_lineInAppFile() throws Exception {
        logger("-T", "-t", "lf-app", "over plain tcp");
        awaitLine("lf-app", "over plain tcp");
    }

    @Test
    void logger_udp_lineInAppFile() throws Exception {
        // UDP may drop under load; on an idle loopback one datagram arrives. Retry a few times anyway.
        for (int i = 0; i < 3; i++) {
            logger("-d", "-t", "udp-app", "over udp " + i);
        }
        awaitLine("udp-app", "over udp");
    }

    @Test
    void logger_rfc3164_lineInAppFileWithTagAsApp() throws Exception {
        logger("-T", "--rfc3164", "-t", "bsd-app", "old style");
        awaitLine("bsd-app", "old style");
    }

    @Test
    void hostileSenders_wellBehavedClientStillServed() throws Exception {
        double parseErrorsBefore =
                spillway.metric("spillway_input_errors_total{input=\"syslog\",kind=\"parse_error\"}");
        double truncatedBefore =
                spillway.metric("spillway_input_errors_total{input=\"syslog\",kind=\"frame_truncated\"}");
        List<Socket> idle = new ArrayList<>();
        try {
            // 1 000 idle connections.
            for (int i = 0; i < 1000; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", spillway.syslogPort), 5000);
                idle.add(s);
            }
            // Garbage, then a 10 MB frame without a newline, on one connection, then a good line on it.
            try (Socket s = new Socket("127.0.0.1", spillway.syslogPort)) {
                OutputStream out = s.getOutputStream();
                out.write("\u0000\u00ff<<<>>>garbage\n".getBytes(StandardCharsets.ISO_8859_1));
                byte[] chunk = new byte[1 << 20];
                java.util.Arrays.fill(chunk, (byte) 'A');
                for (int i = 0; i < 10; i++) {
                    out.write(chunk);
                }
                out.write("\n<14>1 2026-11-25T00:00:00Z h same-conn - - - after the flood\n"
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                awaitLine("same-conn", "after the flood");
            }
            logger("-T", "--octet-count", "-t", "polite", "still served");
            awaitLine("polite", "still served");
        } finally {
            for (Socket s : idle) {
                closeQuietly(s);
            }
        }
        assertThat(spillway.metric("spillway_input_errors_total{input=\"syslog\",kind=\"parse_error\"}"))
                .isGreaterThan(parseErrorsBefore);
        assertThat(spillway.metric("spillway_input_errors_total{input=\"syslog\",kind=\"frame_truncated\"}"))
                .isGreaterThan(truncatedBefore);
        assertThat(spillway.metric("spillway_input_connections_total{input=\"syslog\"}"))
                .isGreaterThanOrEqualTo(1000);
        assertThat(spillway.isAlive()).isTrue();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing an idle test socket
        }
    }
}
