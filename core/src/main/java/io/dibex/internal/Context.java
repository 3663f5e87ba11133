package io.dibex.internal;

import io.dibex.DibexException;
import io.dibex.ExchangePlan;
import io.dibex.StorageException;
import io.dibex.codec.MessageCodec;
import io.dibex.spi.ExchangeListener;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import io.dibex.spi.Transport;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What every part of the engine of one node shares: its configuration, its stores, and the way
 * it runs transactions and writes the journal.
 */
final class Context {

    private static final System.Logger LOG = System.getLogger("io.dibex");

    final ExchangePlan plan;
    final String me;
    final Storage storage;
    final Transport transport;
    final MessageCodec codec;
    final Clock clock;
    final ExchangeListener listener;
    /** The codec carries message ids; else the engine gives its messages implied ones (R4). */
    final boolean messageIds;
    /** The codec carries the restored flag (R4). */
    final boolean restoredFlag;
    /** The last session number given out in this JVM (see {@link #nextSession()}). */
    private static final AtomicLong LAST_SESSION = new AtomicLong();

    /**
     * The session rows are registered in (R4): a number greater than any earlier session's (the wall
     * clock in microseconds, kept increasing), new each time a node is built on its store and when it
     * first finds, in this build, that it was restored from a backup. The rows of that restore's
     * session and of later ones are changes made after the node knew; older rows may come from the
     * backup.
     */
    private volatile long session;
    /** The session begun when this build first found the node restored; 0 until then. */
    private long restoreSession;

    Context(ExchangePlan plan, String me, Storage storage, Transport transport, MessageCodec codec, Clock clock,
            ExchangeListener listener) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.me = Objects.requireNonNull(me, "me");
        this.storage = Objects.requireNonNull(storage, "storage");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        Set<MessageCodec.Capability> can = codec.capabilities();
        this.messageIds = can.contains(MessageCodec.Capability.MESSAGE_IDS);
        this.restoredFlag = can.contains(MessageCodec.Capability.RESTORED_FLAG);
        this.session = nextSession();
    }

    /** The session rows are registered in now. */
    long session() {
        return session;
    }

    /**
     * The session of the restore this node has found: begun at the first finding in this build, so
     * that a restore found on one link and then on another is one restore, and the rows registered
     * between the two findings count as made after it on both links (R4). A build can tell nothing
     * of a restore found before it: a finding after a restart begins a session of its own.
     */
    synchronized long restoreSession() {
        if (restoreSession == 0) {
            restoreSession = nextSession();
            session = restoreSession;
        }
        return restoreSession;
    }

    /** A session number greater than every earlier one: in this JVM, and across restarts by the wall clock. */
    private static long nextSession() {
        long now = Math.multiplyExact(System.currentTimeMillis(), 1000L);
        return LAST_SESSION.updateAndGet(last -> Math.max(last + 1, now));
    }

    /** Runs {@code work} in one transaction and commits it; rolls back if anything throws. */
    <T> T inTx(Function<StoreTransaction, T> work) {
        try (Txn txn = Txn.begin(storage)) {
            T result = work.apply(txn.tx());
            txn.commit();
            return result;
        }
    }

    /** A journal entry stamped now. */
    JournalEntry entry(JournalEntry.Kind kind, String peer, long messageNo, long receivedNo, long objects,
            long bytes, long startNanos, String detail, List<io.dibex.model.ObjectKey> keys) {
        long millis = startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1_000_000;
        return new JournalEntry(clock.instant(), kind, peer, messageNo, receivedNo, objects, bytes, millis, detail,
                keys);
    }

    /**
     * Writes journal entries in their own transaction (R15), after the work they describe committed
     * or rolled back. If that write fails too, the failure is attached to {@code failure} as
     * suppressed when there is one, and logged otherwise: a journal failure never hides the
     * outcome of the work itself.
     */
    void journal(List<JournalEntry> entries, Throwable failure) {
        if (entries.isEmpty()) {
            return;
        }
        try {
            inTx(tx -> {
                for (JournalEntry e : entries) {
                    tx.exchange().appendJournal(e);
                }
                return null;
            });
        } catch (DibexException | IllegalStateException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                LOG.log(System.Logger.Level.WARNING, "node " + me + " could not write its journal", e);
            }
            return;
        }
        for (JournalEntry e : entries) {
            try {
                listener.onEntry(e);
            } catch (RuntimeException listenerFailure) {
                LOG.log(System.Logger.Level.WARNING, "node " + me + ": exchange listener failed", listenerFailure);
            }
        }
    }

    void journal(JournalEntry entry, Throwable failure) {
        journal(List.of(entry), failure);
    }

    /** Wraps an unexpected runtime exception of a store so that callers see a library exception. */
    static DibexException asLibraryException(RuntimeException e) {
        return e instanceof DibexException d ? d : new StorageException("store failed: " + e, e);
    }
}
