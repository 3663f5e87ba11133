package io.dibex.codec;

import io.dibex.model.DataObject;
import java.util.Objects;

/**
 * One object's state as bytes and back, exactly: what a store keeps in a column. Every value
 * round-trips {@code equals}-exact (a decimal's scale, null against the empty string, time to the
 * nanosecond), and fields, tabular parts and record sets keep their order, so that an object read
 * back equals the one written ({@link io.dibex.spi.ObjectStore}'s contract).
 *
 * <p>The bytes are a format byte ({@value #FORMAT}) followed by the {@code object} production of
 * the binary message format ({@link MessageCodec#binary()}); they are not the canonical encoding
 * behind digests, which forgets order and scale. Stateless and thread-safe.
 */
public final class ObjectBytes {

    /** The format byte that leads every encoding; a later format gets another. */
    public static final int FORMAT = 1;

    /** Stored objects were accepted once: read them back with nothing but the format's own bounds. */
    private static final Limits STORED = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
            Integer.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);

    private ObjectBytes() {
    }

    /**
     * The bytes of {@code object}.
     *
     * @throws io.dibex.DibexException when a string of the object holds a lone surrogate, which
     *     UTF-8 cannot carry; nothing is written
     */
    public static byte[] encode(DataObject object) {
        Objects.requireNonNull(object, "object");
        byte[] body = io.dibex.internal.BinaryObjects.encode(object);
        byte[] bytes = new byte[body.length + 1];
        bytes[0] = FORMAT;
        System.arraycopy(body, 0, bytes, 1, body.length);
        return bytes;
    }

    /**
     * The object that {@link #encode} turned into {@code bytes}.
     *
     * @param source what the bytes are, for errors (e.g. the table and key they were read from)
     * @throws io.dibex.MalformedMessageException when the bytes are not one encoded object, naming
     *     {@code source} and the byte where the problem is
     */
    public static DataObject decode(byte[] bytes, String source) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(source, "source");
        if (bytes.length == 0 || bytes[0] != FORMAT) {
            throw new io.dibex.MalformedMessageException(source, "byte 0", "not an encoded object: format byte "
                    + (bytes.length == 0 ? "missing" : String.valueOf(bytes[0] & 0xff)) + ", expected " + FORMAT);
        }
        return io.dibex.internal.BinaryObjects.decode(bytes, 1, STORED, source);
    }
}
