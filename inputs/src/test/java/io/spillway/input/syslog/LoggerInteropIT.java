package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spillway.record.LogRecord;
import io.spillway.record.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real util-linux {@code logger} as the sender, in each of its network framings and formats. */
class LoggerInteropIT {
    private static final Path LOGGER = Path.of("/usr/bin/logger");

    @BeforeAll
    static void loggerInstalled() {
        assumeTrue(
                Files.isExecutable(LOGGER),
                "util-linux logger is not installed at " + LOGGER
                        + "; install util-linux (bsdutils) to run these tests");
    }

    private static void logger(int port, String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of(LOGGER.toString(), "-n", "127.0.0.1", "-P", Integer.toString(port)));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(LoopbackServer.WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("logger exits")
                .isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("logger exit status, output: " + output).isZero();
    }

    private static LoopbackServer server() throws Exception {
        return new LoopbackServer(LoopbackServer.config(), InstantSource.system());
    }

    @Test
    void logger_tcpOctetCounting_rfc5424Decoded() throws Exception {
        try (LoopbackServer server = server()) {
            logger(
                    server.input.tcpPort(),
                    "-T",
                    "--octet-count",
                    "-t",
                    "octet-app",
                    "-p",
                    "local3.err",
                    "--msgid",
                    "M1",
                    "hello octet");
            LogRecord r = server.next();
            assertThat(r.app()).isEqualTo("octet-app");
            assertThat(r.severity()).isEqualTo(Severity.ERROR);
            assertThat(r.fields()).containsEntry("facility", "local3").containsEntry("msgid", "M1");
            assertThat(r.messageText()).isEqualTo("hello octet");
            assertThat(SyslogDecoder.isParseError(r)).isFalse();
            assertThat(server.errors("framing_error")).isZero();
        }
    }

    @Test
    void logger_tcpLf_rfc5424WithStructuredData() throws Exception {
        try (LoopbackServer server = server()) {
            logger(
                    server.input.tcpPort(),
                    "-T",
                    "-t",
                    "lf-app",
                    "--sd-id",
                    "origin@32473",
                    "--sd-param",
                    "software=\"spill\\\"way\"",
                    "hello lf");
            LogRecord r = server.next();
            assertThat(r.app()).isEqualTo("lf-app");
            assertThat(r.messageText()).isEqualTo("hello lf");
            assertThat(r.fields()).containsEntry("origin@32473.software", "spill\"way");
            assertThat(SyslogDecoder.isParseError(r)).isFalse();
        }
    }

    @Test
    void logger_udp_rfc5424Decoded() throws Exception {
        try (LoopbackServer server = server()) {
            logger(server.input.udpPort(), "-d", "-t", "udp-app", "-i", "hello udp");
            LogRecord r = server.next();
            assertThat(r.app()).isEqualTo("udp-app");
            assertThat(r.source()).isNotEmpty(); // -i: logger's pid as PROCID
            assertThat(r.messageText()).isEqualTo("hello udp");
        }
    }

    @Test
    void logger_tcpRfc3164_bsdDecoded() throws Exception {
        try (LoopbackServer server = server()) {
            logger(server.input.tcpPort(), "-T", "--rfc3164", "-t", "bsd-app", "-p", "daemon.warning", "hello bsd");
            LogRecord r = server.next();
            assertThat(r.app()).isEqualTo("bsd-app");
            assertThat(r.severity()).isEqualTo(Severity.WARNING);
            assertThat(r.fields()).containsEntry("facility", "daemon");
            assertThat(r.messageText()).isEqualTo("hello bsd");
            assertThat(SyslogDecoder.isParseError(r)).isFalse();
        }
    }

    @Test
    void logger_udpRfc3164_bsdDecoded() throws Exception {
        try (LoopbackServer server = server()) {
            logger(server.input.udpPort(), "-d", "--rfc3164", "-t", "bsd-udp", "hello bsd udp");
            LogRecord r = server.next();
            assertThat(r.app()).isEqualTo("bsd-udp");
            assertThat(r.messageText()).isEqualTo("hello bsd udp");
        }
    }
}
