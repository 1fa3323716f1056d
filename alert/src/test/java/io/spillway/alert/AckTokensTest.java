package io.spillway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class AckTokensTest {
    static final AckTokens TOKENS = new AckTokens(new byte[32]);
    static final AckTokens OTHER_KEY = new AckTokens(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32
    });
    static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    @Property(tries = 200)
    void verify_signedToken_yieldsItsIncident(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long id) {
        String token = TOKENS.sign(id, NOW.plusSeconds(60));
        assertThat(token).matches("[0-9A-Za-z._-]+");
        assertThat(TOKENS.verify(token, NOW)).isEqualTo(id);
        assertThat(OTHER_KEY.verify(token, NOW)).isEqualTo(-1);
    }

    @Property(tries = 500)
    void verify_anySingleCharacterChanged_refused(
            @ForAll @LongRange(min = 1, max = 1_000_000) long id,
            @ForAll @IntRange(min = 0, max = 200) int position,
            @ForAll @IntRange(min = 0, max = 63) int replacement) {
        String token = TOKENS.sign(id, NOW.plusSeconds(3600));
        int at = position % token.length();
        char c = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(replacement);
        if (token.charAt(at) == c) {
            return;
        }
        String tampered = token.substring(0, at) + c + token.substring(at + 1);
        assertThat(TOKENS.verify(tampered, NOW)).isEqualTo(-1);
    }

    @Property(tries = 100)
    void verify_expired_refused(@ForAll @LongRange(min = 1, max = 1_000_000) long id) {
        String token = TOKENS.sign(id, NOW);
        assertThat(TOKENS.verify(token, NOW)).isEqualTo(-1);
        assertThat(TOKENS.verify(token, NOW.minusSeconds(1))).isEqualTo(id);
    }
}
