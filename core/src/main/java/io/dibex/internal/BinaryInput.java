package io.dibex.internal;

import io.dibex.LimitExceededException;
import io.dibex.MalformedMessageException;
import io.dibex.codec.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * The primitives of the binary format on the reading side, for untrusted input: a buffer of its
 * own over any {@link InputStream} (one that returns a byte per call included), the offset of
 * every byte, and the {@link Limits} on total bytes, elements, text and binaries.
 *
 * <p>Every failure is a {@link MalformedMessageException} (or its {@link LimitExceededException})
 * at {@code "byte N"}; an {@link IOException} of the stream is one too, with the cause kept.
 * Nothing is allocated from a length before that length has been checked against a limit, and
 * then only as the bytes actually arrive.
 */
final class BinaryInput {

    /** For {@link #readString}: no bound but {@code maxTextLength}. */
    static final int ANY_LENGTH = Integer.MAX_VALUE;

    private final InputStream in;
    private final Limits limits;
    private final String source;
    private final byte[] buf = new byte[BinaryFormat.BUFFER_SIZE];
    private int head;
    private int tail;
    /** The offset of the next byte to consume; bytes read ahead into the buffer do not count. */
    private long position;
    private long elements;

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer undecoded = ByteBuffer.allocate(BinaryFormat.BUFFER_SIZE);
    private final CharBuffer decoded = CharBuffer.allocate(BinaryFormat.BUFFER_SIZE);

    BinaryInput(InputStream in, Limits limits, String source) {
        this.in = in;
        this.limits = limits;
        this.source = source;
    }

    /** The offset of the next byte. */
    long position() {
        return position;
    }

    Limits limits() {
        return limits;
    }

    // Errors.

    static String at(long offset) {
        return "byte " + offset;
    }

    MalformedMessageException malformed(long offset, String problem) {
        return new MalformedMessageException(source, at(offset), problem);
    }

    MalformedMessageException malformed(long offset, String problem, Throwable cause) {
        return new MalformedMessageException(source, at(offset), problem, cause);
    }

    LimitExceededException limit(long offset, String limit, long allowed, long seen) {
        return new LimitExceededException(source, at(offset), limit, allowed, seen);
    }

    /** {@code a + b}, or {@link Long#MAX_VALUE} when it overflows or {@code b} is an unsigned huge value. */
    private static long saturatedSum(long a, long b) {
        return b < 0 || a + b < 0 ? Long.MAX_VALUE : a + b;
    }

    // Elements.

    /** Counts one element (an item, value, row, tabular part, record set or key) starting at {@code offset}. */
    void countElement(long offset) {
        if (elements >= limits.maxElements()) {
            throw limit(offset, "maxElements", limits.maxElements(), elements + 1);
        }
        elements++;
    }

    /**
     * Reads a count of elements that follow, each of which will be counted as it is read;
     * rejects at once a count that could not fit in what is left of {@code maxElements}.
     */
    long readCount(String what) {
        long start = position;
        long n = readVarLong(what);
        if (n < 0 || n > limits.maxElements() - elements) {
            throw limit(start, "maxElements", limits.maxElements(), saturatedSum(elements, n));
        }
        return n;
    }

    // Bytes.

    /** Reads one byte, 0 to 255. */
    int readByte(String what) {
        if (head == tail && !fill(what)) {
            throw truncated(what);
        }
        take(1);
        return buf[head++] & 0xFF;
    }

    /** Reads exactly {@code dst.length} bytes. */
    void readFully(byte[] dst, String what) {
        readFully(dst, 0, dst.length, what);
    }

    private void readFully(byte[] dst, int off, int len, String what) {
        while (len > 0) {
            int n = readSome(dst, off, len, what);
            off += n;
            len -= n;
        }
    }

    /** Reads 1 to {@code len} bytes: what the buffer holds, or one refill of it. */
    private int readSome(byte[] dst, int off, int len, String what) {
        if (head == tail && !fill(what)) {
            throw truncated(what);
        }
        int n = Math.min(len, tail - head);
        take(n);
        System.arraycopy(buf, head, dst, off, n);
        head += n;
        return n;
    }

    /**
     * Reads {@code len} bytes that the caller has checked against a limit. The array grows as the
     * bytes arrive, so a large length at the end of a short message allocates little.
     */
    byte[] readBytes(int len, String what) {
        long start = position;
        if (len > limits.maxTotalBytes() - position) {
            throw limit(start, "maxTotalBytes", limits.maxTotalBytes(), saturatedSum(position, len));
        }
        byte[] bytes = new byte[Math.min(len, 8 * BinaryFormat.BUFFER_SIZE)];
        int got = 0;
        while (got < len) {
            if (got == bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(len, 2L * bytes.length));
            }
            got += readSome(bytes, got, bytes.length - got, what);
        }
        return bytes;
    }

    /** Consumes {@code n} buffered bytes, counting them against {@code maxTotalBytes}. */
    private void take(int n) {
        if (n > limits.maxTotalBytes() - position) {
            throw limit(position, "maxTotalBytes", limits.maxTotalBytes(), position + n);
        }
        position += n;
    }

    /** Refills the empty buffer; false at the end of the stream. */
    private boolean fill(String what) {
        try {
            int n = in.read(buf, 0, buf.length);
            if (n == 0) {
                // A stream that breaks the contract of read(byte[]) by returning 0: fall back to
                // read(), which must block or report the end, so that this never spins.
                int b = in.read();
                if (b < 0) {
                    return false;
                }
                buf[0] = (byte) b;
                n = 1;
            }
            if (n < 0) {
                return false;
            }
            if (n > buf.length) {
                throw malformed(position, "the stream reported " + n + " bytes read into a buffer of "
                        + buf.length + " while reading " + what);
            }
            head = 0;
            tail = n;
            return true;
        } catch (IOException e) {
            throw malformed(position, "cannot read " + what + ": " + e, e);
        }
    }

    private MalformedMessageException truncated(String what) {
        return malformed(position, "the message is truncated: it ends inside " + what);
    }

    /** True when nothing follows the bytes consumed so far. */
    boolean atEnd() {
        return head == tail && !fill("the end of the message");
    }

    // Numbers.

    /**
     * An unsigned LEB128 varint of at most 64 bits, in its shortest form (one value, one
     * encoding). Values of 2^63 and above come back negative.
     */
    long readVarLong(String what) {
        long start = position;
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            int b = readByte(what);
            if (shift == 63) {
                // The tenth byte holds the 64th bit only.
                if (b != 1) {
                    throw malformed(start, what + ": a varint longer than 64 bits");
                }
                return result | Long.MIN_VALUE;
            }
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) {
                    throw malformed(start, what + ": a varint not in its shortest form");
                }
                return result;
            }
        }
    }

    /** A zigzag varint: any long. */
    long readSignedVarLong(String what) {
        long v = readVarLong(what);
        return (v >>> 1) ^ -(v & 1);
    }

    UUID readUuid(String what) {
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | readByte(what);
        }
        for (int i = 0; i < 8; i++) {
            lo = (lo << 8) | readByte(what);
        }
        return new UUID(hi, lo);
    }

    // Strings.

    /**
     * Reads a string: its length in UTF-16 units, checked against {@code maxTextLength} and then
     * against {@code maxChars} (a structural bound, such as a name's), then its UTF-8 bytes,
     * decoded strictly. The bytes are read in steps that never go past the string's end, since
     * every UTF-16 unit still to come needs at least one byte.
     */
    String readString(int maxChars, String what) {
        long start = position;
        long n = readVarLong("the length of " + what);
        if (n < 0 || n > limits.maxTextLength()) {
            throw limit(start, "maxTextLength", limits.maxTextLength(), n < 0 ? Long.MAX_VALUE : n);
        }
        if (n > maxChars) {
            throw malformed(start, what + " has " + n + " characters; at most " + maxChars + " are allowed");
        }
        if (n > limits.maxTotalBytes() - position) {
            throw limit(start, "maxTotalBytes", limits.maxTotalBytes(), saturatedSum(position, n));
        }
        int length = (int) n;
        if (length == 0) {
            return "";
        }
        StringBuilder s = new StringBuilder(Math.min(length, BinaryFormat.BUFFER_SIZE));
        utf8.reset();
        undecoded.clear();
        while (s.length() < length) {
            int pending = undecoded.position();
            int remaining = length - s.length();
            // Pending bytes begin a sequence; a 4-byte one makes two UTF-16 units, so one byte
            // fewer than the units still missing may be all that is left.
            int safe = pending == 0 ? remaining : Math.max(1, remaining - 1);
            int want = Math.min(undecoded.remaining(), safe);
            readFully(undecoded.array(), pending, want, what);
            undecoded.position(pending + want);
            undecoded.flip();
            while (true) {
                decoded.clear();
                decoded.limit(Math.min(decoded.capacity(), length - s.length()));
                CoderResult r = utf8.decode(undecoded, decoded, false);
                decoded.flip();
                int produced = decoded.remaining();
                s.append(decoded);
                if (r.isError()) {
                    // The decoder stopped at the first byte of the bad sequence.
                    throw malformed(position - undecoded.remaining(), what + " is not valid UTF-8: a "
                            + (r.isMalformed() ? "malformed" : "unmappable") + " sequence of "
                            + r.length() + " byte(s)");
                }
                if (r.isUnderflow()) {
                    break;
                }
                if (produced == 0) {
                    throw malformed(start, what + ": its UTF-8 bytes do not make the " + length
                            + " UTF-16 units its length says");
                }
            }
            undecoded.compact();
        }
        if (undecoded.position() != 0) {
            throw malformed(start, what + ": its " + length + " UTF-16 units end inside a UTF-8 sequence");
        }
        return s.toString();
    }
}
