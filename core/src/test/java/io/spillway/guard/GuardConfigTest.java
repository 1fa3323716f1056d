package io.spillway.guard;

import static io.spillway.guard.Fakes.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigException;
import io.spillway.config.DataSize;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GuardConfigTest {

    @Test
    void bind_emptyDocument_givesDocumentedDefaults() throws Exception {
        GuardConfig c = config("");
        assertThat(c).isEqualTo(GuardConfig.defaults());
        assertThat(c.truncate().enabled()).isTrue();
        assertThat(c.truncate().maxMessage()).isEqualTo(DataSize.ofKiB(16));
        assertThat(c.redact().enabled()).isTrue();
        assertThat(c.redact().builtin()).isTrue();
        assertThat(c.redact().rules()).isEmpty();
        assertThat(c.rateLimit().enabled()).isTrue();
        assertThat(c.rateLimit().bytesPerSecond()).isEqualTo(DataSize.ofMiB(1));
        assertThat(c.rateLimit().linesPerSecond()).isEqualTo(5000);
        assertThat(c.rateLimit().burst()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.markers().enabled()).isTrue();
        assertThat(c.markers().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.maxApps()).isEqualTo(10_000);
        assertThat(c.apps()).isEmpty();
    }

    @Test
    void settingsFor_partialOverride_keepsGlobalValuesOfKeysNotSet() throws Exception {
        GuardConfig c = config("""
                rate_limit: {bytes_per_second: 2MiB, lines_per_second: 100}
                apps:
                  web-*: {rate_limit: {bytes_per_second: 64KiB}}
                """);
        RateLimitConfig web = c.settingsFor("web-1").rateLimit();
        assertThat(web.bytesPerSecond()).isEqualTo(DataSize.ofKiB(64));
        assertThat(web.linesPerSecond()).isEqualTo(100);
        assertThat(c.settingsFor("api").rateLimit().bytesPerSecond()).isEqualTo(DataSize.ofMiB(2));
    }

    @Test
    void settingsFor_severalGlobsMatch_firstInFileOrderWins() throws Exception {
        GuardConfig c = config("""
                apps:
                  web-admin: {truncate: {max_message: 1KiB}}
                  web-*: {truncate: {max_message: 2KiB}}
                  "*": {truncate: {max_message: 3KiB}}
                """);
        assertThat(c.settingsFor("web-admin").truncate().maxMessage()).isEqualTo(DataSize.ofKiB(1));
        assertThat(c.settingsFor("web-shop").truncate().maxMessage()).isEqualTo(DataSize.ofKiB(2));
        assertThat(c.settingsFor("api").truncate().maxMessage()).isEqualTo(DataSize.ofKiB(3));
    }

    @Test
    void bind_badOverrideValue_namesItsFullPath() throws Exception {
        assertThatThrownBy(() -> config("""
                        apps:
                          web-*: {truncate: {max_message: 10B}}
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("apps.web-*.truncate.max_message");
    }

    @Test
    void bind_globWithSlash_isRejected() throws Exception {
        assertThatThrownBy(() -> config("apps: {\"web/1\": {}}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("apps.web/1");
    }

    @Test
    void bind_unknownKey_isRejectedWithKnownKeys() throws Exception {
        assertThatThrownBy(() -> config("rate_limit: {bytes_per_sec: 1MiB}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rate_limit.bytes_per_sec")
                .hasMessageContaining("bytes_per_second");
    }

    @Test
    void bind_badRedactRegex_isRejectedAtLoad() throws Exception {
        assertThatThrownBy(() -> config("redact: {rules: [{match: \"(unclosed\", regex: true}]}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("redact.rules[0].match");
    }

    @Test
    void bind_rateTimesBurstTooLarge_isRejected() throws Exception {
        assertThatThrownBy(() -> config("rate_limit: {bytes_per_second: 1GiB, burst: 1h}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rate_limit.bytes_per_second");
    }

    @Test
    void bind_exampleFromDocs_bindsAsDescribed() throws Exception {
        GuardConfig c = config("""
                rate_limit: {bytes_per_second: 1MiB, lines_per_second: 5000, burst: 10s}
                apps:
                  billing:
                    rate_limit: {enabled: false}
                  web-*:
                    truncate: {max_message: 4KiB}
                    rate_limit: {bytes_per_second: 256KiB}
                  debug-*:
                    redact:
                      builtin: false
                      rules: [{match: "session=[0-9a-f]+", regex: true, replace: "session=…"}]
                  "*-worker": {repeat: {enabled: true}}
                """);
        assertThat(c.settingsFor("billing").rateLimit().enabled()).isFalse();
        assertThat(c.settingsFor("web-1").rateLimit().linesPerSecond()).isEqualTo(5000);
        assertThat(c.settingsFor("web-1").truncate().maxMessage()).isEqualTo(DataSize.ofKiB(4));
        assertThat(c.settingsFor("debug-1").redact().builtin()).isFalse();
        assertThat(c.settingsFor("debug-1").redact().rules()).hasSize(1);
        assertThat(c.settingsFor("mail-worker").repeat().enabled()).isTrue();
        assertThat(c.settingsFor("api").repeat().enabled()).isFalse();
    }
}
