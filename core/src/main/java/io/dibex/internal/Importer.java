package io.dibex.internal;

import io.dibex.DibexException;
import io.dibex.HeaderRejectedException;
import io.dibex.ImportFailedException;
import io.dibex.ImportResult;
import io.dibex.MalformedMessageException;
import io.dibex.TransportException;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.IncomingMessage;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.ObjectStore;
import io.dibex.spi.PeerState;
import io.dibex.spi.Registration;
import io.dibex.spi.StoreTransaction;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Imports one message (R4–R8, R12): header checks, then the header's effects in their own
 * transaction, then the body all or nothing, then the transport's commit.
 */
final class Importer {

    private final Context ctx;
    private final Registrar registrar;
    private final Function<String, java.util.concurrent.locks.Lock> locks;

    Importer(Context ctx, Registrar registrar, Function<String, java.util.concurrent.locks.Lock> locks) {
        this.ctx = ctx;
        this.registrar = registrar;
        this.locks = locks;
    }

    ImportResult importMessage(IncomingMessage message) {
        long start = System.nanoTime();
        String name = message.name();
        long size = message.size();
        boolean done = false;
        try (InputStream in = message.open()) {
            MessageReader reader;
            try {
                reader = ctx.codec.reader(in, ctx.plan, name);
            } catch (MalformedMessageException e) {
                ctx.journal(ctx.entry(JournalEntry.Kind.REJECTED, "", 0, 0, 0, size, start,
                        name + ": " + e.getMessage(), List.of()), e);
                throw e;
            }
            try (reader) {
                MessageHeader h = reader.header();
                checkHeader(h, name, size, start);
                java.util.concurrent.locks.Lock lock = locks.apply(h.from());
                lock.lock();
                try {
                    ImportResult result = importLocked(h, reader, name, size, start);
                    message.commit();
                    done = true;
                    return result;
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            throw new TransportException("cannot read message " + name + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                message.release();
            }
        }
    }

    /** R8: the plan, the recipient and the sender must fit this node; otherwise nothing changes. */
    private void checkHeader(MessageHeader h, String name, long size, long start) {
        HeaderRejectedException rejected = null;
        if (!h.plan().equals(ctx.plan.name())) {
            rejected = new HeaderRejectedException.WrongPlan("message " + name + " belongs to plan '" + h.plan()
                    + "', this node " + ctx.me + " to plan '" + ctx.plan.name() + "': deliver it to a node of its plan");
        } else if (!h.to().equals(ctx.me)) {
            rejected = new HeaderRejectedException.WrongRecipient("message " + name + " is addressed to '" + h.to()
                    + "', not to this node " + ctx.me + ": deliver it to its recipient");
        } else if (!ctx.plan.hasNode(h.from()) || !ctx.plan.areNeighbours(ctx.me, h.from())) {
            rejected = new HeaderRejectedException.UnknownSender("message " + name + " comes from '" + h.from()
                    + "', which is not a neighbour of " + ctx.me + " (its neighbours are "
                    + ctx.plan.neighboursOf(ctx.me) + ")");
        }
        if (rejected != null) {
            ctx.journal(ctx.entry(JournalEntry.Kind.REJECTED, ctx.plan.hasNode(h.from()) ? h.from() : "",
                    h.messageNo(), h.receivedNo(), 0, size, start, rejected.getMessage(), List.of()), rejected);
            throw rejected;
        }
    }

    private ImportResult importLocked(MessageHeader h, MessageReader reader, String name, long size, long start) {
        String peer = h.from();
        List<JournalEntry> notes = new ArrayList<>();
        // The header's effects: R5's duplicate check, then R4's acknowledgment, in their own transaction (R6).
        long[] acknowledged = {-1};
        long[] lastLoaded = {0};
        try {
            ctx.inTx(tx -> {
                ExchangeStore store = tx.exchange();
                PeerState ps = store.peer(peer);
                if (h.messageNo() <= ps.lastLoadedNo()) {
                    lastLoaded[0] = ps.lastLoadedNo();
                    return null;
                }
                acknowledged[0] = acknowledge(store, ps, h, notes);
                return null;
            });
        } catch (RuntimeException e) {
            DibexException failure = Context.asLibraryException(e);
            ctx.journal(ctx.entry(JournalEntry.Kind.IMPORT_FAILED, peer, h.messageNo(), h.receivedNo(), 0, size,
                    start, "header of " + name + " not applied: " + failure.getMessage(), List.of()), failure);
            throw failure;
        }
        if (acknowledged[0] < 0) {
            ctx.journal(ctx.entry(JournalEntry.Kind.DUPLICATE, peer, h.messageNo(), h.receivedNo(), 0, size, start,
                    name + " already received (last loaded " + lastLoaded[0] + "): skipped", List.of()), null);
            return new ImportResult(peer, name, ImportResult.Status.ALREADY_RECEIVED, h.messageNo(), h.receivedNo(),
                    0, 0, 0, size);
        }
        ctx.journal(notes, null);
        notes.clear();

        Body body = new Body(peer, notes);
        try (Txn txn = Txn.begin(ctx.storage)) {
            StoreTransaction tx = txn.tx();
            MessageItem item;
            while ((item = nextItem(reader, body)) != null) {
                body.current = item.key();
                apply(tx, item, body);
                body.current = null;
            }
            ExchangeStore store = tx.exchange();
            PeerState ps = store.peer(peer);
            boolean owed = ps.ackOwed() || body.items > 0 || h.restored() || !h.rejectedKeys().isEmpty();
            store.putPeer(ps.withLastLoaded(h.messageNo(), h.messageId()).withAckOwed(owed));
            txn.commit();
        } catch (MalformedMessageException e) {
            ctx.journal(ctx.entry(JournalEntry.Kind.IMPORT_FAILED, peer, h.messageNo(), h.receivedNo(), body.items,
                    size, start, "body of " + name + " is malformed, nothing of it applied: " + e.getMessage(),
                    keys(body.current)), e);
            throw e;
        } catch (RuntimeException e) {
            ImportFailedException failure = new ImportFailedException(name, body.current, Context.asLibraryException(e));
            ctx.journal(ctx.entry(JournalEntry.Kind.IMPORT_FAILED, peer, h.messageNo(), h.receivedNo(), body.items,
                    size, start, failure.getMessage(), keys(body.current)), failure);
            throw failure;
        }
        notes.add(ctx.entry(JournalEntry.Kind.IMPORT, peer, h.messageNo(), h.receivedNo(), body.items, size, start,
                "loaded " + body.applied + " of " + body.items + " items, acknowledged " + acknowledged[0]
                        + " registrations" + (body.conflicts > 0 ? ", " + body.conflicts + " conflicts" : ""),
                List.of()));
        ctx.journal(notes, null);
        return new ImportResult(peer, name, ImportResult.Status.APPLIED, h.messageNo(), h.receivedNo(),
                acknowledged[0], body.applied, body.conflicts, size);
    }

    private static MessageItem nextItem(MessageReader reader, Body body) {
        body.current = null;
        MessageItem item = reader.next();
        if (item != null) {
            body.items++;
        }
        return item;
    }

    private static List<ObjectKey> keys(ObjectKey key) {
        return key == null ? List.of() : List.of(key);
    }

    /**
     * R4: applies the peer's acknowledgment of message k with id i, or finds that this node was
     * restored from a backup.
     *
     * @return the number of registrations deleted
     */
    private long acknowledge(ExchangeStore store, PeerState ps, MessageHeader h, List<JournalEntry> notes) {
        long k = h.receivedNo();
        if (k == 0) {
            return 0;
        }
        String peer = h.from();
        if (k < ps.acknowledgedNo()) {
            // Older than an acknowledgment already applied: nothing new to delete, and its id is no longer kept.
            notes.add(ctx.entry(JournalEntry.Kind.WARNING, peer, h.messageNo(), k, 0, 0, 0,
                    "acknowledgment of " + k + " is older than the last applied (" + ps.acknowledgedNo()
                            + "): ignored", List.of()));
            return 0;
        }
        Optional<UUID> sentId = k > ps.lastAllocatedNo() ? Optional.empty() : store.sentMessageId(peer, k);
        if (sentId.isEmpty() || !sentId.get().equals(h.receivedId())) {
            long next = Math.max(ps.lastAllocatedNo(), k);
            PeerState restored = ps.withLastAllocatedNo(next)
                    .withRestoredSinceNo(ps.restoredSinceNo() > 0 ? ps.restoredSinceNo() : next + 1);
            store.putPeer(restored);
            notes.add(ctx.entry(JournalEntry.Kind.RESTORE, peer, h.messageNo(), k, 0, 0, 0,
                    (k > ps.lastAllocatedNo()
                            ? peer + " acknowledges message " + k + " but this node has numbered only up to "
                                    + ps.lastAllocatedNo()
                            : peer + " acknowledges message " + k + " with id " + h.receivedId()
                                    + ", which is not the id this node gave it")
                            + ": this node was restored from a backup (or the peer's history is not ours);"
                            + " no registration deleted, numbering continues after " + next
                            + ", the restored flag goes out until acknowledged", List.of()));
            return 0;
        }
        long deleted = store.acknowledge(peer, k);
        PeerState next = ps;
        if (k > ps.acknowledgedNo()) {
            next = next.withAcknowledgedNo(k);
            store.pruneSentMessages(peer, k);
        }
        if (ps.restoredSinceNo() > 0 && k >= ps.restoredSinceNo()) {
            next = next.withRestoredSinceNo(0);
        }
        if (next != ps) {
            store.putPeer(next);
        }
        return deleted;
    }

    /** Applies one body item (R9, R12, R13). */
    private void apply(StoreTransaction tx, MessageItem item, Body body) {
        ObjectKey key = item.key();
        if (ctx.plan.kind(key.kind()).isEmpty()) {
            body.notes.add(ctx.entry(JournalEntry.Kind.WARNING, body.peer, 0, 0, 1, 0, 0,
                    "kind " + key.kind() + " is not in plan " + ctx.plan.name() + ": object skipped", List.of(key)));
            return;
        }
        ExchangeStore store = tx.exchange();
        ObjectStore objects = tx.objects();
        DataObject local = objects.get(key).orElse(null);
        DataObject incoming = item instanceof MessageItem.Upsert u ? u.object() : null;
        Digest incomingDigest = incoming == null ? Canonical.ABSENT : ctx.plan.digest(incoming);
        Digest localDigest = local == null ? Canonical.ABSENT : ctx.plan.digest(local);
        boolean tombstone = local == null && store.tombstone(key).isPresent();

        // Equal content changes nothing (R12). A retraction of something absent is equal too.
        if (incomingDigest.equals(localDigest)
                && (item instanceof MessageItem.Retraction || local != null || tombstone)) {
            return;
        }
        Optional<Registration> pending = store.registration(body.peer, key);
        if (pending.isPresent() && !pending.get().digest().equals(incomingDigest)) {
            body.conflicts++;
            boolean incomingWins = ctx.plan.isParentOf(body.peer, ctx.me);
            body.notes.add(ctx.entry(JournalEntry.Kind.CONFLICT, body.peer, 0, 0, 1, 0, 0,
                    "incoming " + describe(item) + " " + incomingDigest + " vs local " + localDigest + ": "
                            + (incomingWins ? "the parent's (incoming) version wins"
                                    : "the parent's (local) version wins and is sent back"),
                    List.of(key)));
            if (!incomingWins) {
                return;
            }
            store.unregister(body.peer, key);
        }
        if (incoming != null) {
            objects.put(incoming);
            if (tombstone) {
                store.removeTombstone(key);
            }
        } else {
            if (local != null) {
                objects.delete(key);
            }
            if (item instanceof MessageItem.Deletion) {
                store.putTombstone(key, ctx.clock.instant());
            } else {
                store.unregister(body.peer, key);
            }
        }
        registrar.register(store, key, local, incoming, body.peer);
        body.applied++;
    }

    private static String describe(MessageItem item) {
        if (item instanceof MessageItem.Upsert) {
            return "state";
        }
        return item instanceof MessageItem.Deletion ? "deletion" : "retraction";
    }

    private static final class Body {
        final String peer;
        final List<JournalEntry> notes;
        ObjectKey current;
        long items;
        long applied;
        long conflicts;

        Body(String peer, List<JournalEntry> notes) {
            this.peer = peer;
            this.notes = notes;
        }
    }
}
