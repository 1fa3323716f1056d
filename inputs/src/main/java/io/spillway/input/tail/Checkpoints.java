package io.spillway.input.tail;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.spillway.space.FloorException;
import io.spillway.space.Reservation;
import io.spillway.space.SpaceWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checkpoint file: for each tailed file its path, identity ({@code fileKey}, device and inode on
 * Linux) and the offset up to which every line was accepted by the sink.
 *
 * <p>Format: {@code {"version":1,"files":[{"path":"...","key":"(dev=803,ino=42)","offset":123}]}}.
 * Written atomically: a temporary file beside it is written, fsynced and renamed over the old one, so
 * a crash leaves the old or the new checkpoint, never a torn one. A missing file is an empty
 * checkpoint; an unreadable one is an {@link IOException} (the caller decides; the input starts empty
 * and counts {@code read_error}). Not thread-safe; used from the input's thread.
 */
final class Checkpoints {
    /** One file's position. */
    record Entry(String path, String key, long offset) {}

    private static final JsonFactory JSON = new JsonFactory();

    private Checkpoints() {}

    static Map<String, Entry> read(Path file) throws IOException {
        Map<String, Entry> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        try (JsonParser p = JSON.createParser(Files.readAllBytes(file))) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("files") && v == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        String path = null;
                        String key = "";
                        long offset = 0;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken fv = p.nextToken();
                            switch (f) {
                                case "path" -> path = p.getText();
                                case "key" -> key = p.getText();
                                case "offset" -> offset = fv == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                                default -> p.skipChildren();
                            }
                        }
                        if (path != null && offset >= 0) {
                            out.put(path, new Entry(path, key, offset));
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("checkpoint " + file + " is malformed: " + e.getMessage(), e);
        }
        return out;
    }

    private static void expect(JsonToken got, JsonToken want) throws IOException {
        if (got != want) {
            throw new IOException("checkpoint is malformed: expected " + want + ", got " + got);
        }
    }

    static void write(Path file, Iterable<Entry> entries) throws IOException {
        write(file, entries, SpaceWriter.unaccounted("tail_checkpoint", file));
    }

    /**
     * Writes the checkpoint atomically (a temporary file renamed over it), after reserving its bytes
     * through {@code space}; throws {@link FloorException} without writing when refused.
     */
    static void write(Path file, Iterable<Entry> entries, SpaceWriter space) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("version", 1);
            g.writeArrayFieldStart("files");
            for (Entry e : entries) {
                g.writeStartObject();
                g.writeStringField("path", e.path());
                g.writeStringField("key", e.key());
                g.writeNumberField("offset", e.offset());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Reservation room = space.reserve(bytes.size());
        if (!room.granted()) {
            throw new FloorException("tail checkpoint " + file + ": " + room.refusal());
        }
        try (room;
                FileChannel ch = FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        if (dir != null) {
            // make the rename itself durable; not every platform lets a directory be opened
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | UnsupportedOperationException ignored) {
                // best effort
            }
        }
    }
}
