package io.dibex.spi;

/**
 * One transaction over both stores. Every change made through {@link #exchange()} and
 * {@link #objects()} becomes visible to other transactions at {@link #commit()}, all at once,
 * or never.
 *
 * <p>Any method may throw {@link io.dibex.StorageException}; the engine then closes the
 * transaction, which must roll everything back. A closed or committed transaction refuses
 * further use with {@link IllegalStateException}.
 */
public interface StoreTransaction extends AutoCloseable {

    /** dibex's own state within this transaction. */
    ExchangeStore exchange();

    /** The host's data within this transaction. */
    ObjectStore objects();

    /**
     * Makes every change of this transaction durable and visible, atomically.
     *
     * @throws io.dibex.StorageException when the commit fails; nothing of the transaction
     *     then took effect
     */
    void commit();

    /** Ends the transaction; rolls back everything if {@link #commit()} did not succeed. Idempotent. */
    @Override
    void close();
}
