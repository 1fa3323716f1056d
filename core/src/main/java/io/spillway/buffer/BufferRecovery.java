package io.spillway.buffer;

import io.spillway.admission.Drops;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads back what an earlier run of a {@link FairBuffer} left in its directory: the spill segments of
 * {@code <dir>/<app>/<seq>.seg}, handed to the buffer app by app so that it resumes delivering them.
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li><b>Order.</b> App directories are read in name order and each app's segments in name order,
 *       which is sequence order (names are zero-padded, {@link Segment#fileName}), so an app's disk
 *       part is in the order its records were written, and a segment written at close, numbered
 *       below the app's others ({@link SpillLog#createFirst}), comes first.
 *   <li><b>Nothing valid is lost.</b> Every valid batch (CRC32C) of a segment is kept; damage costs
 *       only itself ({@link Segment#recover}, which moves or copies the damaged bytes into the
 *       {@link Quarantine}). Only two things are deleted: a segment with nothing valid left (its
 *       bytes are in the quarantine), and a leftover {@code .seg.tmp} of a rewrite a crash cut short
 *       (its damaged original is still there and is recovered instead).
 *   <li><b>Every loss is told.</b> Bytes cut are counted ({@code spillway_buffer_truncated_bytes});
 *       records lost go to {@link Drops} with reason {@code corrupt} against the directory's app,
 *       exact where the damaged batches' headers survived, else estimated and logged as such.
 *   <li><b>Unreadable is left alone.</b> A segment that cannot be read (I/O error) is counted, logged
 *       and left where it is for the next start; a file whose name is not a sequence number is
 *       skipped with a warning.
 *   <li>The quarantine ({@code <dir>/quarantine}) looks like an app directory but holds its files one
 *       level deeper, so no quarantined file is ever read back as a segment.
 * </ul>
 *
 * <h2>Thread-safety</h2>
 *
 * Not thread-safe, and takes no lock: it runs once, from the buffer's constructor, before the buffer
 * is visible to any other thread and before its fsync thread starts. The {@link Adopter} it calls
 * edits the buffer's state on that same thread.
 */
final class BufferRecovery {
    /** The buffer's logger: operators filter buffer messages by it, recovery's included. */
    private static final Logger log = LoggerFactory.getLogger(FairBuffer.class);

    /** Takes a recovered segment into the queue of {@code key}, the app directory it was found in. */
    interface Adopter {
        void adopt(String key, Segment segment);
    }

    private final String name;
    private final Path dir;
    private final Quarantine quarantine;
    private final Drops drops;
    private final BufferMetrics metrics;
    private final SpillLog.DiskUsage disk;

    BufferRecovery(
            String name, Path dir, Quarantine quarantine, Drops drops, BufferMetrics metrics, SpillLog.DiskUsage disk) {
        this.name = name;
        this.dir = dir;
        this.quarantine = quarantine;
        this.drops = drops;
        this.metrics = metrics;
        this.disk = disk;
    }

    /**
     * Recovers every app directory of {@code dir}, handing each valid segment to {@code adopter} in
     * order.
     *
     * @throws IOException when {@code dir} or an app directory cannot be listed, or a leftover
     *     temporary file cannot be deleted
     */
    void run(Adopter adopter) throws IOException {
        List<Path> appDirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            ds.forEach(appDirs::add);
        }
        Collections.sort(appDirs);
        long found = 0;
        for (Path appDir : appDirs) {
            String key = appDir.getFileName().toString();
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(appDir, "*.seg")) {
                ds.forEach(files::add);
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(appDir, "*.seg" + Segment.TMP_SUFFIX)) {
                for (Path tmp : ds) {
                    // A rewrite cut short by a crash: the damaged original is still there.
                    Files.deleteIfExists(tmp);
                }
            }
            files.sort(Comparator.naturalOrder());
            for (Path f : files) {
                long seq;
                try {
                    seq = Long.parseLong(f.getFileName().toString().replace(".seg", ""));
                } catch (NumberFormatException e) {
                    log.warn("buffer {}: ignoring {}: not a segment name", name, f);
                    continue;
                }
                Segment.Recovery rec;
                try {
                    rec = Segment.recover(f, seq, quarantine, key);
                } catch (IOException e) {
                    metrics.ioError();
                    log.error("buffer {}: cannot read segment {}, leaving it: {}", name, f, e.toString());
                    continue;
                }
                if (rec.bytesCut() > 0) {
                    metrics.truncated(rec.bytesCut());
                    reportDamage(key, f, rec);
                }
                Segment s = rec.segment();
                if (s == null) {
                    Files.deleteIfExists(f);
                    continue;
                }
                adopter.adopt(key, s);
                found += s.records;
            }
        }
        if (found > 0) {
            metrics.recovered(found);
            log.info("buffer {}: recovered {} records ({} bytes on disk) from {}", name, found, disk.bytes, dir);
        }
    }

    /**
     * Logs and counts what recovery cut from one segment: the records lost go to the drop ledger with
     * reason {@code corrupt}, against the segment's app (the queue's key: for {@code _other}, the
     * records of several apps), so they show in {@code /metrics} and in the app's drop marker.
     */
    private void reportDamage(String key, Path f, Segment.Recovery rec) {
        long lost = rec.lostRecords();
        String where = rec.quarantined() == null
                ? "nothing kept"
                : (rec.kept() ? "a copy of the damaged bytes is in " : "moved to ")
                        + quarantine.describe(rec.quarantined());
        String count = (rec.exact() ? "" : "about ") + lost + (lost == 1 ? " record" : " records");
        if (lost > 0) {
            metrics.ioError();
            drops.dropped(key, "corrupt", lost, rec.lostMessageBytes());
            log.error(
                    "buffer {}: segment {}: lost {} ({} message bytes{}) to corruption in {} damaged stretch(es),"
                            + " {} bytes cut ({}); {}",
                    name,
                    f,
                    count,
                    rec.lostMessageBytes(),
                    rec.exact() ? "" : ", estimated",
                    rec.damage().size(),
                    rec.bytesCut(),
                    rec.problem(),
                    where);
        } else {
            log.warn(
                    "buffer {}: segment {}: cut {} bytes holding no record ({}); {}",
                    name,
                    f,
                    rec.bytesCut(),
                    rec.problem(),
                    where);
        }
    }
}
