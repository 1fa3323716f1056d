package io.spillway.input.tail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Helpers of the tail decoders' fuzz tests: a file's lines through a decoder, and the bounds. */
final class TailLines {
    private TailLines() {}

    interface LineDecoder {
        Decoded decode(byte[] buf, int off, int len);
    }

    /**
     * Decodes every LF-terminated line of {@code file} (the last one too, as a tailer does when a file
     * is finished), then flushes what is held; returns the lines emitted. Checks that each result is
     * exactly one of line, pending or error, and that every line respects max_line.
     */
    static List<TailLine> decodeFile(
            byte[] file, int maxLine, LineDecoder decoder, Supplier<TailLine> flush, Supplier<Boolean> hasPending) {
        List<TailLine> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= file.length; i++) {
            if (i == file.length || file[i] == '\n') {
                if (i == file.length && start == i) {
                    break;
                }
                // Between poison bytes: a decoder reading outside its line would see them.
                byte[] padded = new byte[i - start + 2];
                padded[0] = '"';
                padded[padded.length - 1] = ' ';
                System.arraycopy(file, start, padded, 1, i - start);
                Decoded d = decoder.decode(padded, 1, i - start);
                if (d.isError()) {
                    assertThat(d.line()).isNull();
                    assertThat(d.error()).isNotBlank().hasSizeLessThanOrEqualTo(300);
                } else if (d.line() != null) {
                    out.add(d.line());
                }
                start = i + 1;
            }
        }
        for (int guard = 0; hasPending.get(); guard++) {
            assertThat(guard).as("flush makes progress").isLessThan(10);
            TailLine t = flush.get();
            if (t != null) {
                out.add(t);
            }
        }
        assertThat(flush.get()).isNull();
        for (TailLine t : out) {
            assertThat(t.message().length).isLessThanOrEqualTo(maxLine);
        }
        return out;
    }
}
