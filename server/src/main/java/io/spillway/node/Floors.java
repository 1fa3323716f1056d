package io.spillway.node;

import io.spillway.buffer.FairBufferConfig;
import io.spillway.metrics.Metrics;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceConfig;
import io.spillway.space.SpaceWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The file writers a node registers with its space accountant itself (tokens, incidents, one buffer
 * per output), with their directories, floors and the floors' keys; the components' own writers are
 * their specs' {@link io.spillway.component.ComponentSpec#diskUses disk uses}. {@code run} and {@code
 * config check} see the same floors: {@link #problems} registers both. A floor's key is named as the
 * config file wrote it, former spellings included ({@link NodeConfig#writtenKeys()}).
 */
final class Floors {
    private Floors() {}

    private static String key(NodeConfig c, String key) {
        return c.writtenKeys().of(key);
    }

    static SpaceWriter tokens(SpaceAccountant a, NodeConfig c, Path dataDir) {
        return a.register(
                "tokens", "tokens", dataDir, c.space().minFreeSpace(), key(c, SpaceConfig.MIN_FREE_SPACE_KEY), false);
    }

    static SpaceWriter incidents(SpaceAccountant a, NodeConfig c, Path dataDir) {
        return a.register(
                "incidents",
                "incidents",
                c.alert().resolveStoreDir(dataDir),
                c.alert().minFreeSpace(),
                "alert.min_free_space",
                true);
    }

    static Path bufferDir(Path dataDir, String output) {
        return dataDir.resolve("buffer").resolve(output);
    }

    static SpaceWriter buffer(SpaceAccountant a, NodeConfig c, Path dataDir, String output) {
        return a.register(
                "buffer",
                output,
                bufferDir(dataDir, output),
                c.buffer().minFreeSpace(),
                key(c, FairBufferConfig.MIN_FREE_SPACE_KEY),
                false);
    }

    /** The floors that cannot work on this machine's filesystems, as a node of {@code c} would register them. */
    static List<String> problems(NodeConfig c) {
        Path dataDir = c.dataDir().toAbsolutePath().normalize();
        SpaceAccountant a = SpaceAccountant.system(
                new SpaceConfig(
                        java.time.Duration.ZERO,
                        c.space().minFreeSpace(),
                        c.space().clearAfter()),
                new Metrics());
        tokens(a, c, dataDir);
        incidents(a, c, dataDir);
        for (Components.Named<io.spillway.component.OutputSpec> o : Components.outputs(c.outputs())) {
            if (o.spec().enabled()) {
                buffer(a, c, dataDir, o.key());
            }
        }
        for (io.spillway.component.DiskUse u : Components.diskUses(c, dataDir)) {
            a.register(u.kind(), u.name(), u.dir(), u.floor(), key(c, u.floorKey()), false);
        }
        return a.problems();
    }
}
