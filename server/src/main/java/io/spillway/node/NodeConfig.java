package io.spillway.node;

import io.spillway.alert.AlertConfig;
import io.spillway.buffer.FairBufferConfig;
import io.spillway.config.Check;
import io.spillway.config.NotAKey;
import io.spillway.config.WrittenKeys;
import io.spillway.diskguard.DiskGuardConfig;
import io.spillway.guard.GuardConfig;
import io.spillway.pipeline.LimitsConfig;
import io.spillway.pipeline.WatchConfig;
import io.spillway.server.HttpConfig;
import io.spillway.space.SpaceConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The whole configuration file. Every key has a default, so {@code spillway run} needs no file.
 *
 * @param host the name of this host in records and events; empty means the machine's host name
 * @param dataDir where Spillway keeps its files (default {@code ./data}; {@code --data-dir} overrides)
 * @param shutdownDrain how long a stop (SIGTERM) may spend delivering what is buffered (default 10s)
 * @param limits process-wide bounds shared by every input: {@code limits.inflight_memory} (docs/limits.md)
 * @param http the HTTP listener
 * @param inputs the inputs, each under its protocol's name
 * @param guard truncate, redact, rate limit and drop markers, globally and per app (docs/guard.md)
 * @param buffer the fair buffer each output gets, with these budgets (docs/buffer.md)
 * @param outputs the outputs, each under its destination's name
 * @param diskGuard watermarks on the runtime's and Spillway's filesystems (docs/disk-guard.md)
 * @param alert incidents, escalation policies, notification targets, self-tests and the outbound
 *     heartbeat (docs/incidents.md, docs/notifiers.md)
 * @param watch when the pipeline's own trouble (an app dropping, an output down, an input error
 *     storm) becomes an event and so an incident (docs/incidents.md)
 * @param space the space accountant every written file reserves its bytes through, and the floor of
 *     the small files without a floor key of their own (docs/configuration.md)
 * @param writtenKeys not a key: which keys the file wrote in a former spelling, so that messages name
 *     them as written; set by {@link ConfigLoader}, none in {@link #defaults()}
 */
public record NodeConfig(
        String host,
        Path dataDir,
        Duration shutdownDrain,
        LimitsConfig limits,
        HttpConfig http,
        InputsConfig inputs,
        GuardConfig guard,
        FairBufferConfig buffer,
        OutputsConfig outputs,
        DiskGuardConfig diskGuard,
        AlertConfig alert,
        WatchConfig watch,
        SpaceConfig space,
        @NotAKey WrittenKeys writtenKeys) {
    public NodeConfig {
        Check.require(!shutdownDrain.isNegative(), "shutdown_drain", "cannot be negative");
    }

    public static NodeConfig defaults() {
        return new NodeConfig(
                "",
                Path.of("data"),
                Duration.ofSeconds(10),
                LimitsConfig.defaults(),
                HttpConfig.defaults(),
                InputsConfig.defaults(),
                GuardConfig.defaults(),
                FairBufferConfig.defaults(),
                OutputsConfig.defaults(),
                DiskGuardConfig.defaults(),
                AlertConfig.defaults(),
                WatchConfig.defaults(),
                SpaceConfig.defaults(),
                WrittenKeys.CURRENT);
    }

    public NodeConfig withDataDir(Path dir) {
        return with(dir, writtenKeys);
    }

    public NodeConfig withWrittenKeys(WrittenKeys keys) {
        return with(dataDir, keys);
    }

    private NodeConfig with(Path dir, WrittenKeys keys) {
        return new NodeConfig(
                host,
                dir,
                shutdownDrain,
                limits,
                http,
                inputs,
                guard,
                buffer,
                outputs,
                diskGuard,
                alert,
                watch,
                space,
                keys);
    }
}
