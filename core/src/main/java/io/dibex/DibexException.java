package io.dibex;

/**
 * The root of every exception dibex throws. Unchecked: a caller catches the subtypes it can act
 * on. The exceptions of parsers, drivers and streams are kept as the cause, never thrown
 * through the API.
 */
public class DibexException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a message. */
    public DibexException(String message) {
        super(message);
    }

    /** With a message and a cause. */
    public DibexException(String message, Throwable cause) {
        super(message, cause);
    }
}
