package io.spillway.output.file;

import io.spillway.component.BuildContext;
import io.spillway.component.DiskUse;
import io.spillway.component.OutputSpec;
import io.spillway.config.Check;
import io.spillway.config.DataSize;
import io.spillway.pipeline.Output;
import io.spillway.space.SpaceFloor;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of the file output: one log file per app, rotated by size and capped in total.
 *
 * <p>Keys and defaults:
 *
 * <ul>
 *   <li>{@code enabled: true} — whether the node starts this output.
 *   <li>{@code dir: ""} — the directory holding the files; empty means {@code <data_dir>/files}, and a
 *       relative path is relative to {@code data_dir} (see {@link #resolveDir}). Created if missing.
 *   <li>{@code format: text} — {@code text}: one greppable line per record,
 *       {@code 2015-07-29T03:00:00.003000Z host source[stream] severity: message}; {@code json}: one
 *       JSON object per line. See {@code docs/outputs/file.md}.
 *   <li>{@code max_file_size: 64MiB} — an app's live file {@code <app>.log} is rotated before a line
 *       would take it past this size; at least 4KiB. A single line longer than this is cut to fit
 *       (and counted), so no file ever exceeds it.
 *   <li>{@code max_files: 5} — files kept per app, counting the live file: {@code <app>.log},
 *       {@code <app>.log.1} … {@code <app>.log.4}; the oldest is deleted on rotation. At least 1 (with
 *       1, rotation deletes the live file and starts a new one); at most 1000.
 *   <li>{@code max_total: 1GiB} — bytes of all apps' files in {@code dir} together; at least
 *       {@code max_file_size}. Before a line would exceed it, the oldest files of the app holding the
 *       most bytes are deleted first (heaviest first), so a noisy app cannot delete a quieter app's
 *       files while it holds more than that app.
 *   <li>{@code max_open_files: 256} — open file handles at most; the least recently written app's
 *       file is closed first. Between 1 and 65536.
 *   <li>{@code min_free_space: min(5%, 256MiB)} — the free-space floor (DESIGN.md G4): 5% of the
 *       filesystem holding {@code dir} or 256 MiB, whichever is smaller (also written as a size,
 *       {@code 1GiB}, or a percentage, {@code 5%}). No write takes the free space for unprivileged
 *       users below it, whatever the caps above allow: every write reserves its bytes with the space
 *       accountant first. A refused batch fails {@code write} and is retried with backoff, so records
 *       wait in (and, if it fills, are shed by) the output's buffer; each episode logs one WARN naming
 *       this key and raises a {@code disk_floor} event. A floor as large as the filesystem is a
 *       start-up error. {@code 0} disables the floor.
 *   <li>{@code fsync_on_flush: false} — every {@code write} hands its lines to the operating system
 *       before returning (they survive a crash of the process); with {@code true}, each periodic
 *       flush also forces them, and the directory's creations, renames and deletions, to the disk
 *       (they survive a crash of the host), at a cost in IOPS.
 * </ul>
 */
public record FileOutputConfig(
        boolean enabled,
        String dir,
        Format format,
        DataSize maxFileSize,
        int maxFiles,
        DataSize maxTotal,
        int maxOpenFiles,
        SpaceFloor minFreeSpace,
        boolean fsyncOnFlush)
        implements OutputSpec {

    /** The smallest {@code max_file_size}: room for any record once cut (see {@link FileOutput}). */
    public static final DataSize MIN_FILE_SIZE = DataSize.ofKiB(4);

    /** Rotation renames every kept file; past a thousand that becomes a pause, not a feature. */
    public static final int MAX_FILES_LIMIT = 1000;

    public static final int MAX_OPEN_FILES_LIMIT = 65536;

    /** How each record is written. */
    public enum Format {
        /** {@code 2015-07-29T03:00:00.003000Z host source[stream] severity: message}. */
        TEXT,
        /** One JSON object per line with every field of the record. */
        JSON
    }

    public FileOutputConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(maxFileSize, "max_file_size");
        Objects.requireNonNull(maxTotal, "max_total");
        Objects.requireNonNull(minFreeSpace, "min_free_space");
        Check.atLeast(maxFileSize, MIN_FILE_SIZE, "max_file_size");
        Check.between(maxFiles, 1, MAX_FILES_LIMIT, "max_files");
        Check.require(
                maxTotal.compareTo(maxFileSize) >= 0,
                "max_total",
                "must be at least max_file_size (" + maxFileSize + "), got " + maxTotal);
        Check.between(maxOpenFiles, 1, MAX_OPEN_FILES_LIMIT, "max_open_files");
        Check.require(dir.indexOf('\0') < 0, "dir", "must not contain a NUL character");
    }

    public static FileOutputConfig defaults() {
        return new FileOutputConfig(
                true, "", Format.TEXT, DataSize.ofMiB(64), 5, DataSize.ofGiB(1), 256, SpaceFloor.DEFAULT, false);
    }

    /** The directory to write to: {@code dir} resolved against the node's data directory. */
    public Path resolveDir(Path dataDir) {
        return dir.isEmpty() ? dataDir.resolve("files") : dataDir.resolve(dir);
    }

    /** The app files, under {@code min_free_space}. */
    @Override
    public java.util.List<DiskUse> diskUses(Path dataDir, SpaceFloor spaceFloor) {
        return java.util.List.of(
                new DiskUse("file", "file", resolveDir(dataDir), minFreeSpace(), FileOutput.MIN_FREE_SPACE_KEY));
    }

    @Override
    public Output build(String name, BuildContext ctx) {
        return new FileOutput(name, this, resolveDir(ctx.dataDir()), ctx.metrics(), ctx.space("file"));
    }
}
