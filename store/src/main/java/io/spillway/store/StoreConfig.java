package io.spillway.store;

import io.spillway.component.BuildContext;
import io.spillway.component.DiskUse;
import io.spillway.component.OutputSpec;
import io.spillway.config.Check;
import io.spillway.config.DataSize;
import io.spillway.config.Durations;
import io.spillway.config.Glob;
import io.spillway.pipeline.Output;
import io.spillway.space.SpaceFloor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of the embedded store ({@code outputs.store} in the config file). See {@code
 * docs/outputs/store.md} for the design, retention semantics and crash safety.
 *
 * <p>Keys and defaults:
 *
 * <ul>
 *   <li>{@code enabled: true} — whether the node stores records (and serves them to queries).
 *   <li>{@code dir: ""} — the store's directory; empty means {@code <data_dir>/store}, and a relative
 *       path is relative to {@code data_dir}. One sub-directory per app.
 *   <li>{@code max_age: 7d} — retention by age: a sealed chunk whose last record was stored more than
 *       this long ago is deleted. At least {@code chunk_max_age}.
 *   <li>{@code max_total: 2GiB} — retention by bytes for the whole store (compressed chunks plus the
 *       apps' uncompressed active chunks). Past it, the app holding the most bytes loses its oldest
 *       chunk, again and again, so a noisy app's flood never evicts a quiet app's history while the
 *       noisy app holds more. At least 4 × {@code chunk_size}.
 *   <li>{@code max_per_app: 512MiB} — retention by bytes for any one app (a quarter of the default
 *       {@code max_total}): past it, that app loses its oldest chunk. At least 2 × {@code chunk_size}
 *       and at most {@code max_total}.
 *   <li>{@code apps: {}} — per-app overrides of {@code max_per_app}: a mapping from an app name or a
 *       glob ({@code *} any run of characters, {@code ?} one character) to a size, e.g. {@code
 *       {billing: 1GiB, "web-*": 64MiB}}; the first matching entry in file order wins. Each at least
 *       2 × {@code chunk_size}.
 *   <li>{@code chunk_size: 4MiB} — an app's active chunk (uncompressed, CRC-framed) is sealed into a
 *       zstd-compressed chunk once it holds this many bytes. Between 64KiB and 256MiB.
 *   <li>{@code chunk_max_age: 1h} — an active chunk is also sealed once its first record is this old,
 *       so a quiet app's records get compressed and age out. At least 1s.
 *   <li>{@code compression_level: 1} — zstd level for sealed chunks, 1 (fastest) to 19. Level 1 is the
 *       default: on log text it compresses as well as level 3, twice as fast, and decompresses faster.
 *   <li>{@code min_free_space: min(5%, 256MiB)} — the free-space floor (DESIGN.md G4): 5% of the
 *       filesystem holding {@code dir} or 256 MiB, whichever is smaller (also written as a size or a
 *       percentage alone). Every batch and every sealed chunk reserves its bytes with the space
 *       accountant before it is written, so none takes the free space below it: a refused batch fails
 *       {@code write} (records wait in the output's buffer; one WARN per episode naming this key, a
 *       {@code disk_floor} event), a refused seal is retried. A floor as large as the filesystem is a
 *       start-up error. {@code 0} disables the floor.
 *   <li>{@code fsync_on_flush: true} — each periodic flush forces written chunks to disk, so every
 *       record acknowledged before a host crash survives it. Records always reach the operating system
 *       before a batch is committed, so they survive a crash of the process either way.
 *   <li>{@code max_open_files: 256} — active chunks kept open at most; the least recently written
 *       app's is closed first (and reopened on its next record). Between 1 and 65536.
 *   <li>{@code query_timeout: 5s} — a query stops after this long and returns what it found with
 *       {@code stopped_early: time_budget} and a cursor to continue. Also bounds each regex match.
 *   <li>{@code query_max_scan: 1GiB} — a query stops once it has decompressed this many bytes
 *       ({@code stopped_early: byte_budget}). At least 1MiB.
 *   <li>{@code tail_queue: 10000} — records each live follower may have pending; past it the oldest
 *       are discarded and counted as missed. Between 1 and 1000000.
 *   <li>{@code max_followers: 256} — live followers at once; more are refused. At least 1.
 * </ul>
 */
public record StoreConfig(
        boolean enabled,
        String dir,
        Duration maxAge,
        DataSize maxTotal,
        DataSize maxPerApp,
        Map<String, DataSize> apps,
        DataSize chunkSize,
        Duration chunkMaxAge,
        int compressionLevel,
        SpaceFloor minFreeSpace,
        boolean fsyncOnFlush,
        int maxOpenFiles,
        Duration queryTimeout,
        DataSize queryMaxScan,
        int tailQueue,
        int maxFollowers)
        implements OutputSpec {

    public static final DataSize MIN_CHUNK_SIZE = DataSize.ofKiB(64);
    public static final DataSize MAX_CHUNK_SIZE = DataSize.ofMiB(256);

    public StoreConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(maxAge, "max_age");
        Objects.requireNonNull(maxTotal, "max_total");
        Objects.requireNonNull(maxPerApp, "max_per_app");
        Objects.requireNonNull(chunkSize, "chunk_size");
        Objects.requireNonNull(chunkMaxAge, "chunk_max_age");
        Objects.requireNonNull(minFreeSpace, "min_free_space");
        Objects.requireNonNull(queryTimeout, "query_timeout");
        Objects.requireNonNull(queryMaxScan, "query_max_scan");
        apps = Collections.unmodifiableMap(new LinkedHashMap<>(apps));
        Check.require(dir.indexOf('\0') < 0, "dir", "must not contain a NUL character");
        Check.atLeast(chunkSize, MIN_CHUNK_SIZE, "chunk_size");
        Check.require(
                chunkSize.compareTo(MAX_CHUNK_SIZE) <= 0,
                "chunk_size",
                "must be at most " + MAX_CHUNK_SIZE + ", got " + chunkSize);
        Check.require(
                chunkMaxAge.compareTo(Duration.ofSeconds(1)) >= 0,
                "chunk_max_age",
                "must be at least 1s, got " + Durations.format(chunkMaxAge));
        Check.require(
                maxAge.compareTo(chunkMaxAge) >= 0,
                "max_age",
                "must be at least chunk_max_age (" + Durations.format(chunkMaxAge) + "), got "
                        + Durations.format(maxAge));
        DataSize twoChunks = DataSize.ofBytes(chunkSize.bytes() * 2);
        Check.atLeast(maxTotal, DataSize.ofBytes(chunkSize.bytes() * 4), "max_total");
        Check.atLeast(maxPerApp, twoChunks, "max_per_app");
        Check.require(
                maxPerApp.compareTo(maxTotal) <= 0,
                "max_per_app",
                "must be at most max_total (" + maxTotal + "), got " + maxPerApp);
        for (Map.Entry<String, DataSize> e : apps.entrySet()) {
            Check.require(
                    Glob.validAppGlob(e.getKey()),
                    "apps." + e.getKey(),
                    "an app name or glob uses only A-Z a-z 0-9 . _ - * ?, got \"" + e.getKey() + "\"");
            Check.atLeast(Objects.requireNonNull(e.getValue()), twoChunks, "apps." + e.getKey());
        }
        Check.between(compressionLevel, 1, 19, "compression_level");
        Check.between(maxOpenFiles, 1, 65536, "max_open_files");
        Check.positive(queryTimeout, "query_timeout");
        Check.atLeast(queryMaxScan, DataSize.ofMiB(1), "query_max_scan");
        Check.between(tailQueue, 1, 1_000_000, "tail_queue");
        Check.atLeast(maxFollowers, 1, "max_followers");
    }

    public static StoreConfig defaults() {
        return new StoreConfig(
                true,
                "",
                Duration.ofDays(7),
                DataSize.ofGiB(2),
                DataSize.ofMiB(512),
                Map.of(),
                DataSize.ofMiB(4),
                Duration.ofHours(1),
                1,
                SpaceFloor.DEFAULT,
                true,
                256,
                Duration.ofSeconds(5),
                DataSize.ofGiB(1),
                10_000,
                256);
    }

    /** The store's directory: {@code dir} resolved against the node's data directory. */
    public Path resolveDir(Path dataDir) {
        return dir.isEmpty() ? dataDir.resolve("store") : dataDir.resolve(dir);
    }

    /** The byte cap of one app: the first matching {@code apps} entry, else {@code max_per_app}. */
    public long maxBytesFor(String app) {
        for (Map.Entry<String, DataSize> e : apps.entrySet()) {
            if (Glob.matches(e.getKey(), app)) {
                return e.getValue().bytes();
            }
        }
        return maxPerApp.bytes();
    }

    /** The chunks, under {@code min_free_space}. */
    @Override
    public java.util.List<DiskUse> diskUses(Path dataDir, SpaceFloor spaceFloor) {
        return java.util.List.of(
                new DiskUse("store", "store", resolveDir(dataDir), minFreeSpace(), StoreOutput.MIN_FREE_SPACE_KEY));
    }

    /** The store, which also offers itself ({@link StoreOutput#reader}) to the node's read API. */
    @Override
    public Output build(String name, BuildContext ctx) {
        StoreOutput out = new StoreOutput(
                name,
                this,
                resolveDir(ctx.dataDir()),
                ctx.metrics(),
                ctx.clock(),
                ctx.drops(),
                ctx.host(),
                ctx.space("store"));
        ctx.provide(StoreOutput.class, out);
        return out;
    }
}
