package io.spillway.input.tail;

import io.spillway.admission.Admission;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.LogRecord;
import io.spillway.record.Severity;
import io.spillway.space.FloorException;
import io.spillway.space.SpaceWriter;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails container log files: Docker json-file ({@code <docker_root>/<id>/<id>-json.log}) and CRI
 * ({@code <cri_root>/<ns>_<pod>_<uid>/<container>/N.log}), by polling.
 *
 * <h2>Design</h2>
 *
 * One thread ({@code input-tail}) runs {@link #runOnce()} every {@code scan_interval}: list the
 * directories, notice rotation and deletion, read the bytes appended to every open file, decode them
 * line by line and hand complete lines to the sink, then write the checkpoint if an offset moved.
 * Polling works on every file system (overlay, NFS) and its cost is bounded by the number of files,
 * which is bounded by {@code max_open_files}. With {@code watch} (default) a second thread ({@code
 * input-tail-watch}) also waits on inotify (the JDK's {@code WatchService}) for new container
 * directories and files, and wakes the polling thread for a round at once: a container that lives
 * and is removed ({@code docker run --rm}) within one {@code scan_interval} is opened while its log
 * exists, and then read to its end through the open handle although it was deleted. At most {@code
 * max_open_files} directories are watched; a file that appeared and vanished before it could be
 * opened is counted {@code removed_unread}.
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>A file's checkpointed offset only passes lines whose records the sink accepted, and only
 *       points where the decoder holds no partial entry; so re-reading from it after a restart
 *       re-joins partial lines and neither loses nor repeats a record. If the sink refuses a record,
 *       the file is rewound to that offset and reading stops for the round (the file is the buffer:
 *       backpressure never drops).
 *   <li>Rotation by rename: the path now names another file (another {@code fileKey}) or none; the
 *       old file is read on through the handle already open until a whole round passes in which
 *       nothing was appended to it (a writer may still write through its handle just after the
 *       rename), then its last unterminated line and partial entry are emitted and it is closed; the
 *       new file is read from offset 0. A deleted file is finished the same way and released.
 *   <li>Copytruncate: a file shorter than the read position was truncated; it is read again from 0.
 *   <li>At most {@code max_open_files} files are open (including ones being finished); further files
 *       wait for a later round and are counted {@code max_open_files}.
 *   <li>Memory per file: one read buffer and one file line of at most {@code max_line} +
 *       {@link TailConfig#FILE_LINE_SLACK} bytes; a longer file line is skipped ({@code too_large}).
 * </ul>
 *
 * <p>Counters ({@link InputMetrics}): {@code received} per accepted record; errors {@code
 * parse_error} (a malformed line, skipped), {@code too_large} (a line cut to {@code max_line} or a
 * file line skipped), {@code read_error} (I/O on a file, a directory or the checkpoint), {@code
 * max_open_files}.
 *
 * <p>Files found with no checkpoint entry are read from their start, also at the first start: lines
 * already on disk are shipped, not skipped; unless {@code read_from: end}, which at a first start (no
 * checkpoint file) opens the files of the first round just after their last newline. A file rotated while the node was down is read from 0
 * under its path; lines appended to the rotated-away file after the last checkpoint are not read.
 *
 * <h2>Threads</h2>
 *
 * {@link #start}/{@link #stop} from any thread; everything else runs on the {@code input-tail}
 * thread, or on the caller's thread in tests that use {@link #open} and {@link #runOnce()} instead.
 */
public final class TailInput implements Input {
    private static final Logger LOG = LoggerFactory.getLogger(TailInput.class);

    /** Rounds over one file read at most this many buffers, so one busy file cannot starve others. */
    static final int READS_PER_ROUND = 64;

    enum Kind {
        DOCKER,
        CRI
    }

    private final TailConfig config;
    private final Path checkpointFile;
    private final SpaceWriter space;
    private final InputMetrics metrics;
    private final InstantSource clock;
    private final String host;
    private final int maxFileLine;
    private final ByteBuffer readBuffer;
    private final Map<Path, Tailer> active = new LinkedHashMap<>();
    private final List<Tailer> finishing = new ArrayList<>();
    private Map<String, Checkpoints.Entry> restored = Map.of();
    /** {@code read_from: end} at a first start: the first round's files, to be opened at their end. */
    private boolean firstStart;

    private @Nullable Set<Path> fromEnd;
    private @Nullable RecordSink sink;
    private boolean dirty;
    private volatile boolean running;
    private @Nullable Thread thread;
    private @Nullable DirectoryWatch watch;

    /**
     * @param config the input's configuration
     * @param checkpointFile where offsets are kept ({@link TailConfig#checkpointFile(Path)})
     * @param metrics the input's counters; its {@link InputMetrics#input()} is {@link #name()}
     * @param clock time source (kept for time-based decisions; record times come from the log lines)
     */
    public TailInput(TailConfig config, Path checkpointFile, InputMetrics metrics, InstantSource clock) {
        this(config, checkpointFile, metrics, clock, SpaceWriter.unaccounted("tail_checkpoint", checkpointFile));
    }

    /**
     * As above, with the checkpoint reserving its bytes through {@code space} before each write (G4);
     * a refused checkpoint is written at the next chance (the offsets stay in memory meanwhile).
     */
    public TailInput(
            TailConfig config, Path checkpointFile, InputMetrics metrics, InstantSource clock, SpaceWriter space) {
        this.space = Objects.requireNonNull(space, "space");
        this.config = Objects.requireNonNull(config, "config");
        this.checkpointFile = Objects.requireNonNull(checkpointFile, "checkpointFile");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.host = config.host().isEmpty() ? localHost() : config.host();
        this.maxFileLine = config.maxLineBytes() + TailConfig.FILE_LINE_SLACK;
        this.readBuffer = ByteBuffer.allocate(config.readBufferBytes());
    }

    @Override
    public String describe() {
        return (config.dockerRoot() + "  " + config.criRoot()).strip();
    }

    @Override
    public String name() {
        return metrics.input();
    }

    @Override
    public synchronized void start(RecordSink sink) {
        if (thread != null) {
            return;
        }
        open(sink);
        running = true;
        Thread t = NamedThreadFactory.daemon("input-tail").newThread(this::loop);
        thread = t;
        if (config.watch()) {
            watch = DirectoryWatch.start(roots(), config.maxOpenFiles(), this::created, () -> LockSupport.unpark(t));
        }
        t.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        DirectoryWatch w = watch;
        if (w != null) {
            w.close();
            watch = null;
        }
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        close();
    }

    /** Binds the sink and loads the checkpoint, without starting the thread (tests drive {@link #runOnce()}). */
    void open(RecordSink sink) {
        this.sink = sink;
        firstStart = config.readFrom() == TailConfig.ReadFrom.END && !Files.exists(checkpointFile);
        try {
            restored = Checkpoints.read(checkpointFile);
        } catch (IOException e) {
            metrics.error("read_error");
            LOG.warn("tail: checkpoint {} unreadable, starting without it: {}", checkpointFile, e.toString());
            restored = Map.of();
        }
    }

    /** Writes the checkpoint and closes every file. */
    void close() {
        writeCheckpoint(true);
        for (Tailer t : active.values()) {
            t.closeQuietly();
        }
        for (Tailer t : finishing) {
            t.closeQuietly();
        }
        active.clear();
        finishing.clear();
    }

    /** Files currently open (tailed or being finished). */
    int openFiles() {
        return active.size() + finishing.size();
    }

    private void loop() {
        while (running) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                metrics.error("read_error");
                LOG.warn("tail: round failed", e);
            }
            LockSupport.parkNanos(config.scanInterval().toNanos());
        }
    }

    /** One polling round: discover, detect rotation, read, checkpoint. */
    void runOnce() {
        RecordSink s = Objects.requireNonNull(sink, "open(sink) first");
        List<Candidate> found = scan();
        if (firstStart) {
            // Only what exists at the first start is skipped; files found later are new logs.
            firstStart = false;
            Set<Path> skip = new HashSet<>();
            for (Candidate c : found) {
                skip.add(c.path);
            }
            fromEnd = skip;
        }
        // rotation by rename or deletion: finish the old file through its handle
        for (Iterator<Tailer> it = active.values().iterator(); it.hasNext(); ) {
            Tailer t = it.next();
            String key = fileKey(t.path);
            if (key == null || !key.equals(t.key)) {
                it.remove();
                finishing.add(t);
                dirty = true;
            }
        }
        boolean refused = false;
        for (Iterator<Tailer> it = finishing.iterator(); it.hasNext() && !refused; ) {
            Tailer t = it.next();
            // a writer may still write through its handle just after the rename: the file is
            // finished only after a whole round in which nothing was appended to it
            refused = !read(t, s);
            if (refused) {
                break;
            }
            if (t.lastReadBytes == 0 && t.finishingRounds > 0) {
                refused = !finish(t, s);
                if (refused) {
                    break;
                }
                t.closeQuietly();
                it.remove();
            }
            t.finishingRounds++;
        }
        boolean full = false;
        for (Candidate c : found) {
            if (active.containsKey(c.path)) {
                continue;
            }
            if (openFiles() >= config.maxOpenFiles()) {
                full = true;
                break;
            }
            Tailer t = openTailer(c);
            if (t != null) {
                active.put(c.path, t);
                dirty = true;
            }
        }
        if (full) {
            metrics.error("max_open_files");
        }
        countVanished();
        for (Tailer t : active.values()) {
            if (refused) {
                break;
            }
            refused = !read(t, s);
        }
        writeCheckpoint(false);
    }

    /** The watched roots with how deep their log files lie: docker {@code <id>/}, CRI {@code <pod>/<ctr>/}. */
    private Map<Path, Integer> roots() {
        Map<Path, Integer> roots = new LinkedHashMap<>();
        if (!config.dockerRoot().toString().isEmpty()) {
            roots.put(config.dockerRoot(), 1);
        }
        if (!config.criRoot().toString().isEmpty()) {
            roots.put(config.criRoot(), 2);
        }
        return roots;
    }

    /** Paths of log files the watch saw created, not yet found open by a round; read on the loop thread. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Path> created =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Called by the watch thread for each new file; bounded by what one round drains. */
    void created(Path file) {
        if (created.size() < config.maxOpenFiles()) {
            created.add(file);
        }
    }

    /** Files the watch saw created that no round could open: gone before they were read. */
    private void countVanished() {
        for (Path p = created.poll(); p != null; p = created.poll()) {
            if (p.getFileName().toString().endsWith(".log") && !isOpen(p) && !Files.exists(p)) {
                metrics.error("removed_unread");
                LOG.warn("tail: {} was created and removed before it could be read; its lines are lost", p);
            }
        }
    }

    private boolean isOpen(Path p) {
        if (active.containsKey(p)) {
            return true;
        }
        for (Tailer t : finishing) {
            if (t.path.equals(p)) {
                return true;
            }
        }
        return false;
    }

    private record Candidate(Path path, Kind kind) {}

    private List<Candidate> scan() {
        List<Candidate> out = new ArrayList<>();
        Path docker = config.dockerRoot();
        if (!docker.toString().isEmpty() && Files.isDirectory(docker)) {
            for (Path dir : list(docker)) {
                Path f = dir.resolve(dir.getFileName() + "-json.log");
                if (Files.isRegularFile(f)) {
                    out.add(new Candidate(f, Kind.DOCKER));
                }
            }
        }
        Path cri = config.criRoot();
        if (!cri.toString().isEmpty() && Files.isDirectory(cri)) {
            for (Path pod : list(cri)) {
                for (Path container : list(pod)) {
                    for (Path f : list(container)) {
                        if (f.getFileName().toString().endsWith(".log") && Files.isRegularFile(f)) {
                            out.add(new Candidate(f, Kind.CRI));
                        }
                    }
                }
            }
        }
        return out;
    }

    private List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p);
            }
        } catch (IOException e) {
            metrics.error("read_error");
        }
        out.sort(null);
        return out;
    }

    /**
     * {@code read_from: end}: the offset just after the file's last newline, looked for in its last
     * {@code read_buffer} bytes, so a line being written is read whole; the file's size when none is
     * found there.
     */
    private long afterLastNewline(FileChannel ch) throws IOException {
        long size = ch.size();
        int n = (int) Math.min(size, readBuffer.capacity());
        ByteBuffer tail = ByteBuffer.allocate(n);
        long from = size - n;
        while (tail.hasRemaining()) {
            if (ch.read(tail, from + tail.position()) < 0) {
                break;
            }
        }
        for (int i = tail.position() - 1; i >= 0; i--) {
            if (tail.get(i) == '\n') {
                return from + i + 1;
            }
        }
        return size;
    }

    private @Nullable Tailer openTailer(Candidate c) {
        String key = fileKey(c.path);
        if (key == null) {
            return null;
        }
        try {
            FileChannel ch = FileChannel.open(c.path, StandardOpenOption.READ);
            // the key again through the handle's path: if the file was swapped between, start at 0
            long offset = 0;
            Checkpoints.Entry e = restored.get(c.path.toString());
            Set<Path> skip = fromEnd;
            if (e != null && e.key().equals(key) && e.offset() <= ch.size()) {
                offset = e.offset();
            } else if (skip != null && skip.remove(c.path)) {
                offset = afterLastNewline(ch);
            }
            ContainerMetadata meta = c.kind == Kind.DOCKER
                    ? ContainerMetadata.docker(c.path, config.appLabel())
                    : ContainerMetadata.cri(c.path);
            return new Tailer(c.path, key, c.kind, ch, offset, meta);
        } catch (IOException e) {
            metrics.error("read_error");
            return null;
        }
    }

    private static @Nullable String fileKey(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            Object key = a.fileKey();
            return key == null ? "" : key.toString();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Reads what was appended to a file. Returns false if the sink refused a record (the file was
     * rewound to its safe offset). Reads at most {@link #READS_PER_ROUND} buffers.
     */
    private boolean read(Tailer t, RecordSink s) {
        try {
            long size = t.ch.size();
            if (size < t.readPos) {
                // copytruncate: the writer's file was copied away and cut to 0
                t.reset(0, newDecoder(t.kind));
                dirty = true;
            }
            int reads = 0;
            t.lastReadBytes = 0;
            while (reads < READS_PER_ROUND) {
                readBuffer.clear();
                int n = t.ch.read(readBuffer, t.readPos);
                if (n <= 0) {
                    break;
                }
                reads++;
                t.lastReadBytes += n;
                byte[] buf = readBuffer.array();
                int lineFrom = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    long lineEnd = t.readPos + i + 1;
                    boolean ok;
                    if (t.lineLen == 0 && !t.skipping) {
                        ok = line(t, s, buf, lineFrom, i - lineFrom, lineEnd);
                    } else {
                        if (t.append(buf, lineFrom, i - lineFrom, maxFileLine)) {
                            metrics.error("too_large");
                        }
                        ok = t.skipping ? skipped(t, lineEnd) : line(t, s, t.line, 0, t.lineLen, lineEnd);
                        t.lineLen = 0;
                        t.skipping = false;
                    }
                    if (!ok) {
                        t.reset(t.safeOffset, newDecoder(t.kind));
                        return false;
                    }
                    lineFrom = i + 1;
                }
                if (lineFrom < n && t.append(buf, lineFrom, n - lineFrom, maxFileLine)) {
                    metrics.error("too_large");
                }
                t.readPos += n;
            }
            return true;
        } catch (IOException e) {
            metrics.error("read_error");
            LOG.warn("tail: reading {} failed: {}", t.path, e.toString());
            return true;
        }
    }

    /** End of a finished file: its unterminated last line, then any partial entry still joined. */
    private boolean finish(Tailer t, RecordSink s) {
        if (t.lineLen > 0 && !t.skipping) {
            if (!line(t, s, t.line, 0, t.lineLen, t.readPos)) {
                t.reset(t.safeOffset, newDecoder(t.kind));
                return false;
            }
            t.lineLen = 0;
        }
        TailLine last = t.decoder.flush();
        if (last != null && !emit(t, s, last)) {
            t.reset(t.safeOffset, newDecoder(t.kind));
            return false;
        }
        return true;
    }

    private boolean skipped(Tailer t, long lineEnd) {
        if (!t.decoder.hasPending()) {
            t.safeOffset = lineEnd;
            dirty = true;
        }
        return true;
    }

    /** Decodes one file line ending at {@code lineEnd}; false if the sink refused its record. */
    private boolean line(Tailer t, RecordSink s, byte[] buf, int off, int len, long lineEnd) {
        Decoded d = t.kind == Kind.DOCKER
                ? ((DockerJsonLineDecoder) t.decoder.impl).decode(buf, off, len)
                : ((CriLineDecoder) t.decoder.impl).decode(buf, off, len);
        if (d.isError()) {
            metrics.error("parse_error");
        } else if (d.line() != null && !emit(t, s, d.line())) {
            return false;
        }
        if (!t.decoder.hasPending()) {
            t.safeOffset = lineEnd;
            dirty = true;
        }
        return true;
    }

    private boolean emit(Tailer t, RecordSink s, TailLine line) {
        LogRecord r = new LogRecord(
                line.timeNanos(),
                host,
                t.meta.app(),
                t.source,
                line.stream(),
                Severity.UNKNOWN,
                line.message(),
                t.meta.fields());
        Admission a = s.accept(r);
        if (!a.accepted()) {
            return false;
        }
        metrics.received(line.message().length);
        if (line.truncated()) {
            metrics.error("too_large");
        }
        return true;
    }

    private void writeCheckpoint(boolean force) {
        if (!dirty && !force) {
            return;
        }
        List<Checkpoints.Entry> entries = new ArrayList<>();
        for (Tailer t : active.values()) {
            entries.add(new Checkpoints.Entry(t.path.toString(), t.key, t.safeOffset));
        }
        try {
            Checkpoints.write(checkpointFile, entries, space);
            dirty = false;
            Map<String, Checkpoints.Entry> now = new LinkedHashMap<>();
            for (Checkpoints.Entry e : entries) {
                now.put(e.path(), e);
            }
            restored = now;
        } catch (FloorException e) {
            // Kept dirty: written once space returns. The space accountant logged the episode.
            LOG.debug("tail: checkpoint {} waits for space: {}", checkpointFile, e.getMessage());
        } catch (IOException e) {
            metrics.error("read_error");
            LOG.warn("tail: writing checkpoint {} failed: {}", checkpointFile, e.toString());
        }
    }

    private Decoder newDecoder(Kind kind) {
        return new Decoder(kind, config.maxLineBytes());
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The decoder of one file, either kind. */
    private static final class Decoder {
        final Object impl;

        Decoder(Kind kind, int maxLine) {
            impl = kind == Kind.DOCKER ? new DockerJsonLineDecoder(maxLine) : new CriLineDecoder(maxLine);
        }

        boolean hasPending() {
            return impl instanceof DockerJsonLineDecoder d ? d.hasPending() : ((CriLineDecoder) impl).hasPending();
        }

        @Nullable
        TailLine flush() {
            return impl instanceof DockerJsonLineDecoder d ? d.flush() : ((CriLineDecoder) impl).flush();
        }
    }

    /** One open file. */
    private final class Tailer {
        final Path path;
        final String key;
        final Kind kind;
        final FileChannel ch;
        final ContainerMetadata meta;
        final String source;
        Decoder decoder;
        long readPos;
        long safeOffset;
        byte[] line = new byte[0];
        int lineLen;
        boolean skipping;
        long lastReadBytes;
        int finishingRounds;

        Tailer(Path path, String key, Kind kind, FileChannel ch, long offset, ContainerMetadata meta) {
            this.path = path;
            this.key = key;
            this.kind = kind;
            this.ch = ch;
            this.meta = meta;
            String id = meta.fields().getOrDefault("container_id", meta.fields().getOrDefault("k8s_pod", ""));
            // The full 64-character id, as the fluentd and gelf drivers give it (docs/inputs/docker.md).
            this.source = id;
            this.decoder = newDecoder(kind);
            this.readPos = offset;
            this.safeOffset = offset;
        }

        /** Appends to the file line; returns true when it just passed the bound (then skips it). */
        boolean append(byte[] b, int off, int len, int bound) {
            if (skipping) {
                return false;
            }
            if (lineLen + len > bound) {
                skipping = true;
                lineLen = 0;
                line = new byte[0];
                return true;
            }
            if (lineLen + len > line.length) {
                line = Arrays.copyOf(line, Math.min(bound, Math.max(lineLen + len, line.length * 2)));
            }
            System.arraycopy(b, off, line, lineLen, len);
            lineLen += len;
            return false;
        }

        void reset(long offset, Decoder d) {
            readPos = offset;
            safeOffset = offset;
            decoder = d;
            lineLen = 0;
            skipping = false;
        }

        void closeQuietly() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do: the file is released either way
            }
        }
    }
}
