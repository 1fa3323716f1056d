package io.spillway.cli;

import io.spillway.config.ConfigException;
import io.spillway.config.ListenAddress;
import io.spillway.node.NodeConfig;
import io.spillway.server.auth.AdminToken;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that say which running Spillway a command talks to, and with which token, shared by
 * the API commands ({@code logs}, {@code incidents}, {@code ack}, {@code resolve}).
 *
 * <p>Server: {@code --server}, else {@code SPILLWAY_URL}, else the configuration's {@code
 * http.listen} (a wildcard address becomes 127.0.0.1). Token: {@code --token}, else {@code
 * SPILLWAY_TOKEN}, else {@code <data_dir>/admin.token}. Each resolved value remembers where it came
 * from, so an error can say which one to fix.
 */
final class ApiOptions {
    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--server", paramLabel = "URL", description = "Spillway's base URL, e.g. http://127.0.0.1:8080.")
    @Nullable
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", description = "A bearer token (spw_...).")
    @Nullable
    String token;

    /** Where to connect and with which token, and where each came from. */
    record Target(URI base, String serverOrigin, String token, String tokenOrigin) {}

    Target resolve(Function<String, @Nullable String> env) throws LogClient.Failure {
        return resolve(server, token, env, config);
    }

    static Target resolve(
            @Nullable String server,
            @Nullable String token,
            Function<String, @Nullable String> env,
            ConfigOptions options)
            throws LogClient.Failure {
        NodeConfig config = null;
        String base;
        String serverOrigin;
        if (server != null) {
            base = server;
            serverOrigin = "from --server";
        } else if (env.apply("SPILLWAY_URL") != null) {
            base = env.apply("SPILLWAY_URL");
            serverOrigin = "from SPILLWAY_URL";
        } else {
            config = load(options);
            ListenAddress l = config.http().listen();
            String host = l.host().equals("0.0.0.0")
                            || l.host().equals("::")
                            || l.host().equals("[::]")
                    ? "127.0.0.1"
                    : l.host();
            base = "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + l.port();
            serverOrigin = "from the configuration's http.listen";
        }
        URI uri;
        try {
            uri = URI.create(base);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
        } catch (IllegalArgumentException e) {
            throw new LogClient.Failure(
                    "bad server URL \"" + base + "\" (" + serverOrigin + "): expected e.g. http://127.0.0.1:8080",
                    false);
        }
        String secret;
        String tokenOrigin;
        if (token != null) {
            secret = token;
            tokenOrigin = "from --token";
        } else if (env.apply("SPILLWAY_TOKEN") != null) {
            secret = env.apply("SPILLWAY_TOKEN");
            tokenOrigin = "from SPILLWAY_TOKEN";
        } else {
            if (config == null) {
                config = load(options);
            }
            Path file = config.dataDir().resolve(AdminToken.FILE_NAME);
            try {
                secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new LogClient.Failure(
                        "no token: pass --token TOKEN or set SPILLWAY_TOKEN, or run where the node's " + file
                                + " is readable (" + e.getClass().getSimpleName() + ")",
                        false);
            }
            tokenOrigin = "from " + file;
        }
        return new Target(uri, serverOrigin, secret, tokenOrigin);
    }

    private static NodeConfig load(ConfigOptions options) throws LogClient.Failure {
        try {
            return options.load();
        } catch (ConfigException e) {
            throw new LogClient.Failure("the configuration has problems: " + String.join("; ", e.problems()), false);
        }
    }
}
