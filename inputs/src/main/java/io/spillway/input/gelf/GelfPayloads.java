package io.spillway.input.gelf;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompression of GELF payloads with a hard bound on the inflated size. The format is told by the
 * first bytes, as Graylog does: {@code 1f 8b} gzip (RFC 1952), {@code 0x78} zlib (RFC 1950), anything
 * else is taken as plain JSON. Inflation stops as soon as the output would pass {@code maxBytes}, so a
 * compression bomb costs at most {@code maxBytes} of memory and is refused ({@code too_large}); a
 * corrupt stream is refused ({@code decompress_error}). Stateless and thread-safe.
 */
final class GelfPayloads {
    static final int GZIP_MAGIC_1 = 0x1f;
    static final int GZIP_MAGIC_2 = 0x8b;
    static final int ZLIB_MAGIC = 0x78;

    /** Fixed gzip header (RFC 1952 §2.3): ID1 ID2 CM FLG MTIME(4) XFL OS. */
    private static final int GZIP_HEADER = 10;

    private static final int FTEXT = 1, FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

    private GelfPayloads() {}

    /** The payload as plain bytes: inflated if compressed, the same array if plain. */
    static byte[] decompress(byte[] data, int maxBytes) throws GelfException {
        if (data.length >= 2 && (data[0] & 0xff) == GZIP_MAGIC_1 && (data[1] & 0xff) == GZIP_MAGIC_2) {
            return inflate(data, gzipBodyOffset(data), true, maxBytes);
        }
        if (data.length >= 2
                && (data[0] & 0xff) == ZLIB_MAGIC
                && ((data[0] & 0xff) << 8 | (data[1] & 0xff)) % 31 == 0) {
            return inflate(data, 0, false, maxBytes);
        }
        if (data.length > maxBytes) {
            throw new GelfException(
                    "too_large", "message of " + data.length + " bytes exceeds max_message (" + maxBytes + ")");
        }
        return data;
    }

    private static int gzipBodyOffset(byte[] d) throws GelfException {
        if (d.length < GZIP_HEADER || d[2] != 8) {
            throw new GelfException("decompress_error", "gzip header is truncated or not deflate");
        }
        int flags = d[3] & 0xff;
        int pos = GZIP_HEADER;
        if ((flags & FEXTRA) != 0) {
            if (pos + 2 > d.length) {
                throw new GelfException("decompress_error", "gzip FEXTRA is truncated");
            }
            pos += 2 + ((d[pos] & 0xff) | (d[pos + 1] & 0xff) << 8);
        }
        if ((flags & FNAME) != 0) {
            pos = skipZeroTerminated(d, pos);
        }
        if ((flags & FCOMMENT) != 0) {
            pos = skipZeroTerminated(d, pos);
        }
        if ((flags & FHCRC) != 0) {
            pos += 2;
        }
        if (pos > d.length || (flags & ~(FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT)) != 0) {
            throw new GelfException("decompress_error", "gzip header is malformed");
        }
        return pos;
    }

    private static int skipZeroTerminated(byte[] d, int pos) throws GelfException {
        while (pos < d.length && d[pos] != 0) {
            pos++;
        }
        if (pos >= d.length) {
            throw new GelfException("decompress_error", "gzip header field is not terminated");
        }
        return pos + 1;
    }

    private static byte[] inflate(byte[] data, int offset, boolean raw, int maxBytes) throws GelfException {
        // gzip bodies are raw deflate (nowrap); the trailer CRC is not checked: JSON parsing checks content.
        Inflater inflater = new Inflater(raw);
        try {
            inflater.setInput(data, offset, data.length - offset);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, Math.max(256, data.length * 4)));
            byte[] buf = new byte[8192];
            int stalls = 0;
            while (!inflater.finished()) {
                // Ask for one byte more than allowed at most, so passing the bound is seen without inflating further.
                int want = Math.min(buf.length, maxBytes - out.size() + 1);
                int n = inflater.inflate(buf, 0, want);
                if (n == 0) {
                    if (inflater.finished()) {
                        break; // an empty zlib stream ends without output (and needs no more input)
                    }
                    if (inflater.needsInput() || inflater.needsDictionary()) {
                        throw new GelfException("decompress_error", "compressed payload is truncated");
                    }
                    // No progress and no reason given: never spin on a stream that the inflater cannot advance.
                    if (++stalls > 16) {
                        throw new GelfException("decompress_error", "compressed payload does not advance");
                    }
                    continue;
                }
                if (out.size() + n > maxBytes) {
                    throw new GelfException(
                            "too_large", "decompressed message exceeds max_message (" + maxBytes + " bytes)");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new GelfException("decompress_error", "corrupt compressed payload: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }
}
