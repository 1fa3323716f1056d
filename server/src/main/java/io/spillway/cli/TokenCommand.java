package io.spillway.cli;

import io.spillway.clock.SystemClock;
import io.spillway.config.ConfigException;
import io.spillway.server.auth.Scope;
import io.spillway.server.auth.TokenInfo;
import io.spillway.server.auth.TokenStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spillway token create|list|revoke}: edit {@code <data_dir>/tokens.json} directly, under its
 * lock. A running node picks the change up on its next request (see {@link TokenStore}), so these work
 * the same whether the node runs or not.
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = {
            "Manage the API's bearer tokens in <data_dir>/tokens.json.",
            "This works while the node runs: the server sees a new or revoked token on its next request. See"
                    + " docs/tokens.md."
        },
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand {
    /**
     * The data dir's token store, or null after printing why not: the configuration's problems, or,
     * when {@code mustExist}, a data dir that is not there (listing or revoking in a mistyped
     * directory must not look like "no tokens").
     */
    static @Nullable TokenStore open(ConfigOptions options, PrintWriter err, boolean mustExist) {
        try {
            java.nio.file.Path dataDir = options.load().dataDir();
            if (mustExist && !java.nio.file.Files.isDirectory(dataDir)) {
                err.println("spillway: no data directory at " + dataDir.toAbsolutePath()
                        + " (the data_dir key, or --data-dir): point it at the directory Spillway runs with");
                err.flush();
                return null;
            }
            return TokenStore.inDataDir(dataDir, SystemClock.instantSource());
        } catch (ConfigException e) {
            err.println("spillway: the configuration has problems:");
            e.problems().forEach(p -> err.println("  " + p));
            err.flush();
            return null;
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Create a token and print it, alone on stdout, so TOKEN=$(spillway token create ...) works.",
                "It is shown this once: only its hash is stored."
            })
    static final class Create implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigOptions options = new ConfigOptions();

        static final class Which {
            @Option(names = "--app", paramLabel = "APP", description = "A token that reads this app's logs only.")
            @Nullable
            String app;

            @Option(names = "--admin", description = "A token that reads every app.")
            boolean admin;
        }

        @ArgGroup(multiplicity = "1")
        Which which = new Which();

        @Option(names = "--name", paramLabel = "LABEL", description = "A label to recognise it by in 'token list'.")
        @Nullable
        String name;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Scope scope;
            try {
                scope = which.admin ? Scope.ADMIN : Scope.app(java.util.Objects.requireNonNull(which.app));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--app: " + e.getMessage());
            }
            TokenStore store = open(options, err, false);
            if (store == null) {
                return 2;
            }
            TokenStore.Issued t;
            try {
                t = store.create(scope, name);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            out.println(t.secret());
            out.flush();
            err.println("created token " + t.info().id() + " (" + t.info().scope() + ", \""
                    + t.info().name() + "\") in " + store.file() + "; it is shown only this once");
            err.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigOptions options = new ConfigOptions();

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            TokenStore store = open(options, spec.commandLine().getErr(), true);
            if (store == null) {
                return 2;
            }
            List<TokenInfo> tokens = store.list();
            out.printf(Locale.ROOT, "%-10s  %-20s  %-20s  %s%n", "ID", "SCOPE", "CREATED", "NAME");
            for (TokenInfo t : tokens) {
                out.printf(
                        Locale.ROOT,
                        "%-10s  %-20s  %-20s  %s%n",
                        t.id(),
                        t.scope(),
                        t.created().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                        t.name());
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description =
                    "Revoke a token by its ID (from 'token list'). A running node refuses it from its next request.")
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigOptions options = new ConfigOptions();

        @Parameters(paramLabel = "ID", description = "The token's ID.")
        String id;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            TokenStore store = open(options, err, true);
            if (store == null) {
                return 2;
            }
            if (store.revoke(id)) {
                spec.commandLine().getOut().println("revoked " + id);
                return 0;
            }
            err.println("spillway: no token with ID " + id + " (see 'spillway token list')");
            return 1;
        }
    }
}
