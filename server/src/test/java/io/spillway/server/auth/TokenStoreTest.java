package io.spillway.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path dir;

    TokenStore store() {
        return TokenStore.inDataDir(dir, InstantSource.fixed(NOW));
    }

    @Test
    void create_returnsPrefixedHighEntropySecret_andStoresOnlyItsHash() throws Exception {
        TokenStore.Issued t = store().create(Scope.app("web"), "ci");
        assertThat(t.secret()).startsWith("spw_").hasSize(4 + 43).matches("spw_[A-Za-z0-9_-]{43}");
        assertThat(t.info().scope()).isEqualTo(Scope.app("web"));
        assertThat(t.info().name()).isEqualTo("ci");
        assertThat(t.info().created()).isEqualTo(NOW);
        String file = Files.readString(dir.resolve("tokens.json"));
        assertThat(file)
                .doesNotContain(t.secret())
                .doesNotContain(t.secret().substring(4))
                .contains(HexFormat.of().formatHex(TokenStore.sha256(t.secret())))
                .contains("\"scope\" : \"app:web\"");
    }

    @Test
    void create_twice_givesDifferentSecretsAndIds() throws Exception {
        TokenStore s = store();
        TokenStore.Issued a = s.create(Scope.ADMIN, null);
        TokenStore.Issued b = s.create(Scope.ADMIN, null);
        assertThat(a.secret()).isNotEqualTo(b.secret());
        assertThat(a.info().id()).isNotEqualTo(b.info().id());
        assertThat(a.info().name()).isEqualTo("admin");
    }

    @Test
    void file_isOwnerOnly_andNoTemporaryFileRemains() throws Exception {
        store().create(Scope.ADMIN, null);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tokens.json"))))
                .isEqualTo("rw-------");
        assertThat(dir.resolve("tokens.json.tmp")).doesNotExist();
    }

    @Test
    void authenticate_exactSecretOnly() throws Exception {
        TokenStore s = store();
        TokenStore.Issued t = s.create(Scope.app("web"), null);
        assertThat(s.authenticate(t.secret())).contains(t.info());
        String last = t.secret().substring(t.secret().length() - 1);
        String flipped = t.secret().substring(0, t.secret().length() - 1) + (last.equals("A") ? "B" : "A");
        assertThat(s.authenticate(flipped)).isEmpty();
        assertThat(s.authenticate(t.secret() + "x")).isEmpty();
        assertThat(s.authenticate("")).isEmpty();
        assertThat(s.authenticate(null)).isEmpty();
        assertThat(s.authenticate("spw_" + "a".repeat(10_000))).isEmpty();
    }

    @Test
    void revoke_byAnotherInstance_takesEffectOnNextAuthenticate() throws Exception {
        TokenStore server = store();
        TokenStore cli = store();
        TokenStore.Issued t = cli.create(Scope.app("web"), null);
        assertThat(server.authenticate(t.secret())).isPresent();
        assertThat(cli.revoke(t.info().id())).isTrue();
        assertThat(server.authenticate(t.secret())).isEmpty();
        assertThat(cli.revoke(t.info().id())).isFalse();
        assertThat(server.list()).isEmpty();
    }

    @Test
    void createdByAnotherInstance_isAcceptedWithoutRestart() throws Exception {
        TokenStore server = store();
        assertThat(server.isEmpty()).isTrue();
        TokenStore.Issued t = store().create(Scope.ADMIN, null);
        assertThat(server.authenticate(t.secret())).contains(t.info());
    }

    @Test
    void corruptFile_authenticatesNobody_andIsNotOverwritten() throws Exception {
        TokenStore s = store();
        TokenStore.Issued t = s.create(Scope.ADMIN, null);
        Files.writeString(dir.resolve("tokens.json"), "{ not json");
        assertThat(s.authenticate(t.secret())).isEmpty();
        assertThatThrownBy(() -> s.create(Scope.ADMIN, null)).hasMessageContaining("not overwriting");
        assertThat(Files.readString(dir.resolve("tokens.json"))).isEqualTo("{ not json");
    }

    @Test
    void badNameOrScope_isRefusedWithReason() {
        assertThatThrownBy(() -> store().create(Scope.ADMIN, "a\nb")).hasMessageContaining("invalid token name");
        assertThatThrownBy(() -> Scope.app("../etc")).hasMessageContaining("invalid app name");
        assertThatThrownBy(() -> Scope.parse("root")).hasMessageContaining("expected admin or app:NAME");
        assertThat(Scope.parse("app:web")).isEqualTo(Scope.app("web"));
        assertThat(Scope.parse("admin").isAdmin()).isTrue();
    }

    @Test
    void scope_appReadsOnlyItsApp_adminReadsAll() {
        assertThat(Scope.app("web").canRead("web")).isTrue();
        assertThat(Scope.app("web").canRead("api")).isFalse();
        assertThat(Scope.ADMIN.canRead("anything")).isTrue();
    }

    @Test
    void firstStart_createsAdminTokenFileOwnerOnly_secondStartDoesNot() throws Exception {
        TokenStore s = store();
        String first = AdminToken.ensure(s, dir);
        assertThat(first).startsWith("spw_");
        Path file = dir.resolve("admin.token");
        assertThat(Files.readString(file)).isEqualTo(first + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(s.authenticate(first).orElseThrow().scope().isAdmin()).isTrue();
        assertThat(AdminToken.ensure(store(), dir)).isNull();
        assertThat(Files.readString(file)).isEqualTo(first + "\n");
        assertThat(store().list()).hasSize(1);
    }

    @Test
    void create_diskAtItsFloor_refusedWithoutWritingAnything() throws Exception {
        io.spillway.space.DiskSpace full = new io.spillway.space.DiskSpace() {
            @Override
            public long usableBytes() {
                return 1L << 20;
            }

            @Override
            public long totalBytes() {
                return 64L << 20;
            }
        };
        TokenStore s = new TokenStore(
                dir.resolve("tokens.json"),
                InstantSource.fixed(NOW),
                io.spillway.space.SpaceAccountant.standalone(
                        "tokens", dir, io.spillway.space.SpaceFloor.ofBytes(1L << 20), "space.floor", full));
        assertThatThrownBy(() -> s.create(Scope.ADMIN, null))
                .isInstanceOf(io.spillway.space.FloorException.class)
                .hasMessageContaining("space.floor");
        assertThat(dir.resolve("tokens.json")).doesNotExist();
    }
}
