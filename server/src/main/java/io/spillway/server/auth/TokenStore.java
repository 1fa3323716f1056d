package io.spillway.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.space.FloorException;
import io.spillway.space.Reservation;
import io.spillway.space.SpaceWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's bearer tokens, in one file ({@code <data_dir>/tokens.json}, mode 0600).
 *
 * <p><b>Secrets.</b> A token is {@value #PREFIX} followed by 32 bytes from {@link SecureRandom} in
 * unpadded base64url (47 characters). Only its SHA-256 is stored: a token has 256 bits of entropy, so
 * a fast unsalted hash is as strong as a slow one and keeps every request cheap. The secret is
 * returned once, by {@link #create}, and never again. {@link #authenticate} hashes the presented
 * token and compares it with every stored hash in constant time ({@link MessageDigest#isEqual}),
 * without stopping at the first match, so timing tells nothing about which hash nearly matched.
 *
 * <p><b>Changes while the node runs.</b> {@code spillway token create|revoke} edit the file directly,
 * under an exclusive lock on {@code tokens.json.lock}, by writing a temporary file, fsyncing it and
 * renaming it over the old one (so a reader sees the old or the new file, never half of one). The
 * server notices the change on the next request: each {@link #authenticate} compares the file's
 * identity, size and modification time with those of the copy it holds (one {@code stat}) and reloads
 * when they differ. A revocation therefore takes effect on the next request, with no API to call and
 * no restart.
 *
 * <p><b>Failure.</b> A file that cannot be read or parsed authenticates nobody (fail closed) and is
 * logged at ERROR once per change of the file; {@code create} and {@code revoke} refuse to overwrite
 * it.
 *
 * <p><b>Bounds.</b> At most {@value #MAX_TOKENS} tokens; a presented token longer than {@value
 * #MAX_PRESENTED} characters is refused before hashing.
 *
 * <p>Thread-safe: lookups read an immutable snapshot; reloads and edits are serialized.
 */
public final class TokenStore {
    private static final Logger log = LoggerFactory.getLogger(TokenStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String PREFIX = "spw_";
    public static final String FILE_NAME = "tokens.json";
    public static final int MAX_TOKENS = 1000;
    static final int SECRET_BYTES = 32;
    static final int MAX_PRESENTED = 256;
    private static final int FORMAT_VERSION = 1;
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._:@/-]{1,64}");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** A newly created token: its facts and its secret, which is shown once. */
    public record Issued(TokenInfo info, String secret) {}

    private record Entry(TokenInfo info, byte[] hash) {}

    private record Snapshot(
            List<Entry> entries,
            @Nullable Object fileKey,
            @Nullable FileTime modified,
            long size,
            boolean valid) {}

    private final Path file;
    private final SpaceWriter space;
    private final Path lockFile;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Object editLock = new Object();
    private volatile Snapshot snapshot = new Snapshot(List.of(), null, null, -1, true);

    public TokenStore(Path file, InstantSource clock) {
        this(file, clock, SpaceWriter.unaccounted("tokens", file));
    }

    /** With every write of the file reserving its bytes through {@code space} first (G4). */
    public TokenStore(Path file, InstantSource clock, SpaceWriter space) {
        this.space = space;
        this.file = file;
        this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
        this.clock = clock;
    }

    /** The store at {@code <dataDir>/tokens.json}. */
    public static TokenStore inDataDir(Path dataDir, InstantSource clock) {
        return new TokenStore(dataDir.resolve(FILE_NAME), clock);
    }

    /** The store at {@code <dataDir>/tokens.json}, its writes reserved through {@code space}. */
    public static TokenStore inDataDir(Path dataDir, InstantSource clock, SpaceWriter space) {
        return new TokenStore(dataDir.resolve(FILE_NAME), clock, space);
    }

    public Path file() {
        return file;
    }

    /**
     * Creates a token and returns it with its secret (the only time the secret is available).
     *
     * @param name a label (1-64 letters, digits, space and {@code ._:@/-}); null for the scope's name
     * @throws IllegalArgumentException for a bad name, or when {@value #MAX_TOKENS} tokens exist
     * @throws IOException when the file cannot be read or written
     */
    public Issued create(Scope scope, @Nullable String name) throws IOException {
        String label = name == null ? scope.toString() : name;
        if (!NAME.matcher(label).matches()) {
            throw new IllegalArgumentException(
                    "invalid token name \"" + label + "\": 1-64 letters, digits, spaces or ._:@/-");
        }
        return edit(entries -> {
            if (entries.size() >= MAX_TOKENS) {
                throw new IllegalArgumentException("there are already " + entries.size() + " tokens (the most is "
                        + MAX_TOKENS + "); revoke some first");
            }
            byte[] secretBytes = new byte[SECRET_BYTES];
            random.nextBytes(secretBytes);
            String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
            String id;
            do {
                byte[] idBytes = new byte[5];
                random.nextBytes(idBytes);
                id = HexFormat.of().formatHex(idBytes);
            } while (find(entries, id) != null);
            TokenInfo info = new TokenInfo(id, label, scope, clock.instant());
            entries.add(new Entry(info, sha256(secret)));
            return new Issued(info, secret);
        });
    }

    /** Every token, oldest first. */
    public List<TokenInfo> list() throws IOException {
        Snapshot s = current();
        if (!s.valid()) {
            throw new IOException("cannot read " + file + "; see the log");
        }
        return s.entries().stream().map(Entry::info).toList();
    }

    /** Whether no token exists (a missing file counts as none). */
    public boolean isEmpty() throws IOException {
        return list().isEmpty();
    }

    /** Revokes the token {@code id}; false if there is none. Takes effect on the server's next request. */
    public boolean revoke(String id) throws IOException {
        return edit(entries -> {
            Entry e = find(entries, id);
            return e != null && entries.remove(e);
        });
    }

    /**
     * The token matching {@code presented} (the whole {@code spw_...} string), or empty. Never throws:
     * an unreadable file authenticates nobody.
     */
    public Optional<TokenInfo> authenticate(@Nullable String presented) {
        if (presented == null || presented.length() > MAX_PRESENTED || !presented.startsWith(PREFIX)) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        TokenInfo found = null;
        for (Entry e : current().entries()) {
            // No early exit: every stored hash is compared, each in constant time.
            if (MessageDigest.isEqual(e.hash(), hash) && found == null) {
                found = e.info();
            }
        }
        return Optional.ofNullable(found);
    }

    private interface Edit<T> {
        T apply(List<Entry> entries) throws IOException;
    }

    private <T> T edit(Edit<T> change) throws IOException {
        synchronized (editLock) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                Snapshot s = load();
                if (!s.valid()) {
                    throw new IOException("cannot read " + file + " (see the log); not overwriting it");
                }
                List<Entry> entries = new ArrayList<>(s.entries());
                T result = change.apply(entries);
                if (!entries.equals(s.entries())) {
                    write(entries);
                }
                snapshot = load();
                return result;
            }
        }
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        BasicFileAttributes a = attributes();
        if (a == null ? s.fileKey() == null && s.size() == -1 : same(s, a)) {
            return s;
        }
        synchronized (editLock) {
            Snapshot fresh = load();
            snapshot = fresh;
            return fresh;
        }
    }

    private static boolean same(Snapshot s, BasicFileAttributes a) {
        return s.size() == a.size()
                && Objects.equals(s.modified(), a.lastModifiedTime())
                && Objects.equals(s.fileKey(), a.fileKey());
    }

    private @Nullable BasicFileAttributes attributes() {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads the file; a missing file is an empty store, an unreadable one an invalid snapshot. */
    private Snapshot load() {
        BasicFileAttributes a = attributes();
        if (a == null) {
            return new Snapshot(List.of(), null, null, -1, true);
        }
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            List<Entry> entries = new ArrayList<>();
            for (JsonNode t : root.path("tokens")) {
                TokenInfo info = new TokenInfo(
                        t.get("id").asText(),
                        t.get("name").asText(),
                        Scope.parse(t.get("scope").asText()),
                        Instant.parse(t.get("created").asText()));
                byte[] hash = HexFormat.of().parseHex(t.get("sha256").asText());
                if (hash.length != 32) {
                    throw new IllegalArgumentException("sha256 of token " + info.id() + " is not 32 bytes");
                }
                entries.add(new Entry(info, hash));
            }
            return new Snapshot(List.copyOf(entries), a.fileKey(), a.lastModifiedTime(), a.size(), true);
        } catch (NoSuchFileException e) {
            return new Snapshot(List.of(), null, null, -1, true);
        } catch (IOException | RuntimeException e) {
            log.error(
                    "token file {} cannot be read, so no token is accepted until it is fixed: {}", file, e.toString());
            return new Snapshot(List.of(), a.fileKey(), a.lastModifiedTime(), a.size(), false);
        }
    }

    private void write(List<Entry> entries) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        ArrayNode arr = root.putArray("tokens");
        for (Entry e : entries) {
            ObjectNode t = arr.addObject();
            t.put("id", e.info().id());
            t.put("name", e.info().name());
            t.put("scope", e.info().scope().toString());
            t.put("created", e.info().created().toString());
            t.put("sha256", HexFormat.of().formatHex(e.hash()));
        }
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        writeReserved(file, bytes);
    }

    /**
     * Writes {@code bytes} to {@code target} as {@link #writeAtomically} does, after reserving them
     * through this store's space writer (G4): for this store's file and its companions ({@code
     * admin.token}). Throws {@link FloorException} without writing when refused.
     */
    public void writeReserved(Path target, byte[] bytes) throws IOException {
        Reservation room = space.reserve(bytes.length);
        if (!room.granted()) {
            throw new FloorException("tokens file " + target + ": " + room.refusal());
        }
        try (room) {
            writeAtomically(target, bytes);
        }
    }

    /**
     * Writes {@code bytes} to {@code target} atomically with mode 0600: a temporary file created
     * owner-only (so the content is never readable by others, not even briefly), fsynced, renamed over
     * the target, then the directory fsynced so the rename survives a crash.
     */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(
                tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly(dir))) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some filesystems cannot open or sync a directory; the rename is still atomic there.
            log.debug("cannot fsync directory {}: {}", dir, e.getMessage());
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
    }

    private static @Nullable Entry find(List<Entry> entries, String id) {
        for (Entry e : entries) {
            if (e.info().id().equals(id)) {
                return e;
            }
        }
        return null;
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
