package io.dibex.xml;

import io.dibex.codec.MessageItem;

/**
 * Reads body items from a source that has no message header, one at a time: the objects of a
 * file written by 1C's XML upload tool ({@link XmlCodec#readUpload}). Every failure is an
 * {@link io.dibex.MalformedMessageException} naming the file and the line and column. Not
 * thread-safe.
 */
public interface ItemReader extends AutoCloseable {

    /**
     * The next item, or null after the last one; the end of the file is checked (nothing may
     * follow) before null is returned.
     *
     * @return the next item, or null at the end
     */
    MessageItem next();

    /** Releases the reader; does not close the underlying stream. Idempotent. */
    @Override
    void close();
}
