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

    /**
     * Writes an object's new state and registers the change, unless its kind's automatic
     * registration is off or the write leaves its digest (the document with its {@code MIGRATE}
     * record sets, R11) unchanged. A document's record sets are part of its state: writing a set
     * is writing its recorder. A write of a document in a sequence kept at this node moves that
     * sequence's boundary back to it (R14).
     *
     * @throws IllegalArgumentException when the kind is not in the plan, or a document of a
     *     sequence has no date-time in the sequence's date field; nothing is written then
     */
    void put(DataObject object);

    /** Deletes an object, leaves a tombstone (R13) and registers the deletion; returns whether it existed. */
    boolean delete(ObjectKey key);

    /** This node's name. */
    String node();

    /** Whether this node is the plan's central node (the seeds' {@code ТекущаяИБЦентральная()}), for posting code. */
    boolean isCentral();

    /**
     * Suppresses the registration of the next write ({@link #put} or {@link #delete}) of this one
     * object in this transaction, as seed 004's {@code Док.РегистрацияИзменений(0)} before
     * {@code Док.Провести()} (R10). That write registers nothing if it leaves the object's digest
     * unchanged (reposting that changes only {@code LOCAL} records); if it does change it, the change
     * is registered as usual and journaled as a warning: a suppression never hides a real change. It
     * never removes or clears an existing registration, and covers no other object and no later
     * write.
     */
    void suppressRegistration(ObjectKey key);

    /**
     * Registers the object's current state for every neighbour it goes to (R10), whatever its
     * kind's automatic registration says: for kinds registered by hand, or to send something again.
     * A deleted object whose tombstone this node holds is registered as a deletion for every
     * neighbour its kind travels to.
     *
     * @return how many registrations were written
     * @throws IllegalArgumentException when the kind is not in the plan, or the object is absent
     *     and this node holds no tombstone of it
     */
    int register(ObjectKey key);

    /**
     * Registers the object for one neighbour (R10): its state if it goes there, otherwise its
     * deletion (tombstone held) or a retraction.
     *
     * @throws IllegalArgumentException when {@code neighbour} is not a neighbour of this node, the
     *     kind is not in the plan, or the object is absent and this node holds no tombstone of it
     */
    void register(ObjectKey key, String neighbour);

    /**
     * Removes the object's registrations for every neighbour (R10): what was registered is not sent.
     *
     * @return how many were removed
     */
    int unregister(ObjectKey key);

    /**
     * Removes the object's registration for one neighbour (R10).
     *
     * @return whether there was one
     * @throws IllegalArgumentException when {@code neighbour} is not a neighbour of this node
     */
    boolean unregister(ObjectKey key, String neighbour);

    /**
     * The underlying store transaction, for host code that must write its own tables in the same
     * transaction. Writes made through it directly are not registered.
     */
    StoreTransaction store();
}
