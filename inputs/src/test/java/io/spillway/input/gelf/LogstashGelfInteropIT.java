package io.spillway.input.gelf;

import static org.assertj.core.api.Assertions.assertThat;

import biz.paluch.logging.gelf.intern.ErrorReporter;
import biz.paluch.logging.gelf.intern.GelfMessage;
import biz.paluch.logging.gelf.intern.sender.GelfTCPSender;
import biz.paluch.logging.gelf.intern.sender.GelfUDPSender;
import io.spillway.FakeClock;
import io.spillway.admission.Admission;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.input.netty.TcpListener;
import io.spillway.input.netty.UdpListener;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import io.spillway.record.LogRecord;
import io.spillway.record.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** logstash-gelf, a widely used GELF client, as a real peer: UDP (gzip, chunked) and TCP. */
class LogstashGelfInteropIT {
    private final LinkedBlockingQueue<LogRecord> records = new LinkedBlockingQueue<>();
    private final List<String> clientErrors = new ArrayList<>();
    private final ErrorReporter reporter = (message, e) -> clientErrors.add(message + ": " + e);
    private GelfInput input;

    @BeforeEach
    void start() throws Exception {
        ListenAddress any = ListenAddress.loopback(0);
        GelfConfig config = new GelfConfig(
                true,
                new UdpListener(true, any, DataSize.ofMiB(4)),
                new TcpListener(true, any, 16, Duration.ofMinutes(5), 16),
                DataSize.ofMiB(1),
                1000,
                DataSize.ofMiB(32),
                Duration.ofSeconds(5),
                "_container_name");
        input = new GelfInput(
                config, new InputMetrics(new Metrics(), "gelf"), new FakeClock(Instant.parse("2026-01-01T00:00:00Z")));
        input.start(r -> {
            records.add(r);
            return Admission.ACCEPTED;
        });
    }

    @AfterEach
    void stop() {
        input.stop();
    }

    private static GelfMessage message(String shortMessage, String fullMessage) {
        GelfMessage m = new GelfMessage(shortMessage, fullMessage, 1_438_138_800_250L, "3");
        m.setVersion("1.1");
        m.setHost("client-host");
        m.addField("container_name", "billing");
        m.addField("request_id", "r-42");
        return m;
    }

    private LogRecord next() throws InterruptedException {
        LogRecord r = records.poll(20, TimeUnit.SECONDS);
        assertThat(r).as("a record (client errors: " + clientErrors + ")").isNotNull();
        return r;
    }

    @Test
    void udp_smallAndChunkedMessages_decoded() throws Exception {
        GelfUDPSender sender = new GelfUDPSender("127.0.0.1", input.udpPort(), reporter);
        try {
            assertThat(sender.sendMessage(message("hello", ""))).isTrue();
            // Random text does not compress: well over the client's 8 KB datagram size, so it is chunked.
            StringBuilder big = new StringBuilder();
            java.util.Random random = new java.util.Random(3);
            while (big.length() < 60_000) {
                big.append(Long.toString(random.nextLong(), 36));
            }
            GelfMessage large = message("large", big.toString());
            assertThat(sender.sendMessage(large)).isTrue();

            LogRecord small = next();
            assertThat(small.messageText()).isEqualTo("hello");
            assertThat(small.app()).isEqualTo("billing");
            assertThat(small.host()).isEqualTo("client-host");
            assertThat(small.severity()).isEqualTo(Severity.ofCode(3));
            assertThat(small.timestamp()).isEqualTo(1_438_138_800_250_000_000L);
            assertThat(small.fields()).containsEntry("request_id", "r-42");
            LogRecord chunked = next();
            assertThat(chunked.messageText()).isEqualTo(big.toString());
            assertThat(chunked.fields()).containsEntry("short_message", "large");
        } finally {
            sender.close();
        }
    }

    @Test
    void tcp_messages_decoded() throws Exception {
        GelfTCPSender sender = new GelfTCPSender("127.0.0.1", input.tcpPort(), 5000, 5000, reporter);
        try {
            assertThat(sender.sendMessage(message("one", ""))).isTrue();
            assertThat(sender.sendMessage(message("two", "two, in full"))).isTrue();
            assertThat(next().messageText()).isEqualTo("one");
            assertThat(next().messageText()).isEqualTo("two, in full");
        } finally {
            sender.close();
        }
    }
}
