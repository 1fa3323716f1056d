package io.spillway.alert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed acknowledge links.
 *
 * <p>Token format: {@code <incident id>.<expiry epoch seconds>.<signature>}, the signature being
 * HMAC-SHA256 over {@code "ack.<id>.<expiry>"} with a per-installation secret, base64url without
 * padding. Every character is URL-safe ({@code [0-9A-Za-z._-]}). A token acknowledges exactly its
 * incident until its expiry; changing either number breaks the signature. Verification compares in
 * constant time.
 *
 * <p>The secret is 32 random bytes in a file (created once with permissions {@code 0600} where the
 * file system supports POSIX permissions, then reused, so links survive restarts). Thread-safe.
 */
public final class AckTokens {
    static final int KEY_BYTES = 32;
    private static final int MAX_TOKEN = 128;
    private final byte[] key;

    AckTokens(byte[] key) {
        this.key = key.clone();
    }

    /** Loads the secret from {@code keyFile}, creating it (0600) with fresh random bytes if absent. */
    public static AckTokens load(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] fresh = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(fresh);
            Path parent = keyFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                if (keyFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Set<PosixFilePermission> owner =
                            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
                    Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(owner));
                } else {
                    Files.createFile(keyFile);
                }
                Files.write(keyFile, fresh, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
            } catch (FileAlreadyExistsException raced) {
                // Another process created it first: use theirs.
            }
        }
        byte[] key = Files.readAllBytes(keyFile);
        if (key.length < KEY_BYTES) {
            throw new IOException(keyFile + ": the ack-link key must hold at least " + KEY_BYTES + " bytes, it has "
                    + key.length + "; delete it to generate a new one (old links stop working)");
        }
        return new AckTokens(key);
    }

    /** A token acknowledging incident {@code id}, valid until {@code expires}. */
    public String sign(long id, Instant expires) {
        String payload = id + "." + expires.getEpochSecond();
        return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(payload));
    }

    /**
     * The incident id a token acknowledges, or {@code -1} if the token is malformed, tampered with or
     * expired at {@code now}.
     */
    public long verify(String token, Instant now) {
        if (token.length() > MAX_TOKEN) {
            return -1;
        }
        int a = token.indexOf('.');
        int b = a < 0 ? -1 : token.indexOf('.', a + 1);
        if (a <= 0 || b <= a + 1 || b == token.length() - 1) {
            return -1;
        }
        long id;
        long expiry;
        try {
            id = Long.parseLong(token.substring(0, a));
            expiry = Long.parseLong(token.substring(a + 1, b));
        } catch (NumberFormatException e) {
            return -1;
        }
        // Compare the encoded signature, not decoded bytes, so exactly one spelling of a token is
        // valid (base64 decoders accept variants in the last character's unused bits).
        byte[] given = token.substring(b + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = Base64.getUrlEncoder().withoutPadding().encode(mac(token.substring(0, b)));
        if (!MessageDigest.isEqual(given, expected)) {
            return -1;
        }
        if (id <= 0 || now.getEpochSecond() >= expiry) {
            return -1;
        }
        return id;
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(("ack." + payload).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
