package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.admission.Admission;
import io.spillway.record.LogRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryBufferTest {
    private final List<String> drops = new ArrayList<>();
    private final MemoryBuffer buffer = new MemoryBuffer(1000, (app, reason, n, b) -> drops.add(app + ":" + reason));

    private static LogRecord rec(String app, String msg) {
        return LogRecord.of(1, "h", app, msg);
    }

    @Test
    void offer_pastBudget_refusesAndReportsDrop() {
        int accepted = 0;
        for (int i = 0; i < 100; i++) {
            if (buffer.offer(rec("a", "x".repeat(50))).accepted()) {
                accepted++;
            }
        }
        assertThat(buffer.bytes()).isLessThanOrEqualTo(1000);
        assertThat(drops).hasSize(100 - accepted).allMatch(d -> d.equals("a:buffer_full"));
        assertThat(buffer.offer(rec("a", "y".repeat(100)))).isEqualTo(Admission.dropped("buffer_full"));
    }

    @Test
    void release_handsTheSameRecordsOutFirstAgain() throws Exception {
        buffer.offer(rec("a", "1"));
        buffer.offer(rec("a", "2"));
        Batch first = buffer.poll(1, 1000, Duration.ZERO);
        assertThat(first.records()).extracting(LogRecord::messageText).containsExactly("1");
        assertThat(buffer.poll(10, 1000, Duration.ZERO))
                .as("one outstanding batch at a time")
                .isNull();
        buffer.release(first);
        Batch again = buffer.poll(10, 1000, Duration.ZERO);
        assertThat(again.records()).extracting(LogRecord::messageText).containsExactly("1", "2");
        buffer.commit(again);
        assertThat(buffer.records()).isZero();
        assertThat(buffer.bytes()).isZero();
    }
}
