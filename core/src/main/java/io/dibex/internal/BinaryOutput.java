package io.dibex.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The primitives of the binary format on the writing side, over a buffer of its own: varints,
 * strings, UUIDs. Never flushes or closes the underlying stream except in {@link #flush()}.
 */
final class BinaryOutput {

    private final OutputStream out;
    private final byte[] buf = new byte[BinaryFormat.BUFFER_SIZE];
    private int count;
    private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    BinaryOutput(OutputStream out) {
        this.out = out;
    }

    void writeByte(int b) throws IOException {
        if (count == buf.length) {
            drain();
        }
        buf[count++] = (byte) b;
    }

    void writeBytes(byte[] bytes) throws IOException {
        int off = 0;
        while (off < bytes.length) {
            if (count == buf.length) {
                drain();
            }
            int n = Math.min(bytes.length - off, buf.length - count);
            System.arraycopy(bytes, off, buf, count, n);
            count += n;
            off += n;
        }
    }

    /** An unsigned LEB128 varint: 7 bits per byte, low bits first, high bit set on all but the last. */
    void writeVarLong(long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            writeByte((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        writeByte((int) v);
    }

    /** A signed value as a zigzag varint, so that small negative numbers stay short. */
    void writeSignedVarLong(long v) throws IOException {
        writeVarLong((v << 1) ^ (v >> 63));
    }

    void writeUuid(UUID id) throws IOException {
        long hi = id.getMostSignificantBits();
        long lo = id.getLeastSignificantBits();
        for (int shift = 56; shift >= 0; shift -= 8) {
            writeByte((int) (hi >>> shift));
        }
        for (int shift = 56; shift >= 0; shift -= 8) {
            writeByte((int) (lo >>> shift));
        }
    }

    /**
     * A string: its length in UTF-16 units (the unit of {@code Limits.maxTextLength}), then its
     * UTF-8 bytes, encoded straight into the buffer. The caller has checked with
     * {@link BinaryStrings#firstLoneSurrogate} that it encodes.
     */
    void writeString(String s) throws IOException {
        writeVarLong(s.length());
        if (s.isEmpty()) {
            return;
        }
        CharBuffer in = CharBuffer.wrap(s);
        utf8.reset();
        CoderResult r;
        do {
            ByteBuffer target = ByteBuffer.wrap(buf, count, buf.length - count);
            r = utf8.encode(in, target, true);
            count = target.position();
        } while (moreRoomNeeded(r));
        do {
            ByteBuffer target = ByteBuffer.wrap(buf, count, buf.length - count);
            r = utf8.flush(target);
            count = target.position();
        } while (moreRoomNeeded(r));
    }

    /** True, after draining the buffer, when the encoder stopped for room; false when it is done. */
    private boolean moreRoomNeeded(CoderResult r) throws IOException {
        if (r.isOverflow()) {
            drain();
            return true;
        }
        if (r.isUnderflow()) {
            return false;
        }
        // Unreachable: every string is checked for lone surrogates before a byte of its item is written.
        throw new IllegalStateException("a checked string failed to encode as UTF-8: " + r);
    }

    /** Writes the buffer and flushes the underlying stream. */
    void flush() throws IOException {
        drain();
        out.flush();
    }

    private void drain() throws IOException {
        if (count > 0) {
            out.write(buf, 0, count);
            count = 0;
        }
    }
}
