package io.spillway.flood;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.InstantSource;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * The soak's verdict rests on this client: a line counts as acknowledged only when its chunk's ack
 * came back, and a chunk cut off by a broken connection is resent on the next one.
 */
class AckedForwardClientTest {
    /**
     * A forward server that acknowledges the first {@code ackFirst} chunks of its first connection,
     * then closes it without acknowledging the one after; later connections acknowledge everything.
     * It records every line it saw, by app and seq.
     */
    static final class FlakyServer implements AutoCloseable {
        final ServerSocket socket;
        final Map<String, BitSet> seen = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicInteger connections = new AtomicInteger();
        final Thread thread;

        FlakyServer(int ackFirst) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        int n = connections.incrementAndGet();
                        serve(s, n == 1 ? ackFirst : Integer.MAX_VALUE);
                    } catch (IOException e) {
                        // the client went away, or the server is closing
                    }
                }
            });
        }

        private void serve(Socket s, int acks) throws IOException {
            MessageUnpacker in = MessagePack.newDefaultUnpacker(s.getInputStream());
            OutputStream out = s.getOutputStream();
            for (int chunk = 0; ; chunk++) {
                Value frame = in.unpackValue();
                if (chunk >= acks) {
                    return; // cut off before acknowledging this one
                }
                String tag = frame.asArrayValue().get(0).asStringValue().asString();
                byte[] entries = frame.asArrayValue().get(1).asRawValue().asByteArray();
                MessageUnpacker e = MessagePack.newDefaultUnpacker(entries);
                while (e.hasNext()) {
                    Value entry = e.unpackValue();
                    String log = entry.asArrayValue()
                            .get(1)
                            .asMapValue()
                            .map()
                            .get(ValueFactory.newString("log"))
                            .asStringValue()
                            .asString();
                    Lines.Mark m = Lines.parse(log);
                    seen.computeIfAbsent(tag, k -> new BitSet()).set((int) m.seq());
                }
                Value id = frame.asArrayValue().get(2).asMapValue().map().get(ValueFactory.newString("chunk"));
                try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
                    p.packMapHeader(1).packString("ack").packValue(id);
                    out.write(p.toByteArray());
                    out.flush();
                }
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void drain_connectionCutBeforeAnAck_resendsAndCountsEveryLineOnceAcknowledged() throws Exception {
        try (FlakyServer server = new FlakyServer(3)) {
            String[] apps = {"a", "b"};
            try (AckedForwardClient c =
                    new AckedForwardClient(server.address(), apps, InstantSource.system(), Duration.ofSeconds(10))) {
                for (long seq = 0; seq < 5000; seq++) {
                    c.send((int) (seq % 2), seq / 2, Lines.quiet(seq / 2, 0, 100));
                }
                c.drain();
                assertThat(c.reconnects()).isEqualTo(1);
                assertThat(c.resentChunks()).isPositive();
                BitSet all = new BitSet();
                all.set(0, 2500);
                assertThat(c.acked(0)).isEqualTo(all);
                assertThat(c.acked(1)).isEqualTo(all);
                assertThat(c.ackedLines()).isEqualTo(5000);
            }
            // Everything acknowledged reached the server (some lines more than once).
            BitSet all = new BitSet();
            all.set(0, 2500);
            assertThat(server.seen.get("a")).isEqualTo(all);
            assertThat(server.seen.get("b")).isEqualTo(all);
        }
    }

    @Test
    void ackedLines_serverNeverAcknowledges_countsNothing() throws Exception {
        try (FlakyServer server = new FlakyServer(0)) {
            // The first connection acknowledges nothing; stop before the resend gets its acks.
            try (AckedForwardClient c = new AckedForwardClient(
                    server.address(), new String[] {"a"}, InstantSource.system(), Duration.ofSeconds(10))) {
                c.send(0, 0, Lines.quiet(0, 0, 100));
                c.flush();
                assertThat(c.ackedLines()).isZero();
                assertThat(c.acked(0).isEmpty()).isTrue();
            }
        }
    }
}
