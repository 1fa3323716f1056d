package io.spillway.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.lists;

import io.spillway.Theories;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class BuiltinRulesTest {
    private static final List<String> TRIGGERS = List.of(
            "passw", "secret", "token", "api_key", "apikey", "api-key", "authorization", "bearer", "parameters:");

    @Test
    void firstTrigger_anyLine_equalsNaiveSearch() {
        Theories.qt(500).forAll(lines()).checkAssert(line -> {
            byte[] m = line.getBytes(StandardCharsets.UTF_8);
            assertThat(BuiltinRules.firstTrigger(m)).isEqualTo(naiveFirstTrigger(m));
        });
    }

    static Gen<String> lines() {
        // Trigger words (in mixed case, also cut short) among the anchor letters' false alarms
        // (j, q, c, k, b, z), separators and multi-byte characters, at every alignment.
        Gen<String> piece = Generate.oneOf(
                Generate.pick(TRIGGERS).map(BuiltinRulesTest::mixCase),
                Generate.pick(TRIGGERS).map(t -> t.substring(0, t.length() - 1)),
                stringsOf("abcjkpqzAZ_-:= é🔑x", 9));
        return lists().of(piece).ofSizeBetween(0, 12).map(l -> String.join("", l));
    }

    /**
     * Strings of up to {@code maxLength} pieces, each one UTF-16 unit of {@code alphabet} (so a
     * character outside the BMP also comes as a lone surrogate) or one of its code points whole.
     */
    static Gen<String> stringsOf(String alphabet, int maxLength) {
        List<String> pieces = new ArrayList<>();
        alphabet.chars().forEach(c -> pieces.add(String.valueOf((char) c)));
        alphabet.codePoints()
                .filter(Character::isSupplementaryCodePoint)
                .forEach(c -> pieces.add(Character.toString(c)));
        return lists().of(Generate.pick(pieces)).ofSizeBetween(0, maxLength).map(l -> String.join("", l));
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

    /** A secret in one of the forms, between two fillers. */
    record Secret(String key, String form, String secret, String before, String after) {}

    @Test
    void redact_secretInAnyForm_valueGoneKeyKept() {
        Theories.qt(500)
                .forAll(keys().zip(forms(), secrets(), filler(), filler(), Secret::new))
                .checkAssert(s -> valueGoneKeyKept(s.key(), s.form(), s.secret(), s.before(), s.after()));
    }

    private static void valueGoneKeyKept(String key, String form, String secret, String before, String after) {
        String line = before + form.replace("K", key).replace("V", secret) + after;
        String out = redact(line);
        assertThat(out).doesNotContain(secret);
        if (form.contains("K")) {
            assertThat(out).contains(key);
        }
    }

    static Gen<String> keys() {
        Gen<String> word = Generate.pick(
                List.of("password", "passwd", "secret", "token", "api_key", "api-key", "apikey", "authorization"));
        Gen<String> affix = stringsOf("abz_.-09", 6);
        return affix.zip(word.map(BuiltinRulesTest::mixCase), affix, (a, w, b) -> a + w + b);
    }

    static Gen<String> forms() {
        return Generate.pick(List.of(
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
                "Authorization: V"));
    }

    static Gen<String> secrets() {
        Gen<Character> alnum = Generate.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                .chars()
                .mapToObj(c -> (char) c)
                .toList());
        return lists().of(alnum).ofSizeBetween(8, 20).map(l -> {
            StringBuilder sb = new StringBuilder("S3cr");
            l.forEach(sb::append);
            return sb.toString();
        });
    }

    static Gen<String> filler() {
        return stringsOf("ab =&,;:{}[]\"é", 12).map(s -> s.isEmpty() ? s : s + " ");
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
