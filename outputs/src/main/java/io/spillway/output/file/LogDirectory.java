package io.spillway.output.file;

import io.spillway.record.AppNames;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The files of one file output: per-app live and rotated files, their sizes, the caps, and the open
 * handles.
 *
 * <p><b>Layout.</b> App {@code a} owns {@code <dir>/a.log} (live, appended to) and {@code a.log.1} …
 * {@code a.log.<max_files-1>} (rotated, {@code .1} the newest). Nothing else in the directory is
 * read, counted or deleted. Symbolic links are never followed: a link planted at {@code a.log} makes
 * writes to {@code a} fail rather than write elsewhere.
 *
 * <p><b>Accounting.</b> Sizes are kept in memory: read by a directory scan in {@link #scan()}, then
 * advanced by every byte appended and reduced by every file deleted. Invariants after every public
 * call returns normally: {@code totalBytes} is the sum of all apps' bytes; every file this object
 * wrote is at most {@code maxFileSize} bytes; {@code totalBytes <= maxTotal}; an app has at most
 * {@code maxFiles} files; at most {@code maxOpenFiles} channels are open. When an I/O call fails,
 * the app concerned is marked stale: its channel is closed and its sizes are read again from disk
 * before it is next used, so a failed or partial write cannot leave the accounting wrong for long
 * (sizes of other apps may only be too high, which errs on the side of deleting early).
 *
 * <p><b>Eviction.</b> Before a line is appended, the app's live file is rotated if the line would
 * take it past {@code maxFileSize}; then, while the line would take the total past {@code maxTotal},
 * the app holding the most bytes (ties: the writing app, then the smaller name) loses its oldest
 * file — a rotated one if it has any, else its live file. A quiet app therefore loses nothing while
 * a heavier app still has bytes to give.
 *
 * <p><b>Writes.</b> Lines of the current app gather in one pending buffer of at most {@link
 * #PENDING_LIMIT} bytes, written out when the app changes, the buffer fills, before any rotation or
 * deletion, and at {@link #finishBatch()}: after that returns, every line is in the operating system.
 *
 * <p>Not thread-safe: one output worker thread owns it.
 */
final class LogDirectory implements Closeable {
    /** Bytes gathered for one app before a write system call. */
    static final int PENDING_LIMIT = 64 * 1024;

    static final String SUFFIX = ".log";
    private static final Pattern ROTATED = Pattern.compile("(.+)\\.log\\.([1-9][0-9]{0,8})");

    /** Told about each deletion and rotation, for metrics and logs. */
    interface Listener {
        void deleted(String app, Path file, long bytes, String reason);

        void rotated(String app);
    }

    /**
     * Asked before every write system call with its length; throws to refuse it (the free-space
     * floor, see {@link FileOutput}). Rotations (renames) and deletions take no space and are not asked.
     */
    interface Room {
        Room ANY = bytes -> {};

        void take(long bytes) throws IOException;
    }

    static final String REASON_MAX_FILES = "max_files";
    static final String REASON_MAX_TOTAL = "max_total";

    private final Path dir;
    private final long maxFileSize;
    private final int maxFiles;
    private final long maxTotal;
    private final int maxOpenFiles;
    private final boolean fsync;
    private final Listener listener;

    private final Map<String, AppFiles> apps = new HashMap<>();
    /** Apps with an open channel, least recently used first. */
    private final LinkedHashMap<String, AppFiles> open = new LinkedHashMap<>(16, 0.75f, true);

    private final List<AppFiles> stale = new ArrayList<>();
    private final LineBuffer pending = new LineBuffer(PENDING_LIMIT + 1024);
    private @Nullable AppFiles pendingOwner;
    private long totalBytes;
    /** A file was created, renamed or deleted since the last {@link #sync()}. */
    private boolean directoryChanged;

    private Room room = Room.ANY;

    LogDirectory(
            Path dir,
            long maxFileSize,
            int maxFiles,
            long maxTotal,
            int maxOpenFiles,
            boolean fsync,
            Listener listener) {
        this.dir = dir;
        this.maxFileSize = maxFileSize;
        this.maxFiles = maxFiles;
        this.maxTotal = maxTotal;
        this.maxOpenFiles = maxOpenFiles;
        this.fsync = fsync;
        this.listener = listener;
    }

    /** One app's files and their sizes. */
    private final class AppFiles {
        final String app;
        final Path live;
        long liveBytes;
        /** rotated[i] is the size of {@code app.log.i}, or -1 when absent; index 0 unused. */
        final long[] rotated = new long[maxFiles];

        long bytes;

        @Nullable
        FileChannel channel;

        boolean unsynced;
        /** The live file ends without a newline (torn by a crash): start the next line on a new one. */
        boolean needsNewline;

        boolean isStale;

        AppFiles(String app) {
            this.app = app;
            this.live = dir.resolve(app + SUFFIX);
            java.util.Arrays.fill(rotated, -1);
        }

        Path rotatedPath(int index) {
            return dir.resolve(app + SUFFIX + "." + index);
        }

        int oldestRotated() {
            for (int i = maxFiles - 1; i >= 1; i--) {
                if (rotated[i] >= 0) {
                    return i;
                }
            }
            return 0;
        }

        int fileCount() {
            int n = liveBytes > 0 || Files.exists(live, LinkOption.NOFOLLOW_LINKS) ? 1 : 0;
            for (int i = 1; i < maxFiles; i++) {
                if (rotated[i] >= 0) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Sets what every write asks first. */
    void room(Room room) {
        this.room = room;
    }

    /**
     * Reads the directory (creating it if needed): sizes of every app's files, deletes rotated files
     * beyond {@code maxFiles} and then, heaviest first, files beyond {@code maxTotal}, so that a
     * restart with existing files (or smaller caps) respects the caps at once.
     */
    void scan() throws IOException {
        close();
        apps.clear();
        stale.clear();
        totalBytes = 0;
        Files.createDirectories(dir);
        List<Path> excess = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (!attrs.isRegularFile()) {
                    continue;
                }
                if (name.endsWith(SUFFIX)) {
                    String app = name.substring(0, name.length() - SUFFIX.length());
                    if (isAppName(app)) {
                        AppFiles f = state(app);
                        f.liveBytes = attrs.size();
                    }
                    continue;
                }
                Matcher m = ROTATED.matcher(name);
                if (m.matches() && isAppName(m.group(1))) {
                    int index = Integer.parseInt(m.group(2));
                    AppFiles f = state(m.group(1));
                    if (index < maxFiles) {
                        f.rotated[index] = attrs.size();
                    } else {
                        excess.add(p);
                    }
                }
            }
        }
        for (AppFiles f : apps.values()) {
            recount(f);
            f.needsNewline = f.liveBytes > 0 && !endsWithNewline(f.live);
        }
        for (Path p : excess) {
            long size = Files.size(p);
            Files.deleteIfExists(p);
            Matcher m = ROTATED.matcher(p.getFileName().toString());
            listener.deleted(m.matches() ? m.group(1) : "?", p, size, REASON_MAX_FILES);
        }
        totalBytes = 0;
        for (AppFiles f : apps.values()) {
            totalBytes += f.bytes;
        }
        makeRoom(null, 0);
        apps.values().removeIf(f -> f.bytes == 0 && f.fileCount() == 0);
    }

    /**
     * Appends one encoded line (ending in {@code \n}, at most {@code maxFileSize} bytes) to the app's
     * live file, rotating and deleting first as the caps require. The line may stay pending until
     * {@link #finishBatch()}.
     */
    void append(String app, byte[] line, int off, int len) throws IOException {
        if (len > maxFileSize) {
            throw new IllegalArgumentException("line of " + len + " bytes exceeds max_file_size " + maxFileSize);
        }
        if (!stale.isEmpty()) {
            resyncStale();
        }
        AppFiles f = state(app);
        try {
            if (pendingOwner != f) {
                writePending();
            }
            int extra = f.needsNewline ? 1 : 0;
            if (f.liveBytes > 0 && f.liveBytes + extra + len > maxFileSize) {
                rotate(f);
                extra = 0;
            }
            makeRoom(f, extra + len);
            if (pending.size() + extra + len > PENDING_LIMIT) {
                writePending();
            }
            // Counted before the bytes reach the file: if writing fails, the app is resynced from disk.
            f.liveBytes += extra + len;
            f.bytes += extra + len;
            totalBytes += extra + len;
            pendingOwner = f;
            if (extra > 0) {
                pending.append('\n');
                f.needsNewline = false;
            }
            if (len <= PENDING_LIMIT) {
                pending.write(line, off, len);
            } else {
                // Too big to gather (and to keep a buffer that size around): write it through.
                writePending();
                writeFully(f, ByteBuffer.wrap(line, off, len));
            }
        } catch (IOException | RuntimeException e) {
            markStale(f);
            throw e;
        }
    }

    /** Writes whatever is pending, so that every appended line is in the operating system. */
    void finishBatch() throws IOException {
        writePending();
    }

    /** Forces written data to the disk, when configured to; otherwise nothing (writes are not buffered). */
    void sync() throws IOException {
        writePending();
        if (!fsync) {
            return;
        }
        for (AppFiles f : open.values()) {
            FileChannel ch = f.channel;
            if (ch != null && f.unsynced) {
                try {
                    ch.force(false);
                    f.unsynced = false;
                } catch (IOException e) {
                    markStale(f);
                    throw e;
                }
            }
        }
        if (directoryChanged) {
            // Creations, renames and deletions live in the directory, not in the files: sync it too
            // (works on Linux and the BSDs, where a directory opens read-only).
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
            directoryChanged = false;
        }
    }

    long totalBytes() {
        return totalBytes;
    }

    int openFiles() {
        return open.size();
    }

    int apps() {
        return apps.size();
    }

    /** Bytes held by one app's files, as accounted; 0 for an unknown app. For tests. */
    long appBytes(String app) {
        AppFiles f = apps.get(app);
        return f == null ? 0 : f.bytes;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        try {
            writePending();
        } catch (IOException e) {
            first = e;
        }
        for (AppFiles f : new ArrayList<>(open.values())) {
            try {
                closeChannel(f);
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    static boolean isAppName(String app) {
        return !app.isEmpty() && AppNames.normalize(app).equals(app);
    }

    private AppFiles state(String app) {
        AppFiles f = apps.get(app);
        if (f == null) {
            if (!isAppName(app)) {
                // FileOutput normalises before calling; this is the last line of defence for the path.
                throw new IllegalArgumentException("not a normalised app name: \"" + app + "\"");
            }
            f = new AppFiles(app);
            apps.put(app, f);
        }
        return f;
    }

    private void rotate(AppFiles f) throws IOException {
        writePending();
        closeChannel(f);
        directoryChanged = true;
        if (maxFiles == 1) {
            deleteLive(f, REASON_MAX_FILES);
        } else {
            int top = maxFiles - 1;
            if (f.rotated[top] >= 0) {
                deleteRotated(f, top, REASON_MAX_FILES);
            }
            for (int i = top - 1; i >= 1; i--) {
                if (f.rotated[i] >= 0) {
                    Files.move(f.rotatedPath(i), f.rotatedPath(i + 1), StandardCopyOption.REPLACE_EXISTING);
                    f.rotated[i + 1] = f.rotated[i];
                    f.rotated[i] = -1;
                }
            }
            Files.move(f.live, f.rotatedPath(1), StandardCopyOption.REPLACE_EXISTING);
            f.rotated[1] = f.liveBytes;
            f.liveBytes = 0;
        }
        f.needsNewline = false;
        listener.rotated(f.app);
    }

    /** Deletes files, heaviest app first, until {@code len} more bytes fit under {@code maxTotal}. */
    private void makeRoom(@Nullable AppFiles writer, long len) throws IOException {
        while (totalBytes + len > maxTotal) {
            AppFiles heaviest = heaviest(writer);
            if (heaviest == null || heaviest.bytes == 0) {
                return; // nothing left to delete; len <= maxFileSize <= maxTotal makes this unreachable
            }
            writePending();
            int oldest = heaviest.oldestRotated();
            try {
                if (oldest > 0) {
                    deleteRotated(heaviest, oldest, REASON_MAX_TOTAL);
                } else {
                    closeChannel(heaviest);
                    deleteLive(heaviest, REASON_MAX_TOTAL);
                }
            } catch (IOException e) {
                markStale(heaviest);
                throw e;
            }
            if (heaviest != writer && heaviest.bytes == 0 && heaviest.channel == null) {
                apps.remove(heaviest.app);
            }
        }
    }

    private @Nullable AppFiles heaviest(@Nullable AppFiles writer) {
        AppFiles best = null;
        for (AppFiles f : apps.values()) {
            if (best == null
                    || f.bytes > best.bytes
                    || (f.bytes == best.bytes && best != writer && (f == writer || f.app.compareTo(best.app) < 0))) {
                best = f;
            }
        }
        return best;
    }

    private void deleteRotated(AppFiles f, int index, String reason) throws IOException {
        Path p = f.rotatedPath(index);
        long size = f.rotated[index];
        directoryChanged = true;
        Files.deleteIfExists(p);
        f.rotated[index] = -1;
        f.bytes -= size;
        totalBytes -= size;
        listener.deleted(f.app, p, size, reason);
    }

    private void deleteLive(AppFiles f, String reason) throws IOException {
        long size = f.liveBytes;
        directoryChanged = true;
        Files.deleteIfExists(f.live);
        f.liveBytes = 0;
        f.needsNewline = false;
        f.bytes -= size;
        totalBytes -= size;
        listener.deleted(f.app, f.live, size, reason);
    }

    private void writePending() throws IOException {
        AppFiles f = pendingOwner;
        if (f == null || pending.size() == 0) {
            pendingOwner = null;
            pending.reset();
            return;
        }
        try {
            writeFully(f, ByteBuffer.wrap(pending.array(), 0, pending.size()));
        } finally {
            pending.reset();
            pendingOwner = null;
        }
    }

    private void writeFully(AppFiles f, ByteBuffer buf) throws IOException {
        try {
            room.take(buf.remaining());
            FileChannel ch = channel(f);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            f.unsynced = true;
        } catch (IOException | RuntimeException e) {
            markStale(f);
            throw e;
        }
    }

    private FileChannel channel(AppFiles f) throws IOException {
        FileChannel ch = f.channel;
        if (ch != null) {
            open.get(f.app); // touch: most recently used
            return ch;
        }
        while (open.size() >= maxOpenFiles) {
            Iterator<AppFiles> eldest = open.values().iterator();
            AppFiles victim = eldest.next();
            closeChannel(victim);
        }
        try {
            ch = openAppend(f.live);
        } catch (NoSuchFileException e) {
            // The directory went away under us (an operator cleaned up): make it again, once.
            Files.createDirectories(dir);
            ch = openAppend(f.live);
        }
        f.channel = ch;
        open.put(f.app, f);
        directoryChanged = true; // possibly created
        return ch;
    }

    private static FileChannel openAppend(Path p) throws IOException {
        return FileChannel.open(
                p,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND,
                LinkOption.NOFOLLOW_LINKS);
    }

    private void closeChannel(AppFiles f) throws IOException {
        FileChannel ch = f.channel;
        if (ch == null) {
            return;
        }
        f.channel = null;
        open.remove(f.app);
        try (ch) {
            if (fsync && f.unsynced) {
                ch.force(false);
            }
            f.unsynced = false;
        }
    }

    private void markStale(AppFiles f) {
        if (pendingOwner == f) {
            pending.reset();
            pendingOwner = null;
        }
        FileChannel ch = f.channel;
        if (ch != null) {
            f.channel = null;
            open.remove(f.app);
            try {
                ch.close();
            } catch (IOException ignored) {
                // Already failing; the resync reads the truth from disk.
            }
        }
        if (!f.isStale) {
            f.isStale = true;
            stale.add(f);
        }
    }

    private void resyncStale() throws IOException {
        for (Iterator<AppFiles> it = stale.iterator(); it.hasNext(); ) {
            AppFiles f = it.next();
            long before = f.bytes;
            f.liveBytes = sizeOrAbsent(f.live, 0);
            for (int i = 1; i < maxFiles; i++) {
                f.rotated[i] = sizeOrAbsent(f.rotatedPath(i), -1);
            }
            recount(f);
            f.needsNewline = f.liveBytes > 0 && !endsWithNewline(f.live);
            totalBytes += f.bytes - before;
            f.isStale = false;
            it.remove();
        }
    }

    private static void recount(AppFiles f) {
        long b = f.liveBytes;
        for (int i = 1; i < f.rotated.length; i++) {
            if (f.rotated[i] > 0) {
                b += f.rotated[i];
            }
        }
        f.bytes = b;
    }

    /** Size of a regular file, or {@code absent} when there is none (a directory or link counts as none). */
    private static long sizeOrAbsent(Path p, long absent) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? a.size() : absent;
        } catch (NoSuchFileException e) {
            return absent;
        }
    }

    private static boolean endsWithNewline(Path p) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            if (size == 0) {
                return true;
            }
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.position(size - 1);
            return ch.read(one) == 1 && one.get(0) == '\n';
        } catch (NoSuchFileException e) {
            return true;
        }
    }
}
