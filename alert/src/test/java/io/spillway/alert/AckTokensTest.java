package io.spillway.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.spillway.Theories;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AckTokensTest {
    static final AckTokens TOKENS = new AckTokens(new byte[32]);
    static final AckTokens OTHER_KEY = new AckTokens(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32
    });
    static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    @Test
    void verify_signedToken_yieldsItsIncident() {
        Theories.qt(200).forAll(longs().between(1, Long.MAX_VALUE)).checkAssert(id -> {
            String token = TOKENS.sign(id, NOW.plusSeconds(60));
            assertThat(token).matches("[0-9A-Za-z._-]+");
            assertThat(TOKENS.verify(token, NOW)).isEqualTo(id);
            assertThat(OTHER_KEY.verify(token, NOW)).isEqualTo(-1);
        });
    }

    @Test
    void verify_anySingleCharacterChanged_refused() {
        Theories.qt(500)
                .forAll(
                        longs().between(1, 1_000_000),
                        integers().between(0, 200),
                        integers().between(0, 63))
                .checkAssert(AckTokensTest::tamperedRefused);
    }

    private static void tamperedRefused(long id, int position, int replacement) {
        String token = TOKENS.sign(id, NOW.plusSeconds(3600));
        int at = position % token.length();
        char c = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(replacement);
        if (token.charAt(at) == c) {
            return;
        }
        String tampered = token.substring(0, at) + c + token.substring(at + 1);
        assertThat(TOKENS.verify(tampered, NOW)).isEqualTo(-1);
    }

    @Test
    void verify_expired_refused() {
        Theories.qt(100).forAll(longs().between(1, 1_000_000)).checkAssert(id -> {
            String token = TOKENS.sign(id, NOW);
            assertThat(TOKENS.verify(token, NOW)).isEqualTo(-1);
            assertThat(TOKENS.verify(token, NOW.minusSeconds(1))).isEqualTo(id);
        });
    }
}
