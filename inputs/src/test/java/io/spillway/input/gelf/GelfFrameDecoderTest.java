package io.spillway.input.gelf;

import static io.spillway.input.gelf.Gelf.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GelfFrameDecoderTest {
    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private final List<String> errors = new ArrayList<>();

    private List<String> frames(byte[] stream, int splitAt) {
        EmbeddedChannel ch = new EmbeddedChannel(new GelfFrameDecoder(8, errors::add));
        ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, splitAt));
        ch.writeInbound(Unpooled.wrappedBuffer(stream, splitAt, stream.length - splitAt));
        List<String> out = new ArrayList<>();
        ByteBuf f;
        while ((f = ch.readInbound()) != null) {
            out.add(f.toString(StandardCharsets.UTF_8));
            f.release();
        }
        ch.finishAndReleaseAll();
        return out;
    }

    @Test
    void decode_splitAtEveryByte_sameFramesAndOversizeSkipped() {
        byte[] stream = utf8("one\0\0two\0waytoolongframe\0three\0rest");
        for (int split = 0; split <= stream.length; split++) {
            errors.clear();
            assertThat(frames(stream, split)).as("split at " + split).containsExactly("one", "two", "three");
            assertThat(errors).as("split at " + split).containsExactly("too_large");
        }
    }
}
