package io.spillway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import io.spillway.Theories;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

class GlobTest {

    @Test
    void matches_wildcards_anchoredAndCaseSensitive() {
        assertThat(Glob.matches("web-?", "web-1")).isTrue();
        assertThat(Glob.matches("web-?", "web-12")).isFalse();
        assertThat(Glob.matches("*-worker", "mail-worker")).isTrue();
        assertThat(Glob.matches("a*b*c", "axxbyyc")).isTrue();
        assertThat(Glob.matches("a*b*c", "axxbyy")).isFalse();
        assertThat(Glob.matches("*", "")).isTrue();
        assertThat(Glob.matches("?", "")).isFalse();
        assertThat(Glob.matches("web", "web-1")).isFalse();
        assertThat(Glob.matches("web", "Web")).isFalse();
        assertThat(new Glob("node-*").matches("node-7")).isTrue();
        assertThat(new Glob("node-*")).hasToString("node-*");
    }

    @Test
    void validAppGlob_appNameCharactersAndWildcardsOnly() {
        assertThat(Glob.validAppGlob("web-*.v?_2")).isTrue();
        assertThat(Glob.validAppGlob("")).isFalse();
        assertThat(Glob.validAppGlob("web/1")).isFalse();
        assertThat(Glob.validAppGlob("web 1")).isFalse();
    }

    /** The matcher agrees with the obvious regex translation ({@code *} → {@code .*}, {@code ?} → {@code .}). */
    @Test
    void matches_agreesWithRegex() {
        Theories.qt(500)
                .forAll(
                        lists().of(Generate.pick(List.of("a", "b", "*", "?")))
                                .ofSizeBetween(0, 8)
                                .map(l -> String.join("", l)),
                        strings().betweenCodePoints('a', 'c').ofLengthBetween(0, 12))
                .checkAssert(GlobTest::agreesWithRegex);
    }

    private static void agreesWithRegex(String glob, String name) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        assertThat(Glob.matches(glob, name))
                .isEqualTo(Pattern.compile(regex.toString(), Pattern.DOTALL)
                        .matcher(name)
                        .matches());
    }
}
