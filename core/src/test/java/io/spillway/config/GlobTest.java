package io.spillway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

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
    @Property(tries = 500)
    void matches_agreesWithRegex(
            @ForAll @StringLength(max = 8) @Chars({'a', 'b', '*', '?'}) String glob,
            @ForAll @StringLength(max = 12) @CharRange(from = 'a', to = 'c') String name) {
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
