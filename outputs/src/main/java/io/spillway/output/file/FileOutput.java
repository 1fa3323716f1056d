package io.spillway.output.file;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.Output;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.space.DiskSpace;
import io.spillway.space.FloorException;
import io.spillway.space.Reservation;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each app's records to its own file, {@code <dir>/<app>.log}, rotated by size and capped in
 * count per app and in bytes for the whole directory (DESIGN.md G1). See {@code docs/outputs/file.md}
 * for the formats and {@link FileOutputConfig} for the keys.
 *
 * <p><b>Design.</b> {@link #write} groups the batch by app (keeping each app's order), encodes each
 * record as one line ({@link TextLineFormat} or {@link JsonLineFormat}) and hands it to the {@link
 * LogDirectory}, which rotates, deletes heaviest-first and appends. When {@code write} returns, every
 * line of the batch has been handed to the operating system, so it survives a crash of this process;
 * {@link #flush} additionally forces the files to disk when {@code fsync_on_flush} is set.
 *
 * <p><b>Bounds.</b> No file exceeds {@code max_file_size}: a record whose line would be longer is cut
 * to fit, its message ending in {@code [spillway: truncated N bytes]}, and counted in {@code
 * spillway_output_file_truncated_records}. No app keeps more than {@code max_files} files, the
 * directory's files never hold more than {@code max_total} bytes, and at most {@code max_open_files}
 * files are open. Files deleted to keep these bounds were already delivered, so they are not drops in
 * the sense of G3; each deletion is logged at INFO and counted in {@code
 * spillway_output_file_deleted_files} / {@code _bytes} by reason ({@code max_files}, {@code
 * max_total}).
 *
 * <p><b>Floor.</b> Every byte is reserved with the node's space accountant before it is written
 * (DESIGN.md G4), against {@code min_free_space}: a batch first reserves about its records' size, and
 * each write system call takes its length from that, reserving more if the lines came out longer. A
 * refused reservation makes {@code write} throw a {@link FloorException} naming the key and the
 * figures (counted in {@code spillway_output_file_below_floor}; the accountant logs a WARN once per
 * episode and raises a {@code disk_floor} event), so records wait in the buffer. The first
 * reservation is refused before anything of the batch is written; only a batch whose lines are much
 * longer than its records (heavy escaping) can be refused part-way, and is then written again whole
 * by the retry (at least once).
 *
 * <p><b>Failures.</b> If a file cannot be written (disk full, permissions, a directory in the way),
 * {@code write} throws the {@link IOException}; the output worker releases the batch and retries it
 * with backoff. Lines written before the failure are written again by the retry (at least once,
 * DESIGN.md §8). The accounting of the failing app is read again from disk before its next write, so
 * a partial write leaves no lasting error. The app name of each record is normalised again with
 * {@link AppNames#normalize}, so no record can name a path outside {@code dir}.
 *
 * <p><b>Threading.</b> Not thread-safe: called from its one output worker thread (see {@link
 * Output}). Metrics are safe to scrape concurrently.
 */
public final class FileOutput implements Output {
    private static final Logger log = LoggerFactory.getLogger(FileOutput.class);

    /** Host and source are cut to this many characters in the last-resort form of an oversized record. */
    private static final int LAST_RESORT_FIELD_CHARS = 128;

    /** The encoding buffer keeps this much between batches; a bigger line's buffer is let go. */
    private static final int LINE_CAPACITY = 64 * 1024;

    private final String name;
    private final FileOutputConfig config;
    private final Path dir;
    private final LineFormat format;
    private final LogDirectory directory;
    private final LineBuffer line = new LineBuffer(LINE_CAPACITY);
    private final long maxLine;
    private final SpaceWriter space;

    private final Counter deletedFiles;
    private final Counter deletedBytes;
    private final CounterDataPoint rotations;
    private final CounterDataPoint truncated;
    private final CounterDataPoint belowFloor;
    private final GaugeDataPoint diskBytes;
    private final GaugeDataPoint openFiles;
    private boolean started;
    private long truncatedCount;

    /**
     * @param name the output's name, used in metric labels and logs
     * @param config the output's keys; {@code config.dir()} is ignored in favour of {@code dir}
     * @param dir the directory to write to, already resolved by the node (see {@link
     *     FileOutputConfig#resolveDir})
     * @param metrics where the output's counters and gauges are registered
     */
    public FileOutput(String name, FileOutputConfig config, Path dir, Metrics metrics) {
        this(name, config, dir, metrics, (DiskSpace) null);
    }

    /** With a free-space probe of the caller's choosing (tests), measured before every reservation. */
    FileOutput(String name, FileOutputConfig config, Path dir, Metrics metrics, FreeSpace freeSpace) {
        this(name, config, dir, metrics, freeSpace.asDiskSpace(dir));
    }

    private FileOutput(String name, FileOutputConfig config, Path dir, Metrics metrics, @Nullable DiskSpace probe) {
        this(
                name,
                config,
                dir,
                metrics,
                SpaceAccountant.standalone("file", dir, config.minFreeSpace(), MIN_FREE_SPACE_KEY, probe));
    }

    /** The config key of the floor, named in refusals. */
    public static final String MIN_FREE_SPACE_KEY = "outputs.file.min_free_space";

    /**
     * @param space the writer every write reserves its bytes through, registered with the node's
     *     space accountant with {@code min_free_space} (see {@link #MIN_FREE_SPACE_KEY})
     */
    public FileOutput(String name, FileOutputConfig config, Path dir, Metrics metrics, SpaceWriter space) {
        this.name = name;
        this.space = space;
        this.config = config;
        this.dir = dir;
        this.format = LineFormat.of(config.format());
        this.maxLine = config.maxFileSize().bytes();
        this.deletedFiles = metrics.counter(
                "spillway_output_file_deleted_files",
                "Files the file output deleted to stay within max_files or max_total.",
                "output",
                "reason");
        this.deletedBytes = metrics.counter(
                "spillway_output_file_deleted_bytes",
                "Bytes of files the file output deleted to stay within max_files or max_total.",
                "output",
                "reason");
        this.rotations = metrics.counter("spillway_output_file_rotations", "Rotations of an app's live file.", "output")
                .labelValues(name);
        this.truncated = metrics.counter(
                        "spillway_output_file_truncated_records", "Records cut to fit max_file_size.", "output")
                .labelValues(name);
        this.belowFloor = metrics.counter(
                        "spillway_output_file_below_floor",
                        "Batches the file output refused because free space was below min_free_space.",
                        "output")
                .labelValues(name);
        this.diskBytes = metrics.gauge(
                        "spillway_output_file_bytes", "Bytes of all files in the file output's directory.", "output")
                .labelValues(name);
        this.openFiles = metrics.gauge("spillway_output_file_open_files", "Files the file output holds open.", "output")
                .labelValues(name);
        this.directory = new LogDirectory(
                dir,
                maxLine,
                config.maxFiles(),
                config.maxTotal().bytes(),
                config.maxOpenFiles(),
                config.fsyncOnFlush(),
                new LogDirectory.Listener() {
                    @Override
                    public void deleted(String app, Path file, long bytes, String reason) {
                        deletedFiles.labelValues(name, reason).inc();
                        deletedBytes.labelValues(name, reason).inc(bytes);
                        log.info(
                                "output {}: deleted {} ({}) of app {} to stay within {}",
                                name,
                                file.getFileName(),
                                DataSize.human(bytes),
                                app,
                                reason.equals(LogDirectory.REASON_MAX_FILES)
                                        ? "max_files " + config.maxFiles()
                                        : "max_total " + config.maxTotal() + " (app holds the most bytes)");
                    }

                    @Override
                    public void rotated(String app) {
                        rotations.inc();
                        log.debug("output {}: rotated {}{}", name, app, LogDirectory.SUFFIX);
                    }
                });
    }

    @Override
    public String describe() {
        return dir.resolve("<app>.log").toString();
    }

    @Override
    public String name() {
        return name;
    }

    public FileOutputConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    /** Scans {@code dir} (creating it if needed) and applies the caps to the files already there. */
    @Override
    public void start() throws IOException {
        directory.scan();
        started = true;
        updateGauges();
        log.info(
                "output {}: writing {} files to {} ({} in {} files of apps, {} at most per file, {} in all)",
                name,
                config.format().name().toLowerCase(java.util.Locale.ROOT),
                dir,
                DataSize.human(directory.totalBytes()),
                directory.apps(),
                config.maxFileSize(),
                config.maxTotal());
    }

    /**
     * Appends the batch, each record to its app's file. Throws if any line cannot be written; see the
     * class comment for what a retry then does.
     */
    @Override
    public void write(List<LogRecord> batch) throws IOException {
        if (!started) {
            throw new IllegalStateException("output " + name + ": write before start");
        }
        BatchRoom room = new BatchRoom(batch);
        directory.room(room);
        try {
            for (Map.Entry<String, List<LogRecord>> group : byApp(batch).entrySet()) {
                String app = group.getKey();
                for (LogRecord r : group.getValue()) {
                    if (!r.app().equals(app)) {
                        r = r.withApp(app);
                    }
                    line.reset();
                    format.encode(r, line);
                    if (line.size() > maxLine) {
                        fit(r);
                    }
                    directory.append(app, line.array(), 0, line.size());
                }
            }
            directory.finishBatch();
        } finally {
            directory.room(LogDirectory.Room.ANY);
            room.settle();
            line.shrink(LINE_CAPACITY);
            updateGauges();
        }
    }

    /**
     * G4 for one batch: reserves about the records' size up front (refused before anything is
     * written), then takes each write's length from it, reserving more in steps of at least {@value
     * LogDirectory#PENDING_LIMIT} bytes if the lines come out longer. Settled with what was written.
     */
    private final class BatchRoom implements LogDirectory.Room {
        private final List<Reservation> held = new java.util.ArrayList<>(1);
        private final List<Long> sizes = new java.util.ArrayList<>(1);
        private long granted;
        private long used;

        BatchRoom(List<LogRecord> batch) throws FloorException {
            long estimate = 0;
            for (LogRecord r : batch) {
                estimate += r.sizeBytes();
            }
            add(estimate);
        }

        private void add(long bytes) throws FloorException {
            Reservation r = space.reserve(bytes);
            if (!r.granted()) {
                belowFloor.inc();
                throw new FloorException("output " + name + ": " + r.refusal());
            }
            held.add(r);
            sizes.add(bytes);
            granted += bytes;
        }

        @Override
        public void take(long bytes) throws IOException {
            used += bytes;
            if (used > granted) {
                add(Math.max(used - granted, LogDirectory.PENDING_LIMIT));
            }
        }

        void settle() {
            long rest = used;
            for (int i = 0; i < held.size(); i++) {
                long part = Math.min(rest, sizes.get(i));
                held.get(i).written(part);
                rest -= part;
            }
        }
    }

    /** Lines are already in the operating system after {@link #write}; this forces them to disk if configured. */
    @Override
    public void flush() throws IOException {
        directory.sync();
    }

    @Override
    public void close() throws IOException {
        try {
            directory.close();
        } finally {
            updateGauges();
        }
    }

    /** Bytes of all files, as accounted (for tests and status). */
    long totalBytes() {
        return directory.totalBytes();
    }

    int openFiles() {
        return directory.openFiles();
    }

    /** Groups by normalised app, keeping each app's records in order (files are independent). */
    private static Map<String, List<LogRecord>> byApp(List<LogRecord> batch) {
        Map<String, List<LogRecord>> groups = new LinkedHashMap<>();
        for (LogRecord r : batch) {
            groups.computeIfAbsent(AppNames.normalize(r.app()), a -> new ArrayList<>())
                    .add(r);
        }
        return groups;
    }

    /**
     * Re-encodes {@code r} into {@link #line} with its message cut so that the line fits {@code
     * max_file_size}. Escaping makes the encoded length only roughly proportional to the message, so
     * it converges in a few steps; if it cannot (huge host, source or fields), it falls back to a
     * record with no fields, short host and source, and only the marker as message, which fits the
     * smallest allowed file size.
     */
    private void fit(LogRecord r) {
        byte[] message = r.messageBytes();
        long excess = line.size() - maxLine;
        int keep = (int) Math.max(0, message.length - excess - 48);
        for (int attempt = 0; attempt < 32; attempt++) {
            keep = utf8Boundary(message, keep);
            line.reset();
            format.encode(r.withMessage(cut(message, keep)), line);
            if (line.size() <= maxLine) {
                countTruncated(r);
                return;
            }
            if (keep == 0) {
                break;
            }
            keep = (int) Math.max(0, keep - (line.size() - maxLine) - 48);
        }
        LogRecord minimal = new LogRecord(
                r.timestamp(),
                shorten(r.host()),
                r.app(),
                shorten(r.source()),
                r.stream(),
                r.severity(),
                marker(message.length),
                Map.of());
        line.reset();
        format.encode(minimal, line);
        countTruncated(r);
    }

    private void countTruncated(LogRecord r) {
        truncated.inc();
        truncatedCount++;
        // A flood of oversized lines must not flood the log: the first, then every 1000th.
        if (truncatedCount == 1 || truncatedCount % 1000 == 0) {
            log.warn(
                    "output {}: cut a record of app {} ({} message bytes) to fit max_file_size {}; {} cut so far",
                    name,
                    r.app(),
                    r.messageLength(),
                    config.maxFileSize(),
                    truncatedCount);
        }
    }

    private static byte[] cut(byte[] message, int keep) {
        byte[] mark = marker(message.length - keep);
        byte[] out = new byte[keep + mark.length];
        System.arraycopy(message, 0, out, 0, keep);
        System.arraycopy(mark, 0, out, keep, mark.length);
        return out;
    }

    private static byte[] marker(int cutBytes) {
        return (" [spillway: truncated " + cutBytes + " bytes]").getBytes(StandardCharsets.UTF_8);
    }

    /** Moves {@code n} back to the start of a UTF-8 sequence, so a cut never splits a character. */
    static int utf8Boundary(byte[] b, int n) {
        if (n >= b.length) {
            return b.length;
        }
        int i = Math.max(0, n);
        while (i > 0 && (b[i] & 0xC0) == 0x80) {
            i--;
        }
        return i;
    }

    private static String shorten(String s) {
        if (s.length() <= LAST_RESORT_FIELD_CHARS) {
            return s;
        }
        int end = LAST_RESORT_FIELD_CHARS;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** Free space available to unprivileged users on the filesystem holding a directory (tests). */
    interface FreeSpace {
        long usableBytes(Path dir) throws IOException;

        /** As a filesystem of 1 PiB whose free space this reports. */
        default DiskSpace asDiskSpace(Path dir) {
            FreeSpace self = this;
            return new DiskSpace() {
                @Override
                public long usableBytes() throws IOException {
                    return self.usableBytes(dir);
                }

                @Override
                public long totalBytes() {
                    return 1L << 50;
                }
            };
        }
    }

    private void updateGauges() {
        diskBytes.set(directory.totalBytes());
        openFiles.set(directory.openFiles());
    }
}
