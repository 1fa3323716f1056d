package io.spillway.guard;

import static io.spillway.guard.Fakes.config;
import static io.spillway.guard.Fakes.record;
import static io.spillway.guard.Fakes.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.guard.Fakes.RecordingDrops;
import io.spillway.pipeline.Stage;
import io.spillway.record.LogRecord;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class GuardTest {

    @Test
    void stages_defaultConfig_truncateRepeatRateLimitRedact() throws Exception {
        Guard guard = Guard.create(config(""), new RecordingDrops(), new FakeClock());
        assertThat(guard.stages())
                .extracting(Stage::name)
                .containsExactly(TruncateStage.NAME, RepeatStage.NAME, RateLimitStage.NAME, RedactStage.NAME);
    }

    @Test
    void stages_floodOfSecrets_rateLimitChargesUnredactedBytesAndRedactsOnlyKeptLines() throws Exception {
        // 2 lines of 16 bytes fit the 32-byte bucket; redacted they would be 19 bytes each and only one
        // would fit, so the second line passing shows the limiter charged the bytes before redaction.
        Guard guard = Guard.create(
                config("rate_limit: {bytes_per_second: 32B, lines_per_second: 0, burst: 1s}"),
                new RecordingDrops(),
                new FakeClock());
        List<Stage> stages = guard.stages();
        LogRecord first = run(stages, record("web", "password=hunter2"));
        LogRecord second = run(stages, record("web", "password=hunter3"));
        LogRecord third = run(stages, record("web", "password=hunter4"));
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(text(first)).isEqualTo("password=[FILTERED]");
        assertThat(text(second)).isEqualTo("password=[FILTERED]");
        assertThat(third).isNull();
    }

    private static @Nullable LogRecord run(List<Stage> stages, LogRecord r) {
        LogRecord out = r;
        for (Stage s : stages) {
            out = s.apply(out);
            if (out == null) {
                return null;
            }
        }
        return out;
    }
}
