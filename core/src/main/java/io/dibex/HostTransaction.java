package io.dibex;

import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.spi.StoreTransaction;
import java.util.Optional;

/**
 * A host's write transaction on a node, given to the work passed to
 * {@link Node#inTransaction(Node.Work)}. Each write goes to the {@link io.dibex.spi.ObjectStore}
 * and registers the change for every neighbour it goes to, given the state before and after
 * (R2, R9); all of it commits together when the work returns, or none of it if the work throws.
 * Use it only on the thread that runs the work, and not after the work returned.
 */
public interface HostTransaction {

    /** The object with this key as this transaction sees it. */
    Optional<DataObject> get(ObjectKey key);

    /** Writes an object's new state and registers the change. */
    void put(DataObject object);

    /** Deletes an object, leaves a tombstone (R13) and registers the deletion; returns whether it existed. */
    boolean delete(ObjectKey key);

    /**
     * The underlying store transaction, for host code that must write its own tables in the same
     * transaction. Writes made through it directly are not registered.
     */
    StoreTransaction store();
}
