package io.dibex.codec;

/**
 * Reads one message: the header first, then body items one at a time. Holds no more than one
 * item in memory. Every failure is an {@link io.dibex.MalformedMessageException} naming the
 * message and the position. Not thread-safe.
 */
public interface MessageReader extends AutoCloseable {

    /** The header, read when the reader was created. */
    MessageHeader header();

    /**
     * The next body item, or null after the last one; the end of the message is checked
     * (nothing may follow it) before null is returned.
     */
    MessageItem next();

    /** Releases the reader; does not close the underlying stream. Idempotent. */
    @Override
    void close();
}
