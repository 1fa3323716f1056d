package io.spillway.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ConfigMaskTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mask_secretLookingKeysUrlsAndTokens_hidden() throws Exception {
        JsonNode in = JSON.readTree("""
                {"alert": {"targets": {"ops": {"webhook": {"url": "https://hooks.example/x", "secret": "abc",
                  "headers": {"Authorization": "Bearer xyz"}}},
                  "mail": {"smtp": {"url": "smtp://u:p4ss@mail:25", "password": "pw", "max_key_length": 7,
                  "api_key": "", "note": "spw_0123456789"}}}}}
                """);
        String out = JSON.writeValueAsString(ConfigMask.mask(in));
        assertThat(out)
                .doesNotContain("abc")
                .doesNotContain("xyz")
                .doesNotContain("p4ss")
                .doesNotContain("\"pw\"");
        assertThat(out).doesNotContain("spw_0123456789").doesNotContain("hooks.example");
        // Numbers under a key-like name and empty values stay as they are: nothing to hide.
        assertThat(out).contains("\"max_key_length\":7").contains("\"api_key\":\"\"");
        assertThat(out).contains("smtp://u:***@mail:25");
    }

    @Test
    void mask_modesAndEnvironmentVariableNames_shownAsTheyAre() throws Exception {
        JsonNode in = JSON.readTree("""
                {"http": {"ingest_auth": "token"},
                 "alert": {"targets": {"ops": {"secret_env": "HOOK_SECRET", "password_env": "SMTP_PW",
                   "secret": "s3cr3t-value"}}}}
                """);
        String out = JSON.writeValueAsString(ConfigMask.mask(in));
        assertThat(out)
                .contains("\"ingest_auth\":\"token\"")
                .contains("\"secret_env\":\"HOOK_SECRET\"")
                .contains("\"password_env\":\"SMTP_PW\"")
                .doesNotContain("s3cr3t-value");
    }

    @Test
    void esc_everyMarkupCharacter_escaped() {
        assertThat(Html.esc("<a href=\"x\" title='y'>&</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
        assertThat(Html.esc("plain")).isEqualTo("plain");
        assertThat(Html.seg("a b/c")).isEqualTo("a%20b%2Fc");
    }
}
