package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.server.auth.TokenStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void create_printsOnlyTheSecretOnStdout_listShowsNoSecret_revokeRemovesIt() {
        Run created = run("token", "create", "--app", "web", "--name", "ci deploy", "--data-dir", dir.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        String secret = created.out().strip();
        assertThat(secret).matches("spw_[A-Za-z0-9_-]{43}");
        assertThat(created.err()).contains("app:web").contains("shown only this once");
        TokenStore store = TokenStore.inDataDir(dir, InstantSource.system());
        assertThat(store.authenticate(secret)).isPresent();

        Run list = run("token", "list", "--data-dir", dir.toString());
        assertThat(list.out()).contains("app:web").contains("ci deploy").doesNotContain(secret.substring(4));
        String id = store.authenticate(secret).orElseThrow().id();
        assertThat(list.out()).contains(id);

        assertThat(run("token", "revoke", id, "--data-dir", dir.toString()).exit())
                .isZero();
        assertThat(store.authenticate(secret)).isEmpty();
        Run again = run("token", "revoke", id, "--data-dir", dir.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("no token with ID " + id);
    }

    @Test
    void create_admin_readsAll() {
        String secret = run("token", "create", "--admin", "--data-dir", dir.toString())
                .out()
                .strip();
        assertThat(TokenStore.inDataDir(dir, InstantSource.system())
                        .authenticate(secret)
                        .orElseThrow()
                        .scope()
                        .isAdmin())
                .isTrue();
    }

    @Test
    void create_needsExactlyOneOfAppOrAdmin_andAValidAppName() {
        assertThat(run("token", "create", "--data-dir", dir.toString()).exit()).isEqualTo(2);
        assertThat(run("token", "create", "--admin", "--app", "web", "--data-dir", dir.toString())
                        .exit())
                .isEqualTo(2);
        Run bad = run("token", "create", "--app", "../x", "--data-dir", dir.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("invalid app name");
    }

    @Test
    void listAndRevoke_missingDataDir_exitNonZeroNamingIt() {
        String missing = dir.resolve("nonexistent").toString();
        Run list = run("token", "list", "--data-dir", missing);
        assertThat(list.exit()).isNotZero();
        assertThat(list.out()).doesNotContain("ID");
        assertThat(list.err()).contains("no data directory at " + missing).contains("--data-dir");
        Run revoke = run("token", "revoke", "abc", "--data-dir", missing);
        assertThat(revoke.exit()).isNotZero();
        assertThat(revoke.err()).contains("no data directory at " + missing);
    }
}
