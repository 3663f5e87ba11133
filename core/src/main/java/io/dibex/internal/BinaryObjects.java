package io.dibex.internal;

import io.dibex.codec.Limits;
import io.dibex.model.DataObject;

/**
 * One object alone in the binary format, for {@link io.dibex.codec.ObjectBytes}: the same
 * productions and checks as a message's upsert item. This class is not API.
 */
public final class BinaryObjects {

    private BinaryObjects() {
    }

    /** The {@code object} production for {@code object}. */
    public static byte[] encode(DataObject object) {
        return BinaryMessageWriter.encodeObject(object);
    }

    /** The object whose {@code object} production starts at {@code offset} and fills the rest of {@code bytes}. */
    public static DataObject decode(byte[] bytes, int offset, Limits limits, String source) {
        return BinaryMessageReader.decodeObject(bytes, offset, limits, source);
    }
}
