package io.dibex;

/**
 * A transport could not write, hand over, list, open or remove a message. Nothing was
 * committed for the message concerned; the operation can be retried.
 */
public class TransportException extends DibexException {

    private static final long serialVersionUID = 1L;

    /** With a message. */
    public TransportException(String message) {
        super(message);
    }

    /** With a message and a cause. */
    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
