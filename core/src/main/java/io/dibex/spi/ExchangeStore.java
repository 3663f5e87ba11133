package io.dibex.spi;

import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * dibex's own state, seen within one {@link StoreTransaction}: per-peer counters and message
 * ids, registrations, tombstones, sequence boundaries and the journal.
 *
 * <p>Contract, checked by the TCK ({@code io.dibex.tck.ExchangeStoreContract}):
 * <ul>
 *   <li>Every method reads and writes within the enclosing transaction only; nothing is
 *       visible to other transactions before commit, and a rollback undoes all of it.</li>
 *   <li>Registrations are keyed by (peer, key): at most one row each.</li>
 *   <li>Where an order is stated it is {@link ObjectKey}'s natural order.</li>
 *   <li>Streams must be closed by the caller; they may hold database cursors. A stream
 *       reflects the transaction's state when it was opened; the engine does not write the
 *       rows a stream reads while the stream is open.</li>
 *   <li>Failures are reported as {@link io.dibex.StorageException}; the engine then rolls back.</li>
 * </ul>
 */
public interface ExchangeStore {

    // ---- peers (R1, R4, R5, R7)

    /** The counters for a peer; {@link PeerState#initial} if none were stored. */
    PeerState peer(String peer);

    /** Stores the counters for {@code state.peer()}, replacing earlier ones. */
    void putPeer(PeerState state);

    /** Records the id of message {@code no} sent to {@code peer} (R1, R4). */
    void putSentMessage(String peer, long no, UUID id);

    /** The id of message {@code no} sent to {@code peer}, if it is still kept. */
    Optional<UUID> sentMessageId(String peer, long no);

    /** Forgets the ids of messages to {@code peer} numbered below {@code no} (bounded storage, R4). */
    void pruneSentMessages(String peer, long no);

    // ---- object keys (R2, R12)

    /**
     * Locks {@code key} until the end of this transaction: another transaction that locks the
     * same key waits until this one commits or rolls back (or fails with
     * {@link io.dibex.StorageException}, and the engine rolls it back). The engine locks a key
     * before it reads an object it is about to write: in a host write and for each imported item.
     * So a conflict check (R12) never races a host write or another import of the same key, and
     * the state before a write, from which routing decides (R9), is still the state when it
     * commits, even under an isolation level weaker than serializable. A lock taken after the
     * other transaction committed sees its writes.
     *
     * <p>The default does nothing, which is right for a storage whose transactions run one at a
     * time (such as {@link io.dibex.memory.InMemoryStorage}).
     */
    default void lock(ObjectKey key) {
    }

    // ---- registrations (R2, R3, R4)

    /**
     * Registers a change of {@code key} for {@code peer} (R2): creates the row with {@code base},
     * or updates its digest and clears its {@code firstSentNo} and {@code rejected} flag. An
     * existing row keeps its base, and its last sent number and digest. Either way the row's
     * {@link Registration#seenNo() seenNo} becomes {@code seenNo}.
     *
     * @param seenNo the number of the last message loaded from {@code peer}, as read in the same
     *     transaction (R12)
     */
    default void register(String peer, ObjectKey key, Digest digest, Digest base, long seenNo) {
        register(peer, key, digest, base, seenNo, false, 0);
    }

    /**
     * {@link #register(String, ObjectKey, Digest, Digest, long)} as a repair or not: see
     * {@link #register(String, ObjectKey, Digest, Digest, long, boolean, long)}, with session 0.
     */
    default void register(String peer, ObjectKey key, Digest digest, Digest base, long seenNo, boolean repair) {
        register(peer, key, digest, base, seenNo, repair, 0);
    }

    /**
     * {@link #register(String, ObjectKey, Digest, Digest, long)} in an engine session: see
     * {@link #register(String, ObjectKey, Digest, Digest, long, boolean, long)}, no repair.
     */
    default void register(String peer, ObjectKey key, Digest digest, Digest base, long seenNo, long session) {
        register(peer, key, digest, base, seenNo, false, session);
    }

    /**
     * {@link #register(String, ObjectKey, Digest, Digest, long)}, and the row's
     * {@link Registration#repair() repair} flag becomes {@code repair}, and its
     * {@link Registration#session() session} becomes {@code session}.
     *
     * @param repair true when a reconciliation registers the change as a repair (SPEC §5), false for
     *     every ordinary change, which so clears the flag of an earlier repair of the key
     * @param session the engine session registering the row, by which the engine tells, once it
     *     finds this node was restored from a backup, the rows registered since it knew from those
     *     that may come from the backup (R4); 0 when unknown, and the row then counts as possibly from
     *     a backup: on a restored link the peer wins against it
     */
    void register(String peer, ObjectKey key, Digest digest, Digest base, long seenNo, boolean repair, long session);

    /**
     * {@link #register(String, ObjectKey, Digest, Digest, long)} with {@link Digest#ABSENT} as the
     * base of a new row and a {@code seenNo} of 0: for tests and tools, not the engine.
     */
    default void register(String peer, ObjectKey key, Digest digest) {
        register(peer, key, digest, Digest.ABSENT, 0);
    }

    /**
     * Marks the row of (peer, key) rejected (R6 quarantine: the peer listed the key as rejected
     * and acknowledged the message that carried it). A rejected row stays registered but is
     * neither numbered nor carried ({@link #numberUnsent}, {@link #numbered}), and
     * {@link #acknowledge} keeps it, until {@link #register} clears the flag because the object
     * changed again or an operator released it. Its other fields are kept. Does nothing if there
     * is no row.
     *
     * @return whether a row existed
     */
    boolean reject(String peer, ObjectKey key);

    /** Deletes the row of (peer, key); returns whether one existed. */
    boolean unregister(String peer, ObjectKey key);

    /** The row of (peer, key), if any. */
    Optional<Registration> registration(String peer, ObjectKey key);

    /** Every row of {@code peer}, rejected ones included, in key order. The caller closes the stream. */
    Stream<Registration> registrations(String peer);

    /** The number of rows for {@code peer}, rejected ones included. */
    long countRegistrations(String peer);

    /** The number of rows for {@code peer} that an export would carry or number (not rejected). */
    long countSendable(String peer);

    /**
     * Sets {@code firstSentNo = messageNo} on at most {@code cap} rows of {@code peer} that have
     * none and are not rejected, taken in key order (R3, transaction T1).
     *
     * @return the number of rows numbered
     */
    long numberUnsent(String peer, long messageNo, long cap);

    /**
     * Every row of {@code peer} with a {@code firstSentNo}, not rejected, in key order (R3:
     * every message carries all of them). The caller closes the stream.
     */
    Stream<Registration> numbered(String peer);

    /**
     * Records that message {@code messageNo} carried {@code key} in the state with {@code digest}
     * (R3). Does nothing if the row no longer exists. Leaves {@code firstSentNo} as it is.
     */
    void recordSent(String peer, ObjectKey key, long messageNo, Digest digest);

    /**
     * Clears {@code firstSentNo} on the rows of {@code peer} where it equals {@code messageNo}:
     * undoes {@link #numberUnsent} for a message that never reached the transport.
     */
    void unnumber(String peer, long messageNo);

    /**
     * Applies the peer's acknowledgment of message {@code k} (R4): deletes every row of
     * {@code peer} whose {@code firstSentNo} is in {@code 1..k}, and every row whose
     * {@code lastSentNo} is in {@code 1..k} and whose {@code lastSentDigest} equals its
     * {@code digest}. Rejected rows are kept. Every other row whose {@code lastSentNo} is in
     * {@code 1..k} is kept with its {@code base} set to its {@code lastSentDigest}: the peer now
     * holds that state (R12). The cost should be proportional to the rows deleted, not to all
     * rows (an index on (peer, firstSentNo) and (peer, lastSentNo)).
     *
     * @return the number of rows deleted
     */
    long acknowledge(String peer, long k);

    // ---- tombstones (R13)

    /** Records that {@code key} was deleted at {@code at}, replacing an earlier tombstone. */
    void putTombstone(ObjectKey key, Instant at);

    /** When {@code key} was deleted, if this node holds its tombstone. */
    Optional<Instant> tombstone(ObjectKey key);

    /** The keys of every tombstone this node holds, in key order. The caller closes the stream. */
    Stream<ObjectKey> tombstones();

    /** Removes the tombstone of {@code key}; returns whether one existed. */
    boolean removeTombstone(ObjectKey key);

    /**
     * Deletes the tombstones recorded before {@code before} whose key no registration row of any
     * peer holds (R13: a tombstone is kept while registered, then for the retention period).
     *
     * @return how many were deleted
     */
    long pruneTombstones(Instant before);

    // ---- retractions (R4, R9)

    /**
     * Records that {@code key} was retracted from {@code peer} at {@code at}, replacing an earlier
     * record. A retraction leaves no tombstone, so this record is what lets the node retract the
     * object again if {@code peer} is restored from a backup that still holds it (R4).
     */
    void putRetraction(String peer, ObjectKey key, Instant at);

    /** The keys retracted from {@code peer} and still recorded, in key order. The caller closes the stream. */
    Stream<ObjectKey> retractions(String peer);

    /**
     * Keeps the state this node held of an object when {@code peer} retracted it from this node,
     * replacing an earlier copy of that key from that peer. A retraction leaves the object nowhere
     * on this side; if the peer is then restored from a backup taken before it held the object, this
     * copy may be the only one left anywhere, and it is offered back to the peer (R4).
     */
    void putRetractedCopy(String peer, DataObject state, Instant at);

    /**
     * The copies kept of what {@code peer} retracted from this node, in key order. The caller closes
     * the stream.
     */
    Stream<DataObject> retractedCopies(String peer);

    /**
     * Deletes the retraction records and the retracted copies made before {@code before} (the
     * tombstone retention, R13).
     *
     * @return how many were deleted
     */
    long pruneRetractions(Instant before);

    // ---- documents to repost at the central node (seed 004)

    /** Marks {@code key} to be reposted at this (central) node; marking it again changes nothing. */
    void putRepostMark(ObjectKey key);

    /** Removes the mark of {@code key}; returns whether there was one. */
    boolean removeRepostMark(ObjectKey key);

    /** The marked keys, in key order. The caller closes the stream. */
    Stream<ObjectKey> repostMarks();

    // ---- keys this node set aside (R6 quarantine)

    /**
     * Lists {@code key} as rejected in this node's headers to {@code peer}, from message
     * {@code sinceNo} on, until the peer acknowledges a message numbered {@code sinceNo} or more.
     * Replaces an earlier entry of the same key.
     */
    void putRejectedKey(String peer, ObjectKey key, long sinceNo);

    /** The keys listed as rejected for {@code peer}, in key order. */
    java.util.List<ObjectKey> rejectedKeys(String peer);

    /** Removes the rejected keys of {@code peer} listed since a number up to {@code acknowledgedNo}. */
    void pruneRejectedKeys(String peer, long acknowledgedNo);

    // ---- control items and reconciliation runs (SPEC §5)

    /**
     * Stores a control item to send to {@code peer} (a step of a reconciliation), replacing one of
     * the same key, as not yet sent. Control items go out in every message to the peer until one
     * that carried them is acknowledged.
     *
     * <p>The default throws {@link UnsupportedOperationException}: a store without control items
     * cannot take part in a reconciliation.
     */
    default void putControl(String peer, DataObject item) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no control items (SPEC §5)");
    }

    /**
     * The control items to send to {@code peer}, in key order, each with the number of the first
     * message that carried it (0 while none did). The caller closes the stream.
     *
     * <p>The default has none.
     */
    default Stream<Control> controls(String peer) {
        return Stream.empty();
    }

    /**
     * Records that message {@code no} carried the control item {@code key} to {@code peer}, unless
     * an earlier message did; does nothing if the item is gone.
     */
    default void recordControlSent(String peer, ObjectKey key, long no) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no control items (SPEC §5)");
    }

    /**
     * Deletes the control items to {@code peer} that a message numbered up to {@code k} carried
     * (the peer acknowledged {@code k}); returns how many.
     *
     * <p>The default has none to delete.
     */
    default long acknowledgeControls(String peer, long k) {
        return 0;
    }

    /**
     * Stores the state of a reconciliation run, keyed by its object's key, replacing an earlier
     * one. Runs are dibex's records, never sent as such.
     *
     * <p>The default throws {@link UnsupportedOperationException}, as {@link #putControl}.
     */
    default void putRun(DataObject run) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no reconciliation runs (SPEC §5)");
    }

    /** The state of a reconciliation run, if stored. The default has none. */
    default Optional<io.dibex.model.DataObject> run(ObjectKey key) {
        return Optional.empty();
    }

    /**
     * Deletes the state of a reconciliation run; returns whether there was one.
     *
     * <p>The default throws {@link UnsupportedOperationException}, as {@link #putRun}.
     */
    default boolean deleteRun(ObjectKey key) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no reconciliation runs (SPEC §5)");
    }

    /** Every stored reconciliation run, in key order. The caller closes the stream. The default has none. */
    default Stream<io.dibex.model.DataObject> runs() {
        return Stream.empty();
    }

    // ---- sequence boundaries (R14)

    /**
     * The boundary of the sequence named {@code sequence}, if one was ever stored. The engine
     * reads and writes it in the same transaction as the document write that moves it, so a
     * store must give it the same isolation as everything else.
     *
     * <p>The default throws {@link UnsupportedOperationException}: a store without sequence
     * boundaries can serve only plans that declare no sequence.
     */
    default Optional<io.dibex.model.SequenceBoundary> sequenceBoundary(String sequence) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no sequence boundaries (R14)");
    }

    /**
     * Stores the boundary of the sequence named {@code sequence}, replacing an earlier one.
     * Durable like any other write once the transaction commits.
     *
     * <p>The default throws {@link UnsupportedOperationException}, as {@link #sequenceBoundary}.
     */
    default void putSequenceBoundary(String sequence, io.dibex.model.SequenceBoundary boundary) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no sequence boundaries (R14)");
    }

    // ---- journal (R15)

    /** Appends a journal entry; entries keep their order of appending. */
    void appendJournal(JournalEntry entry);

    /** Every journal entry in the order appended. The caller closes the stream. */
    Stream<JournalEntry> journal();

    /** Deletes journal entries older than {@code before}; returns how many. */
    long pruneJournal(Instant before);
}
