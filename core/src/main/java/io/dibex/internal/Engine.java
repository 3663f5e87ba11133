package io.dibex.internal;

import io.dibex.DibexException;
import io.dibex.ExchangePlan;
import io.dibex.ExportResult;
import io.dibex.ImportResult;
import io.dibex.Node;
import io.dibex.PoisonPolicy;
import io.dibex.Routing;
import io.dibex.Sequence;
import io.dibex.codec.MessageCodec;
import io.dibex.model.SequenceBoundary;
import io.dibex.spi.ExchangeListener;
import io.dibex.spi.IncomingMessage;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.PeerState;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import io.dibex.spi.Transport;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The exchange engine behind {@link Node}: orchestrates the exporter, the importer and host
 * transactions, and serializes everything about one peer with a lock per peer.
 */
public final class Engine {

    private final Context ctx;
    private final Registrar registrar;
    private final Exporter exporter;
    private final Importer importer;
    private final Reconciler reconciler;
    private final Map<String, Lock> peerLocks = new ConcurrentHashMap<>();
    private final Map<String, Lock> restoreLocks = new ConcurrentHashMap<>();

    /** An engine for node {@code name} of {@code plan}. */
    public Engine(ExchangePlan plan, String name, Storage storage, Transport transport, MessageCodec codec,
            Clock clock, ExchangeListener listener) {
        requireCapabilities(plan, name, codec);
        this.ctx = new Context(plan, name, storage, transport, codec, clock, listener);
        this.registrar = new Registrar(plan, name, clock, ctx::session);
        this.reconciler = new Reconciler(ctx);
        this.exporter = new Exporter(ctx, reconciler);
        this.importer = new Importer(ctx, registrar, this::lockOf, reconciler);
    }

    /**
     * Refuses a plan that needs what its codec cannot carry (SPEC §4), so that nothing is lost at
     * the first message that would need it: the quarantine policy needs rejected keys (R6), and
     * routing other than {@link io.dibex.Routing#EVERYWHERE} needs retractions (R9), since an
     * object can then stop going to a neighbour, and reconciliation settings need repair flags and
     * control items (SPEC §5). Message ids and the restored flag are not
     * required: without them restores are detected in a weaker way (see
     * {@link MessageCodec.Capability}).
     *
     * @throws IllegalStateException naming every missing capability and what needs it
     */
    static void requireCapabilities(ExchangePlan plan, String node, MessageCodec codec) {
        Set<MessageCodec.Capability> can = codec.capabilities();
        List<String> missing = new ArrayList<>();
        if (plan.poisonPolicy() == PoisonPolicy.QUARANTINE && !can.contains(MessageCodec.Capability.REJECTED_KEYS)) {
            missing.add("its poison policy QUARANTINE needs rejected keys in message headers (R6); use"
                    + " PoisonPolicy.KEEP_FAILING");
        }
        if (plan.routing() != Routing.EVERYWHERE && !can.contains(MessageCodec.Capability.RETRACTIONS)) {
            missing.add("its routing predicate can stop sending an object to a node, which needs retractions"
                    + " (R9); route everything everywhere (Routing.EVERYWHERE)");
        }
        if (plan.reconciliation().isPresent() && !can.contains(MessageCodec.Capability.CONTROL_ITEMS)) {
            missing.add("its reconciliation settings need repair flags and control items in the body (SPEC §5);"
                    + " drop the plan's reconciliation");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("node " + node + " cannot serve plan " + plan.name() + " with codec "
                    + codec.name() + ", which carries only " + can + ": " + String.join("; ", missing)
                    + " - or use a codec that carries them (for XML, dibex's additions on)");
        }
    }

    /** The node's name. */
    public String name() {
        return ctx.me;
    }

    /** The plan. */
    public ExchangePlan plan() {
        return ctx.plan;
    }

    /** See {@link Node#inTransaction}. */
    public <T> T inTransaction(Node.Work<T> work) {
        try (Txn txn = Txn.begin(ctx.storage)) {
            HostTx host = new HostTx(ctx, registrar, txn.tx());
            T result;
            try {
                result = work.run(host);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new DibexException("host work failed on node " + ctx.me + ": " + e.getMessage()
                        + "; nothing of it was committed", e);
            } finally {
                host.end();
            }
            txn.commit();
            ctx.journal(host.notes(), null);
            return result;
        }
    }

    /** See {@link Node#sequenceBoundary}. */
    public Optional<SequenceBoundary> sequenceBoundary(String sequence) {
        requireKept(sequence);
        return ctx.inTx(tx -> tx.exchange().sequenceBoundary(sequence));
    }

    /** See {@link Node#restoreSequence}. */
    public Sequence.RestoreResult restoreSequence(String sequence, LocalDateTime upTo, Sequence.Posting posting,
            Sequence.Progress progress) {
        Sequence seq = requireKept(sequence);
        Objects.requireNonNull(upTo, "upTo");
        Objects.requireNonNull(posting, "posting");
        Objects.requireNonNull(progress, "progress");
        Lock lock = restoreLocks.computeIfAbsent(sequence, s -> new ReentrantLock());
        lock.lock();
        try {
            return new Restore(ctx, registrar, seq, upTo, posting, progress).run();
        } finally {
            lock.unlock();
        }
    }

    /** See {@link Node#repostMarked}. */
    public long repostMarked(Sequence.Posting posting, Sequence.Progress progress) {
        Objects.requireNonNull(posting, "posting");
        Objects.requireNonNull(progress, "progress");
        if (!ctx.me.equals(ctx.plan.central())) {
            throw new IllegalStateException("documents are marked for reposting at the central node "
                    + ctx.plan.central() + " only, not at " + ctx.me);
        }
        Lock lock = restoreLocks.computeIfAbsent("", s -> new ReentrantLock());
        lock.lock();
        try {
            return new Reposting(ctx, registrar, posting, progress).run();
        } finally {
            lock.unlock();
        }
    }

    private Sequence requireKept(String sequence) {
        Sequence seq = ctx.plan.sequences().get(sequence);
        if (seq == null) {
            throw new IllegalArgumentException("plan " + ctx.plan.name() + " has no sequence '" + sequence
                    + "'; its sequences are " + ctx.plan.sequences().keySet());
        }
        if (!seq.keptAt(ctx.plan, ctx.me)) {
            throw new IllegalStateException("sequence " + sequence + " is kept at the central node "
                    + ctx.plan.central() + " only; node " + ctx.me + " keeps no boundary of it (R14)");
        }
        return seq;
    }

    /** See {@link Node#exportTo}. */
    public Optional<ExportResult> exportTo(String peer) {
        requireNeighbour(peer);
        Lock lock = lockOf(peer);
        lock.lock();
        try {
            return exporter.export(peer);
        } finally {
            lock.unlock();
        }
    }

    /** See {@link Node#exportAll}. */
    public List<ExportResult> exportAll() {
        List<ExportResult> sent = new ArrayList<>();
        for (String peer : ctx.plan.neighboursOf(ctx.me)) {
            exportTo(peer).ifPresent(sent::add);
        }
        return sent;
    }

    /** See {@link Node#importMessage}. */
    public ImportResult importMessage(IncomingMessage message) {
        return importer.importMessage(message);
    }

    /** See {@link Node#importAll}. */
    public List<ImportResult> importAll() {
        List<ImportResult> results = new ArrayList<>();
        for (IncomingMessage message : ctx.transport.receive(ctx.me)) {
            try {
                results.add(importer.importMessage(message));
            } catch (DibexException e) {
                // Journaled and released by the importer; the other messages still get their turn.
            }
        }
        return results;
    }

    /** See {@link Node#peerState}. */
    public PeerState peerState(String peer) {
        requireNeighbour(peer);
        return ctx.inTx(tx -> tx.exchange().peer(peer));
    }

    /** See {@link Node#pendingRegistrations}. */
    public long pendingRegistrations(String peer) {
        requireNeighbour(peer);
        return ctx.inTx(tx -> tx.exchange().countRegistrations(peer));
    }

    /** See {@link Node#journal}. */
    public List<JournalEntry> journal() {
        return ctx.inTx(tx -> {
            try (Stream<JournalEntry> entries = tx.exchange().journal()) {
                return entries.collect(Collectors.toList());
            }
        });
    }

    /** See {@link Node#pruneJournal}. */
    /** See {@link Node#reconcile()}. */
    public List<io.dibex.ReconciliationReport> reconcile() {
        return reconciler.start(java.time.LocalDate.now(ctx.clock));
    }

    /** See {@link Node#reconciliations()}. */
    public List<io.dibex.ReconciliationReport> reconciliations() {
        return ctx.inTx(reconciler::reports);
    }

    /** See {@link Node#pruneJournal}. */
    public long pruneJournal() {
        java.time.Instant before = ctx.clock.instant().minus(ctx.plan.journalRetention());
        return ctx.inTx(tx -> tx.exchange().pruneJournal(before) + reconciler.pruneRuns(tx, before));
    }

    /** See {@link Node#pruneTombstones}. */
    public long pruneTombstones() {
        return ctx.inTx(tx -> {
            java.time.Instant before = ctx.clock.instant().minus(ctx.plan.tombstoneRetention());
            return tx.exchange().pruneTombstones(before) + tx.exchange().pruneRetractions(before);
        });
    }

    /** See {@link Node#release}. */
    public boolean release(String peer, io.dibex.model.ObjectKey key) {
        requireNeighbour(peer);
        Lock lock = lockOf(peer);
        lock.lock();
        try {
            return ctx.inTx(tx -> {
                Optional<io.dibex.spi.Registration> row = tx.exchange().registration(peer, key);
                if (row.isEmpty() || !row.get().rejected()) {
                    return false;
                }
                tx.exchange().register(peer, key, row.get().digest(), row.get().base(),
                        tx.exchange().peer(peer).lastLoadedNo(), row.get().session());
                return true;
            });
        } finally {
            lock.unlock();
        }
    }

    private Lock lockOf(String peer) {
        return peerLocks.computeIfAbsent(peer, p -> new ReentrantLock());
    }

    private void requireNeighbour(String peer) {
        if (!ctx.plan.hasNode(peer) || !ctx.plan.areNeighbours(ctx.me, peer)) {
            throw new IllegalArgumentException("'" + peer + "' is not a neighbour of node " + ctx.me
                    + "; its neighbours are " + ctx.plan.neighboursOf(ctx.me));
        }
    }
}
