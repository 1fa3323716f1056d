package io.spillway.node;

import io.spillway.buffer.FairBufferConfig;
import io.spillway.metrics.Metrics;
import io.spillway.output.file.FileOutput;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceConfig;
import io.spillway.space.SpaceWriter;
import io.spillway.store.StoreOutput;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file writer a node registers with its space accountant, with its directory, floor and the
 * floor's key: one place, so that {@code run} and {@code config check} see the same floors. A floor's
 * key is named as the config file wrote it, former spellings included.
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

    static SpaceWriter file(SpaceAccountant a, NodeConfig c, Path dataDir) {
        return a.register(
                "file",
                "file",
                c.outputs().file().resolveDir(dataDir),
                c.outputs().file().minFreeSpace(),
                FileOutput.MIN_FREE_SPACE_KEY,
                false);
    }

    static SpaceWriter store(SpaceAccountant a, NodeConfig c, Path dataDir) {
        return a.register(
                "store",
                "store",
                c.outputs().store().resolveDir(dataDir),
                c.outputs().store().minFreeSpace(),
                StoreOutput.MIN_FREE_SPACE_KEY,
                false);
    }

    static SpaceWriter tailCheckpoint(SpaceAccountant a, NodeConfig c, Path dataDir) {
        Path checkpoint = c.inputs().tail().checkpointFile(dataDir).toAbsolutePath();
        Path dir = checkpoint.getParent() == null ? dataDir : checkpoint.getParent();
        return a.register(
                "tail_checkpoint",
                "tail",
                dir,
                c.space().minFreeSpace(),
                key(c, SpaceConfig.MIN_FREE_SPACE_KEY),
                false);
    }

    /** The forward input's state directory (its partial-message journal). */
    static Path forwardDir(Path dataDir) {
        return dataDir.resolve("forward");
    }

    static SpaceWriter forwardPartials(SpaceAccountant a, NodeConfig c, Path dataDir) {
        return a.register(
                "forward_partials",
                "forward",
                forwardDir(dataDir),
                c.space().minFreeSpace(),
                key(c, SpaceConfig.MIN_FREE_SPACE_KEY),
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
        if (c.outputs().file().enabled()) {
            buffer(a, c, dataDir, "file");
            file(a, c, dataDir);
        }
        if (c.outputs().store().enabled()) {
            buffer(a, c, dataDir, "store");
            store(a, c, dataDir);
        }
        if (c.inputs().tail().enabled()) {
            tailCheckpoint(a, c, dataDir);
        }
        if (c.inputs().forward().enabled() && c.inputs().forward().partial().join()) {
            forwardPartials(a, c, dataDir);
        }
        return a.problems();
    }
}
