package io.spillway.guard;

import static io.spillway.guard.Fakes.config;
import static io.spillway.guard.Fakes.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spillway.FakeClock;
import io.spillway.guard.Fakes.RecordingDrops;
import io.spillway.pipeline.Stage;
import io.spillway.record.LogRecord;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The common case — a line within the limit, with no secret, of an app within its rate — must not
 * allocate: at millions of lines a second, garbage is the cost. Counts bytes allocated by this thread
 * (deterministic, unlike timing), with a little slack for the measurement itself.
 */
class HotPathAllocationTest {

    @Test
    void guardStages_ordinaryLine_allocateNothingPerRecord() throws Exception {
        com.sun.management.ThreadMXBean threads = threadBean();
        GuardConfig config = config("""
                rate_limit: {lines_per_second: 0, bytes_per_second: 0}
                apps:
                  batch-*: {truncate: {max_message: 1KiB}}
                """);
        List<Stage> stages =
                Guard.create(config, new RecordingDrops(), new FakeClock()).stages();
        LogRecord line = record(
                "web-1", "GET /api/v1/measurements/42 200 3ms user_agent=\"curl/8.5\" remote=10.0.0.7 bytes=1832");
        LogRecord fromBatch = record("batch-7", "x".repeat(900));
        for (int i = 0; i < 20_000; i++) { // warm-up: caches filled, code compiled
            run(stages, line);
            run(stages, fromBatch);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            run(stages, line);
            run(stages, fromBatch);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated for 200 000 records").isLessThan(20_000);
    }

    private static void run(List<Stage> stages, LogRecord r) {
        LogRecord out = r;
        // Indexed, like Pipeline.accept: an iterator here would be the test's own garbage.
        for (int i = 0; i < stages.size(); i++) {
            out = stages.get(i).apply(out);
        }
        if (out != r) {
            throw new AssertionError("an ordinary line was changed");
        }
    }

    private static com.sun.management.ThreadMXBean threadBean() {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        var hotspot = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(hotspot.isThreadAllocatedMemorySupported() && hotspot.isThreadAllocatedMemoryEnabled());
        return hotspot;
    }
}
