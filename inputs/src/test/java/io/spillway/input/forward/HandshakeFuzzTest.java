package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * Coverage-guided fuzzing of the shared-key handshake: the client's {@code PING} as {@link
 * ForwardDecoder} reads it, and the {@link Handshake} messages and digests the server answers with.
 */
class HandshakeFuzzTest {
    private static final ForwardDecoder DECODER = new ForwardDecoder(1024, 4096, AppTemplate.parse("{{tag}}"));
    private static final ForwardDecoder.Events NONE = new ForwardDecoder.Events() {
        @Override
        public void batch(List<io.spillway.record.LogRecord> records) {}

        @Override
        public void error(String kind, String detail) {}
    };

    /**
     * {@code ["PING", …]} followed by any bytes: when the walker finds a complete frame, the decoder
     * answers with a {@link ForwardDecoder.Ping} or a {@link ForwardException}, nothing else; and the
     * server's PONG for whatever hostname and digest the PING carried is one msgpack object.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_pingWithAnyValues_pingOrTypedError(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x96); // fixarray of 6
        b.write(0xa4); // fixstr of 4
        b.writeBytes("PING".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(data);
        byte[] all = b.toByteArray();
        int len;
        try {
            len = MsgpackWalker.length(Unpooled.wrappedBuffer(all), all.length, "the frame");
        } catch (ForwardException e) {
            return; // not a frame: the frame decoder closes the connection before the decoder sees it
        }
        byte[] frame = java.util.Arrays.copyOf(all, len);
        ForwardDecoder.Frame f;
        try {
            f = DECODER.decode(frame, "peer", 1L, NONE);
        } catch (ForwardException e) {
            assertThat(e.kind()).isEqualTo("malformed");
            return;
        }
        assertThat(f).isInstanceOf(ForwardDecoder.Ping.class);
        ForwardDecoder.Ping ping = (ForwardDecoder.Ping) f;
        byte[] pong = Handshake.pong(false, "shared_key mismatch", ping.hostname(), ping.digest());
        assertThat(oneObject(pong)).isEqualTo(pong.length);
    }

    /**
     * A PING built by a client from fuzzed hostname, salt, key and nonce decodes to the same values,
     * its digest verifies against the same key and not against another, and HELO, PONG and ack are
     * each one msgpack object that the walker measures whole.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void ping_fromClientValues_roundTripsAndVerifies(FuzzedDataProvider d) throws IOException {
        String hostname = utf8(d.consumeString(64));
        byte[] salt = d.consumeBytes(d.consumeInt(0, 32));
        String key = utf8(d.consumeString(64));
        String otherKey = key + utf8(d.consumeString(8)) + "x";
        boolean saltAsString = d.consumeBoolean();
        byte[] nonce = d.consumeBytes(16);
        String username = utf8(d.consumeString(32));
        String password = utf8(d.consumeRemainingAsString());
        String digest = Handshake.digest(salt, hostname, nonce, key);
        byte[] frame;
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(6).packString("PING").packString(hostname);
            if (saltAsString) {
                p.packRawStringHeader(salt.length).writePayload(salt);
            } else {
                p.packBinaryHeader(salt.length).writePayload(salt);
            }
            p.packString(digest).packString(username).packString(password);
            frame = p.toByteArray();
        }
        assertThat(oneObject(frame)).isEqualTo(frame.length);
        ForwardDecoder.Frame f = decodeOrFail(frame);
        assertThat(f).isInstanceOf(ForwardDecoder.Ping.class);
        ForwardDecoder.Ping ping = (ForwardDecoder.Ping) f;
        assertThat(ping.hostname()).isEqualTo(hostname);
        assertThat(ping.salt()).isEqualTo(salt);
        assertThat(ping.username()).isEqualTo(username);
        assertThat(ping.passwordDigest()).isEqualTo(password);
        assertThat(Handshake.same(Handshake.digest(ping.salt(), ping.hostname(), nonce, key), ping.digest()))
                .isTrue();
        assertThat(Handshake.same(Handshake.digest(ping.salt(), ping.hostname(), nonce, otherKey), ping.digest()))
                .isFalse();

        byte[] helo = Handshake.helo(nonce);
        assertThat(oneObject(helo)).isEqualTo(helo.length);
        byte[] pong = Handshake.pong(true, "", hostname, Handshake.digest(salt, hostname, nonce, key));
        assertThat(oneObject(pong)).isEqualTo(pong.length);
        Value chunk = ValueFactory.newString(password);
        byte[] ack = Handshake.ack(chunk);
        assertThat(oneObject(ack)).isEqualTo(ack.length);
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(ack)) {
            assertThat(u.unpackValue().asMapValue().map().get(ValueFactory.newString("ack")))
                    .isEqualTo(chunk);
        }
    }

    private static ForwardDecoder.Frame decodeOrFail(byte[] frame) {
        try {
            return DECODER.decode(frame, "peer", 1L, NONE);
        } catch (ForwardException e) {
            throw new AssertionError("a well-formed PING was refused: " + e.getMessage(), e);
        }
    }

    /** The walker's length of the object at the start, which msgpack-core must agree with. */
    private static long oneObject(byte[] bytes) throws IOException {
        long n;
        try {
            n = MsgpackWalker.length(Unpooled.wrappedBuffer(bytes), bytes.length, "the message");
        } catch (ForwardException e) {
            throw new AssertionError(e);
        }
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            u.skipValue();
            assertThat(u.getTotalReadBytes()).isEqualTo(n);
        }
        return n;
    }

    private static String utf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
