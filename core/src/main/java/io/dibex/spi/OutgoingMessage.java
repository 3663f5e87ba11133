package io.dibex.spi;

import java.io.OutputStream;

/**
 * A message being written: to a local temporary file or an equivalent, then handed over whole.
 */
public interface OutgoingMessage extends AutoCloseable {

    /** The stream to write the whole message to; the engine does not close it. */
    OutputStream stream();

    /**
     * Hands the completely written message to the transport (renames it into the outbox, posts
     * it). After a successful call the message may be delivered.
     *
     * @throws io.dibex.TransportException when it cannot be handed over; it is then discarded
     */
    void send();

    /** Discards the message unless it was sent; idempotent. */
    @Override
    void close();
}
