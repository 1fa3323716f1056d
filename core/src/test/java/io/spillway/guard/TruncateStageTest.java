package io.spillway.guard;

import static io.spillway.guard.Fakes.config;
import static io.spillway.guard.Fakes.record;
import static io.spillway.guard.Fakes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import io.spillway.Theories;
import io.spillway.record.LogRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TruncateStageTest {

    @Test
    void apply_messageWithinLimit_returnsSameInstance() throws Exception {
        TruncateStage stage = new TruncateStage(config("truncate: {max_message: 100B}"));
        LogRecord r = record("web", "x".repeat(100));
        assertThat(stage.apply(r)).isSameAs(r);
    }

    @Test
    void apply_asciiOverLimit_cutsAtLimitWithSuffixAndField() throws Exception {
        TruncateStage stage = new TruncateStage(config("truncate: {max_message: 100B}"));
        LogRecord r = record("web", "a".repeat(150));
        LogRecord out = stage.apply(r);
        assertThat(text(out)).isEqualTo("a".repeat(100) + "…[truncated 50 bytes]");
        assertThat(out.fields()).containsEntry("truncated", "50");
    }

    @Test
    void apply_limitInsideMultiByteCharacter_cutsBeforeIt() throws Exception {
        TruncateStage stage = new TruncateStage(config("truncate: {max_message: 64B}"));
        // 63 ASCII bytes, then "€" (3 bytes: E2 82 AC): the limit of 64 falls after its first byte.
        LogRecord r = record("web", "a".repeat(63) + "€" + "tail");
        LogRecord out = stage.apply(r);
        assertThat(text(out)).isEqualTo("a".repeat(63) + "…[truncated 7 bytes]");
        assertThat(out.fields()).containsEntry("truncated", "7");
    }

    @Test
    void apply_keepsOtherFieldsAndMetadata() throws Exception {
        TruncateStage stage = new TruncateStage(config("truncate: {max_message: 64B}"));
        LogRecord r = record("web", "b".repeat(70)).withFields(Map.of("k", "v"));
        LogRecord out = stage.apply(r);
        assertThat(out.fields()).containsEntry("k", "v").containsEntry("truncated", "6");
        assertThat(out.app()).isEqualTo("web");
        assertThat(out.host()).isEqualTo(r.host());
        assertThat(out.timestamp()).isEqualTo(r.timestamp());
    }

    @Test
    void apply_disabledGlobally_enabledForOneAppByGlob() throws Exception {
        TruncateStage stage = new TruncateStage(config("""
                truncate: {enabled: false}
                apps:
                  chatty-*: {truncate: {enabled: true, max_message: 64B}}
                """));
        LogRecord big = record("web", "c".repeat(10_000));
        assertThat(stage.apply(big)).isSameAs(big);
        LogRecord chatty = record("chatty-1", "c".repeat(10_000));
        assertThat(stage.apply(chatty).messageLength()).isLessThan(100);
    }

    @Test
    void apply_defaultLimit_is16KiB() throws Exception {
        TruncateStage stage = new TruncateStage(config(""));
        LogRecord atLimit = record("web", "d".repeat(16 * 1024));
        assertThat(stage.apply(atLimit)).isSameAs(atLimit);
        LogRecord over = stage.apply(record("web", "d".repeat(16 * 1024 + 1)));
        assertThat(over.fields()).containsEntry("truncated", "1");
    }

    @Test
    void apply_arbitraryBytes_boundedAndPrefixPreserved() {
        Theories.qt(1000)
                .forAll(Theories.byteArrays(0, 400), integers().between(64, 300))
                .checkAssert((message, limit) -> {
                    try {
                        boundedAndPrefixPreserved(message, limit);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    private static void boundedAndPrefixPreserved(byte[] message, int limit) throws Exception {
        TruncateStage stage = new TruncateStage(config("truncate: {max_message: " + limit + "B}"));
        LogRecord in = record("app", message);
        LogRecord out = stage.apply(in);
        if (message.length <= limit) {
            assertThat(out).isSameAs(in);
            return;
        }
        int removed = Integer.parseInt(out.fields().get("truncated"));
        int kept = message.length - removed;
        byte[] suffix = TruncateStage.suffix(removed);
        assertThat(kept).isBetween(limit - 3, limit);
        assertThat(out.messageLength()).isEqualTo(kept + suffix.length);
        assertThat(out.messageLength()).isLessThanOrEqualTo(limit + suffix.length);
        assertThat(Arrays.copyOf(out.messageBytes(), kept)).isEqualTo(Arrays.copyOf(message, kept));
        assertThat(Arrays.copyOfRange(out.messageBytes(), kept, out.messageLength()))
                .isEqualTo(suffix);
    }

    @Test
    void apply_validUtf8_staysValidUtf8() {
        Theories.qt(1000)
                .forAll(
                        strings().allPossible().ofLengthBetween(0, 200),
                        integers().between(64, 300))
                .checkAssert((message, limit) -> {
                    try {
                        staysValidUtf8(message, limit);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    private static void staysValidUtf8(String message, int limit) throws Exception {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (!isValidUtf8(bytes)) {
            return; // lone surrogates in the generated string encode as '?', still valid; guard anyway
        }
        TruncateStage stage = new TruncateStage(config("truncate: {max_message: " + limit + "B}"));
        LogRecord out = stage.apply(record("app", bytes));
        assertThat(isValidUtf8(out.messageBytes())).isTrue();
        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .startsWith(text(out).replaceFirst("…\\[truncated \\d+ bytes]$", ""));
    }

    private static boolean isValidUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
