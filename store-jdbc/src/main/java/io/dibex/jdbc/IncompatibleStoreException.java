package io.dibex.jdbc;

import io.dibex.StorageException;

/**
 * The database cannot be used as this node's store: its schema is newer than this library knows,
 * it belongs to another plan or node, or it would lose committed transactions to a killed process.
 * Nothing was changed in it.
 */
public class IncompatibleStoreException extends StorageException {

    private static final long serialVersionUID = 1L;

    /** With a message that says what does not fit and what to do. */
    public IncompatibleStoreException(String message) {
        super(message);
    }
}
