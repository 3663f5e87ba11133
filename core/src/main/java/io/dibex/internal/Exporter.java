package io.dibex.internal;

import io.dibex.DibexException;
import io.dibex.ExportResult;
import io.dibex.NumberingExhaustedException;
import io.dibex.ObjectKind;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageWriter;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.OutgoingMessage;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import io.dibex.spi.StoreTransaction;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Exports one message to one peer (R1, R3, R7). Three transactions:
 * <ol>
 *   <li>T1 allocates the number and id, numbers the unsent rows, and commits before any byte is
 *       written (R1);</li>
 *   <li>a read transaction that starts after T1 committed streams the numbered rows, loads the
 *       current states in batches and writes the message (R3's snapshot rule);</li>
 *   <li>T3 records, for each row carried, the number and the digest written, updates the peer's
 *       counters, hands the message to the transport, and commits.</li>
 * </ol>
 * If anything fails before the hand-over, T3 rolls back and the rows numbered in T1 are
 * un-numbered, so no row stays marked with a number that no message carries to the transport.
 * If T3's commit fails after the hand-over, the message is out and its rows stay numbered: the
 * peer's acknowledgment of it then deletes them as usual.
 */
final class Exporter {

    private static final int BATCH = 256;

    /** The id no message ever has (random ids are version 4): acknowledging with it says "you were restored". */
    static final UUID NOT_YOURS = new UUID(0, 0);

    private final Context ctx;
    private final Reconciler reconciler;

    Exporter(Context ctx, Reconciler reconciler) {
        this.ctx = ctx;
        this.reconciler = reconciler;
    }

    /** Exports to {@code peer} if something is due; the caller holds the peer's lock. */
    Optional<ExportResult> export(String peer) {
        long start = System.nanoTime();
        Allocation a;
        try {
            a = ctx.inTx(tx -> allocate(tx.exchange(), peer));
        } catch (RuntimeException e) {
            // Nothing was numbered: T1 rolled back (R15 still wants the failure on record).
            DibexException failure = Context.asLibraryException(e);
            ctx.journal(ctx.entry(JournalEntry.Kind.EXPORT_FAILED, peer, 0, 0, 0, 0, start,
                    "not sent, no number allocated: " + failure.getMessage(), List.of()), failure);
            throw failure;
        }
        if (a == null) {
            return Optional.empty();
        }
        boolean handedOver = false;
        Counts counts = new Counts();
        List<ObjectKey> controls = List.of();
        try (OutgoingMessage out = ctx.transport.create(ctx.me, peer);
                DigestSpool spool = new DigestSpool()) {
            CountingStream bytes = new CountingStream(out.stream());
            try (StoreTransaction read = ctx.storage.begin();
                    MessageWriter writer = ctx.codec.writer(bytes, ctx.plan, a.header)) {
                // Catalogs before documents, so that a host store with foreign keys can apply them in order.
                writeBody(read, peer, writer, spool, counts, true, a.backupBelow);
                writeBody(read, peer, writer, spool, counts, false, a.backupBelow);
                // Control items go behind every row registered before them (SPEC §5: the echo reply
                // comes with every repair registered before it), so they wait while rows are unsent.
                if (a.allNumbered) {
                    controls = reconciler.write(read, peer, writer);
                }
                writer.finish();
            }
            try (Txn t3 = Txn.begin(ctx.storage)) {
                ExchangeStore store = t3.tx().exchange();
                spool.forEach((key, digest) -> store.recordSent(peer, key, a.header.messageNo(), digest));
                for (ObjectKey key : controls) {
                    store.recordControlSent(peer, key, a.header.messageNo());
                }
                PeerState ps = store.peer(peer);
                store.putPeer(ps.withAckOwed(false).withLastSentAtMillis(Math.max(1, ctx.clock.millis())));
                out.send();
                handedOver = true;
                t3.commit();
            }
            ExportResult result = new ExportResult(peer, a.header.messageNo(), a.header.receivedNo(), counts.upserts,
                    counts.deletions, counts.retractions, a.newlyNumbered, bytes.count, a.header.restored());
            ctx.journal(ctx.entry(JournalEntry.Kind.EXPORT, peer, result.messageNo(), result.receivedNo(),
                    result.items(), result.bytes(), start, describe(result), List.of()), null);
            return Optional.of(result);
        } catch (RuntimeException e) {
            DibexException failure = Context.asLibraryException(e);
            if (!handedOver) {
                unnumber(peer, a.header.messageNo(), failure);
            }
            ctx.journal(ctx.entry(JournalEntry.Kind.EXPORT_FAILED, peer, a.header.messageNo(), a.header.receivedNo(),
                    counts.total(), 0, start, (handedOver ? "handed over, but its record failed: " : "not sent: ")
                            + failure.getMessage(), List.of()), failure);
            throw failure;
        }
    }

    private void unnumber(String peer, long messageNo, DibexException failure) {
        try {
            ctx.inTx(tx -> {
                tx.exchange().unnumber(peer, messageNo);
                return null;
            });
        } catch (RuntimeException again) {
            failure.addSuppressed(again);
        }
    }

    private static String describe(ExportResult r) {
        return "sent " + r.upserts() + " states, " + r.deletions() + " deletions, " + r.retractions()
                + " retractions (" + r.newlyNumbered() + " newly numbered)" + (r.restored() ? ", restored flag" : "");
    }

    /** T1: decides whether anything is due and, if so, allocates the message (R1, R3, R7). */
    private Allocation allocate(ExchangeStore store, String peer) {
        PeerState ps = store.peer(peer);
        List<ObjectKey> rejected = store.rejectedKeys(peer);
        // A flag the codec cannot carry is owed to nobody: waiting for its acknowledgment would
        // only send empty messages forever (R7).
        boolean flag = ps.restoredSinceNo() > 0 && ctx.restoredFlag;
        boolean due = store.countSendable(peer) > 0 || ps.ackOwed() || flag || Reconciler.pending(store, peer)
                || !rejected.isEmpty()
                || ctx.clock.millis() - ps.lastSentAtMillis() >= ctx.plan.keepAlive().toMillis();
        if (!due) {
            return null;
        }
        if (ps.lastAllocatedNo() == Long.MAX_VALUE) {
            throw new NumberingExhaustedException("node " + ctx.me + " has sent message number " + Long.MAX_VALUE
                    + " to " + peer + " and can number no more (R1)");
        }
        long n = ps.lastAllocatedNo() + 1;
        // Without ids on the wire, both ends imply the same id from the number (R4, weaker).
        UUID id = ctx.messageIds ? UUID.randomUUID() : MessageHeader.impliedId(ctx.plan.name(), ctx.me, peer, n);
        store.putSentMessage(peer, n, id);
        long cap = ctx.plan.newRowsPerMessage().isPresent() ? ctx.plan.newRowsPerMessage().getAsInt() : Long.MAX_VALUE;
        long numbered = store.numberUnsent(peer, n, cap);
        store.putPeer(ps.withLastAllocatedNo(n));
        // A peer restored without knowing it is told so by an acknowledgment whose id is none of its
        // messages' ids: it then finds itself restored (R4). Having loaded nothing from it, this node
        // names the peer's first message, so that the acknowledgment says something (only where ids
        // travel: an implied id would acknowledge that message for real).
        boolean tell = ps.peerRegressed() && (ps.lastLoadedNo() > 0 || ctx.messageIds);
        long receivedNo = tell ? Math.max(1, ps.lastLoadedNo()) : ps.lastLoadedNo();
        UUID receivedId = tell ? NOT_YOURS : ps.lastLoadedId();
        // The previous message's id chains this one to it: a peer that loaded another message of that
        // number learns that this node was restored (R4). Implied ids chain nothing.
        UUID previous = n > 1 && ctx.messageIds ? store.sentMessageId(peer, n - 1).orElse(null) : null;
        MessageHeader header = new MessageHeader(ctx.plan.name(), ctx.me, peer, n, id, receivedNo,
                receivedId, flag, rejected, previous, flag && ps.restoredSinceNo() <= n ? ps.restoredSinceNo() : 0,
                previous == null || flag ? List.of() : earlierIds(store, peer, ps.acknowledgedNo(), n));
        return new Allocation(header, numbered, numbered < cap, ctx.restoredFlag ? Importer.backupBelow(ps) : 0);
    }

    /**
     * R4: the ids of the messages before {@code n - 1} that the peer has not acknowledged, oldest
     * first (at most {@link MessageHeader#MAX_EARLIER_IDS}). The peer may have loaded one of them as
     * its last message while the acknowledgment naming it was lost; a message of another history
     * with that number, loaded there from this node's backup, then shows in its id, as the
     * {@code previousId} shows it for message {@code n - 1}.
     */
    private static List<UUID> earlierIds(ExchangeStore store, String peer, long acknowledgedNo, long n) {
        List<UUID> ids = new ArrayList<>();
        for (long k = n - 2; k > acknowledgedNo && k >= 1 && ids.size() < MessageHeader.MAX_EARLIER_IDS; k--) {
            Optional<UUID> id = store.sentMessageId(peer, k);
            if (id.isEmpty()) {
                break;
            }
            ids.add(0, id.get());
        }
        return ids;
    }

    /**
     * Streams the numbered rows and writes the current state of each (R3), one category of kinds per pass.
     * Under a restored flag, the rows registered in a session older than the one this node began
     * when it found it was restored may come from the backup, and say so (R4).
     */
    private void writeBody(StoreTransaction tx, String peer, MessageWriter writer, DigestSpool spool, Counts counts,
            boolean catalogs, long backupBelow) {
        try (Stream<Registration> rows = tx.exchange().numbered(peer)) {
            Iterator<Registration> it = rows.iterator();
            List<Registration> batch = new ArrayList<>(BATCH);
            while (it.hasNext()) {
                Registration row = it.next();
                if (isCatalog(row.key()) == catalogs) {
                    batch.add(row);
                    if (batch.size() == BATCH) {
                        writeBatch(tx, peer, batch, writer, spool, counts, backupBelow);
                        batch.clear();
                    }
                }
            }
            writeBatch(tx, peer, batch, writer, spool, counts, backupBelow);
        }
    }

    private boolean isCatalog(ObjectKey key) {
        return ctx.plan.kind(key.kind()).map(k -> k.category() == ObjectKind.Category.CATALOG).orElse(true);
    }

    private void writeBatch(StoreTransaction tx, String peer, List<Registration> batch, MessageWriter writer,
            DigestSpool spool, Counts counts, long backupBelow) {
        if (batch.isEmpty()) {
            return;
        }
        List<ObjectKey> keys = new ArrayList<>(batch.size());
        for (Registration row : batch) {
            keys.add(row.key());
        }
        Map<ObjectKey, DataObject> states = tx.objects().getAll(keys);
        for (Registration row : batch) {
            ObjectKey key = row.key();
            long since = row.firstSentNo();
            boolean fromBackup = Importer.mayComeFromBackup(row, backupBelow);
            DataObject state = states.get(key);
            MessageItem item;
            Digest digest;
            if (state != null && ctx.plan.goesTo(state, ctx.me, peer)) {
                item = new MessageItem.Upsert(wireState(state), since, row.repair(), fromBackup);
                digest = ctx.plan.digest(state);
                counts.upserts++;
            } else if (state == null && tx.exchange().tombstone(key).isPresent()) {
                item = new MessageItem.Deletion(key, since, row.repair(), fromBackup);
                digest = Canonical.ABSENT;
                counts.deletions++;
            } else {
                // No longer routed there, or absent without a tombstone: a retraction, never a deletion (R3, R9).
                item = new MessageItem.Retraction(key, since, row.repair(), fromBackup);
                digest = Canonical.ABSENT;
                counts.retractions++;
            }
            writer.write(item);
            spool.add(key, digest);
        }
    }

    /** The state as it travels: without the record sets of {@code LOCAL} registers (R11). */
    private DataObject wireState(DataObject state) {
        return Sequences.migrating(ctx.plan, state);
    }

    /**
     * @param allNumbered whether every unsent row was numbered, so control items may follow them
     * @param backupBelow under a restored flag, the session below which a row may come from the backup; else 0
     */
    private record Allocation(MessageHeader header, long newlyNumbered, boolean allNumbered, long backupBelow) {
    }

    private static final class Counts {
        long upserts;
        long deletions;
        long retractions;

        long total() {
            return upserts + deletions + retractions;
        }
    }

    /** Counts the bytes of the message as it is written. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
