package io.dibex.checksum;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The primitives of the sketch messages: a growing writer and a strict, bounded reader. Every
 * read checks that the bytes are there before it takes them, and every length is checked against
 * both a limit and the bytes that remain, so that hostile input can never make the reader
 * allocate more than the input's own size.
 */
final class Bytes {

    private Bytes() {
    }

    /** A growing byte buffer. */
    static final class Out {
        private byte[] buf;
        private int size;

        Out(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void room(int n) {
            if (size + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        Out u8(int v) {
            room(1);
            buf[size++] = (byte) v;
            return this;
        }

        Out u16(int v) {
            return u8(v >>> 8).u8(v);
        }

        Out i32(int v) {
            room(4);
            for (int s = 24; s >= 0; s -= 8) {
                buf[size++] = (byte) (v >>> s);
            }
            return this;
        }

        /** The low {@code bytes} bytes of {@code v}, most significant first. */
        Out bytes(long v, int bytes) {
            room(bytes);
            for (int s = (bytes - 1) * 8; s >= 0; s -= 8) {
                buf[size++] = (byte) (v >>> s);
            }
            return this;
        }

        Out varint(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("negative varint " + v);
            }
            while (v >= 0x80) {
                u8((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            return u8((int) v);
        }

        Out raw(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
            return this;
        }

        Out string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return varint(b.length).raw(b);
        }

        int size() {
            return size;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }

    /** A strict reader over one message. */
    static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        int position() {
            return pos;
        }

        int remaining() {
            return buf.length - pos;
        }

        SketchFormatException error(String what) {
            return new SketchFormatException(what + " (at byte " + pos + " of " + buf.length + ")");
        }

        private void need(int n, String what) {
            if (n > remaining()) {
                throw error("truncated: " + what + " needs " + n + " bytes, " + remaining() + " remain");
            }
        }

        int u8(String what) {
            need(1, what);
            return buf[pos++] & 0xFF;
        }

        int u16(String what) {
            need(2, what);
            int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        int i32(String what) {
            return (int) bytes(4, what);
        }

        long bytes(int n, String what) {
            need(n, what);
            long v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        byte[] raw(int n, String what) {
            need(n, what);
            byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return b;
        }

        /** An unsigned varint of at most {@code max}. */
        long varint(long max, String what) {
            int start = pos;
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                if (shift > 56) {
                    pos = start;
                    throw error(what + ": varint longer than 9 bytes");
                }
                int b = u8(what);
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (v > max) {
                pos = start;
                throw error(what + " is " + v + ", over the limit of " + max);
            }
            return v;
        }

        /** A length-prefixed UTF-8 string of at most {@code maxBytes} bytes, strictly decoded. */
        String string(int maxBytes, String what) {
            int n = (int) varint(maxBytes, what + " length");
            need(n, what);
            try {
                CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, pos, n));
                pos += n;
                return c.toString();
            } catch (CharacterCodingException e) {
                throw new SketchFormatException(what + " is not UTF-8 (at byte " + pos + ")", e);
            }
        }

        void end() {
            if (remaining() != 0) {
                throw error(remaining() + " bytes after the end of the message");
            }
        }
    }
}
