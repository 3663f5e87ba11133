package io.dibex.codec;

/**
 * Writes one message: the header was given when the writer was created, then items one at a
 * time, then {@link #finish()}. Holds no more than one item in memory. Not thread-safe.
 */
public interface MessageWriter extends AutoCloseable {

    /**
     * Writes one body item.
     *
     * @throws io.dibex.DibexException when the item cannot be written (a value the format cannot
     *     carry) or the stream fails
     */
    void write(MessageItem item);

    /** Completes the message and flushes it; no item may follow. */
    void finish();

    /** Releases the writer; does not close the underlying stream. Idempotent. */
    @Override
    void close();
}
