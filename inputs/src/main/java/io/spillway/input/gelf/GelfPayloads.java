package io.spillway.input.gelf;

import io.spillway.config.DataSize;
import io.spillway.input.netty.DecodeError;
import io.spillway.pipeline.InflightMemory;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompression of GELF payloads with a hard bound on the inflated size. The format is told by the
 * first bytes, as Graylog does: {@code 1f 8b} gzip (RFC 1952), {@code 0x78} zlib (RFC 1950), anything
 * else is taken as plain JSON. Inflation stops as soon as the output would pass {@code maxBytes}, so a
 * compression bomb costs at most {@code maxBytes} of memory and is refused ({@code too_large}); a
 * corrupt stream is refused ({@code decompress_error}). Every array inflation allocates is reserved
 * first in the lease given (the process-wide {@code limits.inflight_memory}); a payload the budget
 * cannot hold is refused ({@code inflight_memory}). Stateless and thread-safe.
 */
final class GelfPayloads {
    static final int GZIP_MAGIC_1 = 0x1f;
    static final int GZIP_MAGIC_2 = 0x8b;
    static final int ZLIB_MAGIC = 0x78;

    /** Fixed gzip header (RFC 1952 §2.3): ID1 ID2 CM FLG MTIME(4) XFL OS. */
    private static final int GZIP_HEADER = 10;

    private static final int FTEXT = 1, FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

    private GelfPayloads() {}

    /** A budget nothing fills, for callers outside a node (tests, fuzzing). */
    private static final InflightMemory UNBOUNDED = InflightMemory.standalone(DataSize.ofBytes(Long.MAX_VALUE));

    /** The payload as plain bytes: inflated if compressed, the same array if plain. */
    static byte[] decompress(byte[] data, int maxBytes) throws GelfException {
        try (InflightMemory.Lease lease = UNBOUNDED.lease("gelf")) {
            return decompress(data, maxBytes, lease);
        }
    }

    /**
     * The payload as plain bytes, with every array inflation allocates reserved in {@code lease} first
     * (the process-wide {@code limits.inflight_memory}); the caller closes the lease when done with the
     * bytes. A payload the budget cannot hold is refused ({@code inflight_memory}).
     */
    static byte[] decompress(byte[] data, int maxBytes, InflightMemory.Lease lease) throws GelfException {
        if (data.length >= 2 && (data[0] & 0xff) == GZIP_MAGIC_1 && (data[1] & 0xff) == GZIP_MAGIC_2) {
            return inflate(data, gzipBodyOffset(data), true, maxBytes, lease);
        }
        if (data.length >= 2
                && (data[0] & 0xff) == ZLIB_MAGIC
                && ((data[0] & 0xff) << 8 | (data[1] & 0xff)) % 31 == 0) {
            return inflate(data, 0, false, maxBytes, lease);
        }
        if (data.length > maxBytes) {
            throw new GelfException(
                    DecodeError.TOO_LARGE,
                    "message of " + data.length + " bytes exceeds max_message (" + maxBytes + ")");
        }
        return data;
    }

    private static int gzipBodyOffset(byte[] d) throws GelfException {
        if (d.length < GZIP_HEADER || d[2] != 8) {
            throw new GelfException(DecodeError.DECOMPRESS_ERROR, "gzip header is truncated or not deflate");
        }
        int flags = d[3] & 0xff;
        int pos = GZIP_HEADER;
        if ((flags & FEXTRA) != 0) {
            if (pos + 2 > d.length) {
                throw new GelfException(DecodeError.DECOMPRESS_ERROR, "gzip FEXTRA is truncated");
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
            throw new GelfException(DecodeError.DECOMPRESS_ERROR, "gzip header is malformed");
        }
        return pos;
    }

    private static int skipZeroTerminated(byte[] d, int pos) throws GelfException {
        while (pos < d.length && d[pos] != 0) {
            pos++;
        }
        if (pos >= d.length) {
            throw new GelfException(DecodeError.DECOMPRESS_ERROR, "gzip header field is not terminated");
        }
        return pos + 1;
    }

    private static byte[] inflate(byte[] data, int offset, boolean raw, int maxBytes, InflightMemory.Lease lease)
            throws GelfException {
        // gzip bodies are raw deflate (nowrap); the trailer CRC is not checked: JSON parsing checks content.
        Inflater inflater = new Inflater(raw);
        try {
            inflater.setInput(data, offset, data.length - offset);
            int first = Math.min(maxBytes, Math.max(256, data.length * 4));
            reserve(lease, first, data.length);
            byte[] out = new byte[first];
            int size = 0;
            int stalls = 0;
            while (!inflater.finished()) {
                if (size == out.length) {
                    if (size >= maxBytes) {
                        // Full: ask for one byte more, so passing the bound is seen without inflating further.
                        byte[] one = new byte[1];
                        if (inflater.inflate(one) > 0) {
                            throw new GelfException(
                                    DecodeError.TOO_LARGE,
                                    "decompressed message exceeds max_message (" + maxBytes + " bytes)");
                        }
                        if (inflater.finished()) {
                            break;
                        }
                        if (inflater.needsInput() || inflater.needsDictionary()) {
                            throw new GelfException(DecodeError.DECOMPRESS_ERROR, "compressed payload is truncated");
                        }
                        if (++stalls > 16) {
                            throw new GelfException(
                                    DecodeError.DECOMPRESS_ERROR, "compressed payload does not advance");
                        }
                        continue;
                    }
                    int next = (int) Math.min(maxBytes, out.length * 2L);
                    reserve(lease, next, data.length);
                    int old = out.length;
                    out = Arrays.copyOf(out, next);
                    lease.release(old);
                }
                int n = inflater.inflate(out, size, out.length - size);
                if (n == 0) {
                    if (inflater.finished()) {
                        break; // an empty zlib stream ends without output (and needs no more input)
                    }
                    if (inflater.needsInput() || inflater.needsDictionary()) {
                        throw new GelfException(DecodeError.DECOMPRESS_ERROR, "compressed payload is truncated");
                    }
                    // No progress and no reason given: never spin on a stream that the inflater cannot advance.
                    if (++stalls > 16) {
                        throw new GelfException(DecodeError.DECOMPRESS_ERROR, "compressed payload does not advance");
                    }
                    continue;
                }
                size += n;
            }
            if (size == out.length) {
                return out;
            }
            reserve(lease, size, data.length);
            int old = out.length;
            byte[] trimmed = Arrays.copyOf(out, size);
            lease.release(old);
            return trimmed;
        } catch (DataFormatException e) {
            throw new GelfException(DecodeError.DECOMPRESS_ERROR, "corrupt compressed payload: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    private static void reserve(InflightMemory.Lease lease, int bytes, int compressed) throws GelfException {
        if (!lease.tryReserve(bytes)) {
            throw new GelfException(
                    DecodeError.INFLIGHT_MEMORY,
                    "inflating a payload of " + compressed + " bytes needs " + bytes + " more bytes; inputs hold "
                            + lease.used() + " bytes in flight, the most limits.inflight_memory ("
                            + lease.limit() + " bytes) allows");
        }
    }
}
