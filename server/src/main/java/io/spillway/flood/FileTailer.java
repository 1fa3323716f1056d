package io.spillway.flood;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Follows one file like {@code tail -F}: reads what was appended, keeps reading the old file after a
 * rename until its end, then switches to the new file; starts over when the file was truncated.
 * Not thread-safe: one reader thread calls {@link #poll}.
 *
 * <p>Bound: a line longer than {@link #MAX_LINE} is skipped (counted in {@link #skippedLines}).
 */
final class FileTailer implements AutoCloseable {
    static final int MAX_LINE = 1 << 20;

    private final Path path;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    private final ByteBuffer line = ByteBuffer.allocate(MAX_LINE);
    private @Nullable FileChannel channel;
    private @Nullable Object fileKey;
    private boolean overlong;
    long skippedLines;

    FileTailer(Path path) {
        this.path = path;
    }

    /** Reads everything new and hands each complete line to {@code sink}. */
    void poll(Consumer<String> sink) throws IOException {
        if (channel == null && !open(0)) {
            return;
        }
        drain(sink);
        // At the end of what we have: has the path moved on to a new file, or been truncated?
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return;
        }
        if (attrs.fileKey() != null && !attrs.fileKey().equals(fileKey)) {
            drain(sink);
            closeChannel();
            open(0);
            drain(sink);
        } else if (channel != null && attrs.size() < channel.position()) {
            channel.position(0);
            line.clear();
            drain(sink);
        }
    }

    private boolean open(long position) throws IOException {
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            ch.position(position);
            channel = ch;
            line.clear();
            overlong = false;
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private void drain(Consumer<String> sink) throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            return;
        }
        while (true) {
            buf.clear();
            int n = ch.read(buf);
            if (n <= 0) {
                return;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                byte b = buf.get();
                if (b == '\n') {
                    if (overlong) {
                        skippedLines++;
                        overlong = false;
                    } else {
                        sink.accept(new String(line.array(), 0, line.position(), StandardCharsets.UTF_8));
                    }
                    line.clear();
                } else if (line.hasRemaining()) {
                    line.put(b);
                } else {
                    overlong = true;
                }
            }
        }
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeChannel();
    }
}
