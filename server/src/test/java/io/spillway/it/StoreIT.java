package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.metrics.Metrics;
import io.spillway.store.LogStore;
import io.spillway.store.Query;
import io.spillway.store.QueryResult;
import io.spillway.store.StoreConfig;
import io.spillway.store.StoredRecord;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store as the default output of {@code spillway run}: syslog lines reach {@code
 * <data_dir>/store}, and once {@code /metrics} shows them stored they survive {@code kill -9} of the
 * process (they were in the operating system before the batch was committed).
 */
class StoreIT {
    @Test
    void syslog_thenKill9_everyStoredRecordReadableAfter(@TempDir Path dir) throws Exception {
        int n = 500;
        Path dataDir;
        try (SpillwayProcess spillway = SpillwayProcess.start(dir)) {
            dataDir = spillway.dataDir;
            try (Socket s = new Socket("127.0.0.1", spillway.syslogPort)) {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < n; i++) {
                    out.write(("<14>1 2026-11-26T01:00:00Z h storeit 1 - - line " + i + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            }
            String sample = "spillway_store_records_total{app=\"storeit\"}";
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (spillway.metric(sample) < n && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(spillway.metric(sample)).as(spillway.output()).isEqualTo(n);
            spillway.kill();
        }
        try (LogStore store = LogStore.open(
                dataDir.resolve("store"), StoreConfig.defaults(), new Metrics(), InstantSource.system())) {
            List<String> messages = new ArrayList<>();
            QueryResult r = store.query(new Query("storeit", null, null, null, 1000, Query.Order.OLDEST_FIRST, null));
            for (StoredRecord sr : r.records()) {
                messages.add(sr.record().messageText());
            }
            assertThat(messages).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(messages.get(i)).isEqualTo("line " + i);
            }
        }
    }
}
