package io.spillway.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class BuiltinRulesTest {
    private static final List<String> TRIGGERS = List.of(
            "passw", "secret", "token", "api_key", "apikey", "api-key", "authorization", "bearer", "parameters:");

    @Property(tries = 500)
    void firstTrigger_anyLine_equalsNaiveSearch(@ForAll("lines") String line) {
        byte[] m = line.getBytes(StandardCharsets.UTF_8);
        assertThat(BuiltinRules.firstTrigger(m)).isEqualTo(naiveFirstTrigger(m));
    }

    @Provide
    Arbitrary<String> lines() {
        // Trigger words (in mixed case, also cut short) among the anchor letters' false alarms
        // (j, q, c, k, b, z), separators and multi-byte characters, at every alignment.
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.of(TRIGGERS).map(BuiltinRulesTest::mixCase),
                Arbitraries.of(TRIGGERS).map(t -> t.substring(0, t.length() - 1)),
                Arbitraries.strings().withChars("abcjkpqzAZ_-:= é🔑x").ofMaxLength(9));
        return piece.list().ofMaxSize(12).map(l -> String.join("", l));
    }

    private static String mixCase(String s) {
        StringBuilder sb = new StringBuilder(s);
        for (int i = 0; i < sb.length(); i += 2) {
            sb.setCharAt(i, Character.toUpperCase(sb.charAt(i)));
        }
        return sb.toString();
    }

    private static int naiveFirstTrigger(byte[] m) {
        String lower = new String(m, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int first = -1;
        for (String t : TRIGGERS) {
            int i = lower.indexOf(t);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        return first;
    }

    @Property(tries = 500)
    void redact_secretInAnyForm_valueGoneKeyKept(
            @ForAll("keys") String key,
            @ForAll("forms") String form,
            @ForAll("secrets") String secret,
            @ForAll("filler") String before,
            @ForAll("filler") String after) {
        String line = before + form.replace("K", key).replace("V", secret) + after;
        String out = redact(line);
        assertThat(out).doesNotContain(secret);
        if (form.contains("K")) {
            assertThat(out).contains(key);
        }
    }

    @Provide
    Arbitrary<String> keys() {
        Arbitrary<String> word = Arbitraries.of(
                "password", "passwd", "secret", "token", "api_key", "api-key", "apikey", "authorization");
        Arbitrary<String> affix = Arbitraries.strings().withChars("abz_.-09").ofMaxLength(6);
        return net.jqwik.api.Combinators.combine(affix, word.map(BuiltinRulesTest::mixCase), affix)
                .as((a, w, b) -> a + w + b);
    }

    @Provide
    Arbitrary<String> forms() {
        return Arbitraries.of(
                "K=V",
                "?K=V&x=1",
                "K=\"V more\"",
                "K='V more'",
                "{\"K\": \"V\"}",
                "{\"K\":V,\"n\":1}",
                "{\"K\"=>\"V\"}",
                "{\"K\" => V}",
                "Parameters: {\"K\"=>\"V\"}",
                "Parameters: {K: \"V\"}",
                "K=Bearer V",
                "Bearer V",
                "Authorization: Basic V",
                "Authorization: V");
    }

    @Provide
    Arbitrary<String> secrets() {
        return Arbitraries.strings()
                .alpha()
                .numeric()
                .ofMinLength(8)
                .ofMaxLength(20)
                .map(s -> "S3cr" + s);
    }

    @Provide
    Arbitrary<String> filler() {
        return Arbitraries.strings()
                .withChars("ab =&,;:{}[]\"é")
                .ofMaxLength(12)
                .map(s -> s.isEmpty() ? s : s + " ");
    }

    @Test
    void redact_alreadyRedactedLine_unchanged() {
        byte[] line = "login password=[FILTERED] {\"token\": \"[FILTERED]\"} Authorization: [FILTERED]"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(BuiltinRules.redact(line)).isNull();
    }

    @Test
    void redact_keyWithLongAffixes_boundedAndStillFound() {
        String prefix = "k".repeat(BuiltinRules.MAX_KEY_AFFIX);
        String within = prefix + "_password" + "x".repeat(BuiltinRules.MAX_KEY_AFFIX - 1) + "=v1";
        String beyond = "a_password" + "x".repeat(BuiltinRules.MAX_KEY_AFFIX + 1) + "=v2";
        assertThat(redact(within)).endsWith("=[FILTERED]");
        // Past the bound the key is not recognised: the look around a key word stays bounded.
        assertThat(redact(beyond)).isEqualTo(beyond);
    }

    @Test
    void redact_quotedKeyWithSpacesAndArrow_valueFiltered() {
        assertThat(redact("{\"user[password]\" =>  'x', \"Secret\" :\ttrue}"))
                .isEqualTo("{\"user[password]\" =>  \"[FILTERED]\", \"Secret\" :\t\"[FILTERED]\"}");
    }

    @Test
    void redact_unterminatedValues_filteredToTheEnd() {
        assertThat(redact("x password=\"abc def")).isEqualTo("x password=[FILTERED]");
        assertThat(redact("{\"token\": \"abc")).isEqualTo("{\"token\": \"[FILTERED]\"");
    }

    @Test
    void redact_bearerInsideWord_notAScheme() {
        assertThat(redact("xbearer abc")).isEqualTo("xbearer abc");
        assertThat(redact("Proxy-Authorization: Basic abc")).isEqualTo("Proxy-Authorization: [FILTERED]");
    }

    @Test
    void redact_manyKeysInALongLine_everyValueFiltered() {
        StringBuilder in = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            in.append("k").append(i).append("_token=v").append(i).append("&");
            expected.append("k").append(i).append("_token=[FILTERED]&");
        }
        assertThat(redact(in.toString())).isEqualTo(expected.toString());
    }

    private static String redact(String s) {
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = BuiltinRules.redact(in);
        return new String(out == null ? in : out, StandardCharsets.UTF_8);
    }
}
