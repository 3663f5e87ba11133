package io.dibex.checksum;

/**
 * Bytes offered as a reconciliation sketch (a message of {@link CompactReconciliation}) that are
 * not one: truncated, of an unknown version or type, over a size limit, or inconsistent. The
 * message says what was wrong and at which byte offset. Nothing of such a message has been acted
 * on; the exchange that carried it can fall back to the naive request.
 */
public class SketchFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with this message.
     *
     * @param message what was wrong, and where
     */
    public SketchFormatException(String message) {
        super(message);
    }

    /**
     * An exception with this message and cause.
     *
     * @param message what was wrong, and where
     * @param cause the underlying failure
     */
    public SketchFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
