package io.dibex.internal;

import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;

/**
 * A store transaction as the engine uses it: once {@link #commit()} succeeded, a failure of the
 * closing {@code close()} (a connection that breaks on release) no longer counts as a failure of
 * the work, since the work is committed. Before that, close rolls back and its failure propagates.
 */
final class Txn implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.dibex");

    private final StoreTransaction tx;
    private boolean committed;

    private Txn(StoreTransaction tx) {
        this.tx = tx;
    }

    static Txn begin(Storage storage) {
        return new Txn(storage.begin());
    }

    StoreTransaction tx() {
        return tx;
    }

    void commit() {
        tx.commit();
        committed = true;
    }

    @Override
    public void close() {
        if (!committed) {
            tx.close();
            return;
        }
        try {
            tx.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing a committed transaction failed; its work stands", e);
        }
    }
}
