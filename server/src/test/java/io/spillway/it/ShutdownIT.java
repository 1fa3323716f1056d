package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM drains the buffers and flushes the files before the process exits. */
class ShutdownIT {
    @TempDir
    Path dir;

    @Test
    void sigterm_afterBurst_everyAcceptedLineIsInTheFileAndExitIsClean() throws Exception {
        SpillwayProcess spillway = SpillwayProcess.start(dir);
        int n = 20_000;
        try (Socket s = new Socket("127.0.0.1", spillway.syslogPort)) {
            OutputStream out = s.getOutputStream();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append("<14>1 2026-11-25T00:00:00Z h drain-app - - - line ")
                        .append(i)
                        .append('\n');
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        // Wait until the input has taken every line, then stop at once: the buffer may still hold some.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (spillway.metric("spillway_input_received_records_total{input=\"syslog\"}") < n
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int exit = spillway.stop();
        assertThat(exit).as(spillway.output()).isZero();
        assertThat(spillway.output()).contains("stopped");
        try (var lines = Files.lines(spillway.appFile("drain-app"))) {
            assertThat(lines.filter(l -> l.contains("line ")).count()).isEqualTo(n);
        }
    }
}
