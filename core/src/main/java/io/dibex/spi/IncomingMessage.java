package io.dibex.spi;

import java.io.InputStream;

/**
 * A claimed incoming message. Its bytes can be opened more than once (authentication reads
 * them before the parser does) and its size is known.
 */
public interface IncomingMessage {

    /** A name for journals and errors: a file name, a mail id. */
    String name();

    /** The size in bytes. */
    long size();

    /**
     * Opens the bytes from the start; the caller closes the stream.
     *
     * @throws io.dibex.TransportException when the bytes cannot be read
     */
    InputStream open();

    /** Removes the message for good; called only after its import committed (or it was a duplicate). */
    void commit();

    /** Gives the message back unremoved, so that a later {@link Transport#receive} can retry it. */
    void release();
}
