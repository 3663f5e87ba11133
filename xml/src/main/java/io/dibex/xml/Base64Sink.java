package io.dibex.xml;

import java.util.Arrays;

/**
 * Decodes base64 text as it arrives, segment by segment, into bytes held to
 * {@link io.dibex.codec.Limits#maxBinaryBytes()}. Strict: the standard alphabet, whitespace
 * between characters allowed (as {@code xs:base64Binary} allows line breaks), padding only at
 * the end, and the unused bits of the last character zero, so that every value has one form.
 */
final class Base64Sink {

    private static final int[] DECODE = new int[128];

    static {
        Arrays.fill(DECODE, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            DECODE[alphabet.charAt(i)] = i;
        }
    }

    private final int max;
    private byte[] out = new byte[64];
    private int size;
    private int quad;
    private int inQuad;
    private int padding;
    private boolean done;

    Base64Sink(int maxBytes) {
        this.max = maxBytes;
    }

    /** Decodes a segment of text. */
    void accept(char[] chars, int start, int length, XmlInput in, Object what) {
        for (int i = start, end = start + length; i < end; i++) {
            char c = chars[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                continue;
            }
            if (done) {
                throw in.malformed(what + ": base64 text continues after its padding");
            }
            if (c == '=') {
                if (inQuad < 2) {
                    throw in.malformed(what + ": base64 padding '=' where a character is expected");
                }
                padding++;
            } else {
                int v = c < 128 ? DECODE[c] : -1;
                if (v < 0) {
                    throw in.malformed(what + ": " + XmlInput.quote(String.valueOf(c)) + " is not a base64 character");
                }
                if (padding > 0) {
                    throw in.malformed(what + ": base64 text continues after its padding");
                }
                quad = (quad << 6) | v;
            }
            if (++inQuad == 4) {
                flush(in, what);
            }
        }
    }

    private void flush(XmlInput in, Object what) {
        int bytes = 3 - padding;
        // One padding character leaves 2 unused bits, two leave 4: they must be zero (one form per value).
        if (padding > 0 && (quad & ((1 << (2 * padding)) - 1)) != 0) {
            throw in.malformed(what + ": the last base64 character has bits set that the padding drops");
        }
        int value = quad << (6 * padding);
        if ((long) size + bytes > max) {
            throw in.limit("maxBinaryBytes", max, (long) size + bytes, what);
        }
        if (size + 3 > out.length) {
            out = Arrays.copyOf(out, (int) Math.min(Math.max(size + 3L, 2L * out.length),
                    Math.min(max + 3L, Integer.MAX_VALUE - 8L)));
        }
        out[size++] = (byte) (value >> 16);
        if (bytes > 1) {
            out[size++] = (byte) (value >> 8);
        }
        if (bytes > 2) {
            out[size++] = (byte) value;
        }
        quad = 0;
        inQuad = 0;
        done = padding > 0;
    }

    /** Checks that the text ended on a whole group of four. */
    void end(XmlInput in, Object what) {
        if (inQuad != 0) {
            throw in.malformed(what + ": base64 text ends inside a group of four characters");
        }
    }

    /** The decoded bytes (not copied). */
    byte[] bytes() {
        return size == out.length ? out : Arrays.copyOf(out, size);
    }
}
