package io.dibex.spi;

/**
 * The storage SPI: one transactional database that holds both dibex's own state
 * ({@link ExchangeStore}) and the host's data ({@link ObjectStore}), so that a host write and
 * its registration commit together or not at all (SPEC §2).
 *
 * <p>What the engine relies on:
 * <ul>
 *   <li>{@link #begin()} may be called from several threads at once.</li>
 *   <li>A transaction never sees another transaction's uncommitted writes, and a transaction
 *       that starts after another committed sees all of its writes (the export snapshot rule of
 *       R3 depends on this). Read committed is enough; a storage may do more, up to running
 *       transactions one at a time.</li>
 *   <li>No lost updates: each method of {@link ExchangeStore} and {@link ObjectStore} changes
 *       what it changes atomically with respect to other transactions, and a
 *       {@link ExchangeStore#putPeer} after {@link ExchangeStore#peer} in one transaction either
 *       blocks others that read and write the same peer or fails with
 *       {@link io.dibex.StorageException} when another transaction changed that peer meanwhile.
 *       The engine serializes everything about one peer itself; this protects against anything
 *       else.</li>
 *   <li>{@link ExchangeStore#lock} excludes other transactions that lock the same key until the
 *       end of the transaction: the engine relies on it, not on serializable isolation, to keep
 *       a host write and an import of the same object apart (R12).</li>
 *   <li>A transaction is used by one thread at a time, and the engine never holds two
 *       transactions on one thread: an implementation may refuse a nested {@code begin()}.</li>
 *   <li>An implementation may block in {@code begin()} or in any call until a conflicting
 *       transaction ends, or throw {@link io.dibex.StorageException} so that the engine rolls
 *       back (a deadlock, a lock timeout); it must never let two conflicting transactions both
 *       commit.</li>
 * </ul>
 */
public interface Storage {

    /**
     * Begins a transaction over both stores.
     *
     * @return an open transaction; the caller commits it or closes it (which rolls back)
     * @throws io.dibex.StorageException when no transaction can be started
     */
    StoreTransaction begin();
}
