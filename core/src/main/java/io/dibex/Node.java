package io.dibex;

import io.dibex.codec.MessageCodec;
import io.dibex.internal.Engine;
import io.dibex.spi.ExchangeListener;
import io.dibex.spi.IncomingMessage;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.PeerState;
import io.dibex.spi.Storage;
import io.dibex.spi.Transport;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One node of an exchange plan: the entry point of the library. A node writes host changes with
 * their registrations ({@link #inTransaction}), exports messages to its neighbours
 * ({@link #exportTo}) and imports theirs ({@link #importMessage}, {@link #importAll}).
 *
 * <p>Threading. A node is thread-safe. Everything about one peer is serialized: an export to P
 * and an import from P never overlap. Exports to different peers, imports from different peers
 * and host writes may run at once; their consistency is the {@link Storage}'s isolation.
 *
 * <p>A node holds no state of its own beyond its configuration: everything is in the store, so a
 * node rebuilt on the same store after a crash carries on where the last commit left it.
 */
public final class Node {

    /** Work run inside a host transaction. */
    @FunctionalInterface
    public interface Work<T> {
        /** Runs the work; an exception rolls the whole transaction back. */
        T run(HostTransaction tx) throws Exception;
    }

    private final Engine engine;

    private Node(Builder b) {
        this.engine = new Engine(b.plan, b.name, b.storage, b.transport, b.codec, b.clock, b.listener);
    }

    /** Starts a node named {@code name} of {@code plan}. */
    public static Builder builder(ExchangePlan plan, String name) {
        return new Builder(plan, name);
    }

    /** This node's name. */
    public String name() {
        return engine.name();
    }

    /** The plan. */
    public ExchangePlan plan() {
        return engine.plan();
    }

    /** Whether this is the plan's central node (the seeds' {@code ТекущаяИБЦентральная()}). */
    public boolean isCentral() {
        return engine.plan().central().equals(engine.name());
    }

    /** This node's neighbours: its parent first, then its children. */
    public List<String> neighbours() {
        return engine.plan().neighboursOf(engine.name());
    }

    /**
     * Runs host work in one transaction: its writes and their registrations commit together when
     * it returns, or nothing does if it throws.
     *
     * <p>The work must not call this node's {@link #exportTo}, {@link #importMessage} or another
     * {@code inTransaction}: they would need a second transaction on the same thread.
     *
     * @return what the work returned
     * @throws StorageException when the store fails; a checked exception of the work is wrapped in
     *     a {@link DibexException}, an unchecked one is rethrown as it is
     */
    public <T> T inTransaction(Work<T> work) {
        return engine.inTransaction(work);
    }

    /**
     * Exports one message to neighbour {@code peer} if there is something to send (R3, R7):
     * registrations, an acknowledgment owed, a pending {@code restored} flag, or a keep-alive due.
     *
     * @return what was sent, or empty when nothing was due
     * @throws IllegalArgumentException when {@code peer} is not a neighbour
     * @throws NumberingExhaustedException at {@code Long.MAX_VALUE} (R1)
     * @throws StorageException when the store fails: then no registration is left marked with a
     *     number that no message carries to the transport
     * @throws TransportException when the transport fails, with the same guarantee
     */
    public Optional<ExportResult> exportTo(String peer) {
        return engine.exportTo(peer);
    }

    /** Exports to every neighbour in turn; returns what was sent. */
    public List<ExportResult> exportAll() {
        return engine.exportAll();
    }

    /**
     * Imports one incoming message (R4–R8): checks the header, applies the acknowledgment in its
     * own transaction, then the body all or nothing, and commits the message at the transport
     * only after that. A duplicate is reported as {@link ImportResult.Status#ALREADY_RECEIVED}.
     *
     * @throws HeaderRejectedException for another plan, another recipient or an unknown sender
     * @throws MalformedMessageException for bytes that are not a valid message
     * @throws ImportFailedException when the body fails; nothing of it is applied
     */
    public ImportResult importMessage(IncomingMessage message) {
        return engine.importMessage(message);
    }

    /**
     * Imports every message the transport holds for this node. A message that fails is released
     * back to the transport and its failure is journaled; the others are still imported.
     *
     * @return the results of the messages that were imported or skipped as duplicates
     */
    public List<ImportResult> importAll() {
        return engine.importAll();
    }

    /** The counters for a neighbour (R1, R4, R5). */
    public PeerState peerState(String peer) {
        return engine.peerState(peer);
    }

    /** The number of registrations waiting for a neighbour. */
    public long pendingRegistrations(String peer) {
        return engine.pendingRegistrations(peer);
    }

    /** The journal (R15), oldest entry first. */
    public List<JournalEntry> journal() {
        return engine.journal();
    }

    /**
     * Deletes journal entries older than the plan's retention, and with them the records of
     * reconciliation runs finished before it (or started before it and never finished); returns how
     * many entries and runs were deleted.
     */
    public long pruneJournal() {
        return engine.pruneJournal();
    }

    /**
     * Deletes the tombstones whose registrations are all gone and that are older than the plan's
     * retention (R13); returns how many.
     */
    public long pruneTombstones() {
        return engine.pruneTombstones();
    }

    /**
     * Releases an object that {@code peer} refused (R6 quarantine): its registration, held back
     * since, is sent again with the next message.
     *
     * @return whether a held-back registration was released
     */
    public boolean release(String peer, io.dibex.model.ObjectKey key) {
        return engine.release(peer, key);
    }

    /**
     * The boundary of a sequence kept at this node (R14): documents of the sequence before it are
     * correctly posted. Empty until a document of the sequence was written or loaded here.
     *
     * @throws IllegalArgumentException when the plan has no such sequence
     * @throws IllegalStateException when the sequence is kept at the central node only and this
     *     node is not it
     */
    public Optional<io.dibex.model.SequenceBoundary> sequenceBoundary(String sequence) {
        return engine.sequenceBoundary(sequence);
    }

    /**
     * Restores a sequence (R14, the seeds' ВосстановлениеПоследовательностей): reposts, in point
     * order, every document of the sequence from its boundary whose date-time is not after
     * {@code upTo}, calling {@code posting} for each with the registration of that document's
     * write suppressed (R10: reposting that changes only {@code LOCAL} records is sent nowhere).
     * Each document is reposted in its own transaction, which also moves the boundary just past it;
     * the restore's own writes never move the boundary back. After a failure of the posting code
     * the boundary stands past the last document reposted, and a later call resumes there. An
     * interrupted thread stops the run between two documents. Every run is journaled.
     *
     * <p>Runs of the same sequence on one node are serialized. Host writes may go on meanwhile; one
     * that moves the boundary back makes the run scan again from there.
     *
     * @return how many documents were reposted, whether the run reached {@code upTo}, and the boundary
     * @throws IllegalArgumentException when the plan has no such sequence
     * @throws IllegalStateException when the sequence is kept at the central node only and this
     *     node is not it
     * @throws DibexException when the posting code fails (its exception is the cause) or the store does
     */
    public Sequence.RestoreResult restoreSequence(String sequence, java.time.LocalDateTime upTo,
            Sequence.Posting posting, Sequence.Progress progress) {
        return engine.restoreSequence(sequence, upTo, posting, progress);
    }

    /** {@link #restoreSequence(String, java.time.LocalDateTime, Sequence.Posting, Sequence.Progress)} without progress reports. */
    public Sequence.RestoreResult restoreSequence(String sequence, java.time.LocalDateTime upTo,
            Sequence.Posting posting) {
        return restoreSequence(sequence, upTo, posting, Sequence.Progress.NONE);
    }

    /**
     * Reposts at this central node every document marked when it was loaded from a peripheral node
     * ({@link ExchangePlan.Builder#repostAtCentral}), each in its own transaction with its
     * registration suppressed (R10), so that the reposting sends nothing back; the mark goes in the
     * same transaction. Seed 004 runs this before the sequence restore. A document deleted since is
     * only unmarked. An interrupted or failed run resumes with what is still marked.
     *
     * @param posting the host's posting code
     * @param progress told of each reposted document, with the number marked at the start as total
     * @return how many documents were reposted
     * @throws IllegalStateException when this node is not the central node
     * @throws DibexException when the posting code fails (its exception is the cause; that document
     *     stays marked) or the store does
     */
    public long repostMarked(Sequence.Posting posting, Sequence.Progress progress) {
        return engine.repostMarked(posting, progress);
    }

    /** {@link #repostMarked(Sequence.Posting, Sequence.Progress)} without progress reports. */
    public long repostMarked(Sequence.Posting posting) {
        return repostMarked(posting, Sequence.Progress.NONE);
    }

    /**
     * Starts a document reconciliation (SPEC §5, seed 000) from this central node with each child
     * on the plan's auto-send list ({@link Reconciliation#autoSend()}), over the window of document
     * dates ending today by the node's clock. Each run is step 1: a request, a control item that goes
     * out with the next export to the child and in every one after until acknowledged. The ordinary
     * exchange carries the rest: the child compares and registers its repairs, the central node
     * registers its own with the echo reply, and the child's report completes the run, queryable
     * with {@link #reconciliations()}. Every step is journaled
     * ({@link io.dibex.spi.JournalEntry.Kind#RECONCILIATION}).
     *
     * @return the runs started, one per child, in the list's order
     * @throws IllegalStateException when this node is not the central node, or the plan has no
     *     reconciliation settings
     */
    public List<ReconciliationReport> reconcile() {
        return engine.reconcile();
    }

    /**
     * The reconciliation runs this central node started, oldest first (runs started together in the
     * order of the auto-send list), each as far as
     * it has come: a run is {@link ReconciliationReport.State#DONE} once the child's report arrived.
     */
    public List<ReconciliationReport> reconciliations() {
        return engine.reconciliations();
    }

    /** Builds a {@link Node}. */
    public static final class Builder {
        private final ExchangePlan plan;
        private final String name;
        private Storage storage;
        private Transport transport;
        private MessageCodec codec = MessageCodec.binary();
        private Clock clock = Clock.systemUTC();
        private ExchangeListener listener = ExchangeListener.NONE;

        private Builder(ExchangePlan plan, String name) {
            this.plan = Objects.requireNonNull(plan, "plan");
            if (!plan.hasNode(name)) {
                throw new IllegalArgumentException("plan " + plan.name() + " has no node '" + name
                        + "'; its nodes are " + plan.nodes());
            }
            this.name = name;
        }

        /** The store (required). */
        public Builder storage(Storage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /** The transport (required). */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * The codec (default: {@link MessageCodec#binary()}). Both ends of every link must use
         * codecs with the same {@link MessageCodec#capabilities()}: a node that writes no message
         * ids gives its messages implied ones, and its peer must do the same.
         */
        public Builder codec(MessageCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** The clock for the journal and keep-alives (default: the system clock, UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** An observer of every journal entry. */
        public Builder listener(ExchangeListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The node.
         *
         * @throws IllegalStateException without a storage or a transport, or when the plan needs
         *     what the codec cannot carry ({@link MessageCodec#capabilities()}): quarantine needs
         *     rejected keys, routing other than {@link Routing#EVERYWHERE} needs retractions,
         *     reconciliation settings need repair flags and control items
         */
        public Node build() {
            if (storage == null || transport == null) {
                throw new IllegalStateException("node " + name + " needs a storage and a transport");
            }
            return new Node(this);
        }
    }
}
