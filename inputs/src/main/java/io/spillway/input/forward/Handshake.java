package io.spillway.input.forward;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.value.Value;

/**
 * The messages the server writes: the shared-key handshake's {@code HELO} and {@code PONG}, and
 * {@code {"ack": chunk}}. Per the v1 spec, the handshake is {@code ["HELO", {nonce, auth, keepalive}]}
 * from the server, {@code ["PING", self_hostname, shared_key_salt, sha512_hex(shared_key_salt +
 * self_hostname + nonce + shared_key), username, password_digest]} from the client, and {@code ["PONG",
 * auth_result, reason, self_hostname, sha512_hex(shared_key_salt + self_hostname + nonce +
 * shared_key)]} back, where the PONG digest uses the server's hostname. User authentication ({@code
 * auth} salt, username and password) is not offered: {@code auth} is empty. Stateless, thread-safe.
 */
final class Handshake {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {}

    /** A fresh nonce: 16 random bytes, sent as msgpack bin as Fluentd's {@code in_forward} does. */
    static byte[] nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] helo(byte[] nonce) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(2).packString("HELO").packMapHeader(3);
            p.packString("nonce").packBinaryHeader(nonce.length).writePayload(nonce);
            p.packString("auth").packString("");
            p.packString("keepalive").packBoolean(true);
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] pong(boolean ok, String reason, String selfHostname, String digest) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(5).packString("PONG").packBoolean(ok).packString(reason);
            p.packString(selfHostname).packString(digest);
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] ack(Value chunk) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packMapHeader(1).packString("ack").packValue(chunk);
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code sha512_hex(salt + hostname + nonce + sharedKey)}, strings as UTF-8, the nonce's raw bytes. */
    static String digest(byte[] salt, String hostname, byte[] nonce, String sharedKey) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-512");
            d.update(salt);
            d.update(hostname.getBytes(StandardCharsets.UTF_8));
            d.update(nonce);
            d.update(sharedKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is required of every JDK", e);
        }
    }

    /** Compares digests in time independent of where they differ. */
    static boolean same(String expected, String got) {
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), got.getBytes(StandardCharsets.US_ASCII));
    }
}
