package io.dibex;

/**
 * A store failed: the database, a lost connection, a broken constraint of dibex's own. The
 * engine rolls back the transaction it was in; the operation can be retried.
 */
public class StorageException extends DibexException {

    private static final long serialVersionUID = 1L;

    /** With a message. */
    public StorageException(String message) {
        super(message);
    }

    /** With a message and a cause. */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
