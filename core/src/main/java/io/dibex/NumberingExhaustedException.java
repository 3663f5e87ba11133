package io.dibex;

/**
 * The message counter to a peer reached {@code Long.MAX_VALUE}: the node refuses to send
 * to that peer (R1). Re-initialise the link.
 */
public class NumberingExhaustedException extends DibexException {

    private static final long serialVersionUID = 1L;

    /** With a message. */
    public NumberingExhaustedException(String message) {
        super(message);
    }

    /** With a message and a cause. */
    public NumberingExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
