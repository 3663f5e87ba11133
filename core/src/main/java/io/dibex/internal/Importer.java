package io.dibex.internal;

import io.dibex.ConflictResolver;
import io.dibex.DibexException;
import io.dibex.HeaderRejectedException;
import io.dibex.ImportFailedException;
import io.dibex.ImportResult;
import io.dibex.MalformedMessageException;
import io.dibex.ObjectKind;
import io.dibex.ObjectRejectedException;
import io.dibex.ObjectVersion;
import io.dibex.PoisonPolicy;
import io.dibex.TransportException;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
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
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Imports one message (R4–R9, R12, R13): header checks, then the header's effects in their own
 * transaction, then the body all or nothing, then the transport's commit.
 */
final class Importer {

    private final Context ctx;
    private final Registrar registrar;
    private final Function<String, Lock> locks;
    private final Reconciler reconciler;

    Importer(Context ctx, Registrar registrar, Function<String, Lock> locks, Reconciler reconciler) {
        this.reconciler = reconciler;
        this.ctx = ctx;
        this.registrar = registrar;
        this.locks = locks;
    }

    ImportResult importMessage(IncomingMessage message) {
        long start = System.nanoTime();
        String name = message.name();
        long size = message.size();
        boolean done = false;
        try {
            MessageHeader h;
            try (InputStream in = message.open(); MessageReader reader = open(in, name, size, start)) {
                h = reader.header();
            }
            checkHeader(h, name, size, start);
            Lock lock = locks.apply(h.from());
            lock.lock();
            try {
                ImportResult result = importLocked(message, h, name, size, start);
                message.commit();
                done = true;
                return result;
            } finally {
                lock.unlock();
            }
        } catch (IOException e) {
            throw new TransportException("cannot read message " + name + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                message.release();
            }
        }
    }

    private MessageReader open(InputStream in, String name, long size, long start) {
        try {
            return ctx.codec.reader(in, ctx.plan, name);
        } catch (MalformedMessageException e) {
            ctx.journal(ctx.entry(JournalEntry.Kind.REJECTED, "", 0, 0, 0, size, start,
                    name + ": " + e.getMessage(), List.of()), e);
            throw e;
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

    private ImportResult importLocked(IncomingMessage message, MessageHeader h, String name, long size, long start) {
        String peer = h.from();
        List<JournalEntry> notes = new ArrayList<>();
        Header header;
        try {
            header = ctx.inTx(tx -> applyHeader(tx, h, notes));
        } catch (RuntimeException e) {
            DibexException failure = Context.asLibraryException(e);
            ctx.journal(ctx.entry(JournalEntry.Kind.IMPORT_FAILED, peer, h.messageNo(), h.receivedNo(), 0, size,
                    start, "header of " + name + " not applied: " + failure.getMessage(), List.of()), failure);
            throw failure;
        }
        if (header.duplicate) {
            ctx.journal(ctx.entry(JournalEntry.Kind.DUPLICATE, peer, h.messageNo(), h.receivedNo(), 0, size, start,
                    name + " already received (last loaded " + header.lastLoaded + "): skipped", List.of()), null);
            return new ImportResult(peer, name, ImportResult.Status.ALREADY_RECEIVED, h.messageNo(), h.receivedNo(),
                    0, 0, 0, size);
        }
        if (header.refused) {
            notes.add(ctx.entry(JournalEntry.Kind.REJECTED, peer, h.messageNo(), h.receivedNo(), 0, size, start,
                    name + " refused: its sender was restored from a backup and does not know it yet", List.of()));
            ctx.journal(notes, null);
            return new ImportResult(peer, name, ImportResult.Status.REFUSED_SENDER_RESTORED, h.messageNo(),
                    h.receivedNo(), 0, 0, 0, size);
        }
        ctx.journal(notes, null);

        // The body, all or nothing. Under the quarantine policy an object the host refuses is set
        // aside and the body applied again from a fresh read of the message without it (R6).
        Set<ObjectKey> setAside = new HashSet<>();
        while (true) {
            Body body = new Body(peer, header, setAside);
            try {
                applyBody(message, h, name, size, start, body);
                body.notes.add(ctx.entry(JournalEntry.Kind.IMPORT, peer, h.messageNo(), h.receivedNo(), body.items,
                        size, start, "loaded " + body.applied + " of " + body.items + " items"
                                + (body.controls > 0 ? " and " + body.controls + " control items" : "")
                                + ", acknowledged " + header.acknowledged + " registrations"
                                + (body.conflicts > 0 ? ", " + body.conflicts + " conflicts" : "")
                                + (setAside.isEmpty() ? "" : ", set aside " + setAside.size()),
                        List.of()));
                ctx.journal(body.notes, null);
                return new ImportResult(peer, name, ImportResult.Status.APPLIED, h.messageNo(), h.receivedNo(),
                        header.acknowledged, body.applied, body.conflicts, size);
            } catch (MalformedMessageException e) {
                ctx.journal(ctx.entry(JournalEntry.Kind.IMPORT_FAILED, peer, h.messageNo(), h.receivedNo(),
                        body.items, size, start, "body of " + name + " is malformed, nothing of it applied: "
                                + e.getMessage(), keys(body.current)), e);
                throw e;
            } catch (RuntimeException e) {
                if (e instanceof ObjectRejectedException rejected && body.current != null
                        && ctx.plan.poisonPolicy() == PoisonPolicy.QUARANTINE && setAside.add(body.current)) {
                    ctx.journal(ctx.entry(JournalEntry.Kind.QUARANTINE, peer, h.messageNo(), h.receivedNo(), 1, size,
                            start, "the host refused " + body.current + " from " + name + ": " + rejected.getMessage()
                                    + "; set aside, the rest of the message is applied again without it",
                            List.of(body.current)), null);
                    continue;
                }
                ImportFailedException failure = new ImportFailedException(name, body.current,
                        Context.asLibraryException(e));
                ctx.journal(ctx.entry(JournalEntry.Kind.IMPORT_FAILED, peer, h.messageNo(), h.receivedNo(),
                        body.items, size, start, failure.getMessage(), keys(body.current)), failure);
                throw failure;
            }
        }
    }

    private void applyBody(IncomingMessage message, MessageHeader h, String name, long size, long start, Body body) {
        try (InputStream in = message.open(); MessageReader reader = open(in, name, size, start);
                Txn txn = Txn.begin(ctx.storage)) {
            if (!reader.header().messageId().equals(h.messageId())) {
                throw new MalformedMessageException(name, "header", "the message changed while it was imported");
            }
            StoreTransaction tx = txn.tx();
            ExchangeStore store = tx.exchange();
            PeerState ps = store.peer(body.peer);
            MessageItem item;
            Reconciler.Session controls = reconciler.session(body.peer, body.notes);
            while ((item = next(reader, body)) != null) {
                body.current = item.key();
                if (item.key().kind().startsWith(io.dibex.ExchangePlan.RESERVED_KIND_PREFIX)) {
                    // dibex's own control items: a step of a reconciliation (SPEC §5).
                    if (!item.key().kind().equals(Reconciler.CONTROL)) {
                        throw new MalformedMessageException(name, "item " + item.key(), "kinds starting with '"
                                + io.dibex.ExchangePlan.RESERVED_KIND_PREFIX + "' are dibex's own, and "
                                + item.key().kind() + " is none of them");
                    }
                    if (!(item instanceof MessageItem.Upsert control) || item.repair()) {
                        throw new MalformedMessageException(name, "item " + item.key(), "a control item is a"
                                + " state, never a deletion, a retraction or a repair");
                    }
                    controls.load(tx, control.object());
                    body.items--;
                    body.controls++;
                    body.current = null;
                    continue;
                }
                if (item.since() > h.messageNo()) {
                    throw new MalformedMessageException(name, "item " + item.key(), "it claims to have been first sent"
                            + " in message " + item.since() + ", after this message " + h.messageNo());
                }
                if (body.setAside.contains(item.key())) {
                    store.putRejectedKey(body.peer, item.key(), ps.lastAllocatedNo() + 1);
                } else {
                    apply(tx, item, body);
                }
                body.current = null;
            }
            controls.finish();
            boolean owed = ps.ackOwed() || body.items > 0 || body.controls > 0 || h.restored() || !h.rejectedKeys().isEmpty();
            store.putPeer(ps.withLastLoaded(h.messageNo(), h.messageId()).withAckOwed(owed));
            txn.commit();
        } catch (IOException e) {
            throw new TransportException("cannot read message " + name + ": " + e.getMessage(), e);
        }
    }

    private static MessageItem next(MessageReader reader, Body body) {
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

    /** The header's effects (R4, R5, R6), in their own transaction. */
    private Header applyHeader(StoreTransaction tx, MessageHeader h, List<JournalEntry> notes) {
        ExchangeStore store = tx.exchange();
        String peer = h.from();
        PeerState before = store.peer(peer);
        Header header = new Header();
        if (h.messageNo() <= before.lastLoadedNo()) {
            if (h.messageNo() == before.lastLoadedNo() && !h.messageId().equals(before.lastLoadedId())
                    && !h.restored()) {
                return regressed(tx, before, h, header, notes, "its message " + h.messageNo()
                        + " reuses the number of one already loaded, with another id");
            }
            header.duplicate = true;
            header.lastLoaded = before.lastLoadedNo();
            if (lateAcknowledgment(store, before, h, notes)) {
                registerHeld(tx, peer);
            }
            return header;
        }
        if (h.messageNo() < before.lastHeaderNo()) {
            // A newer message's header took effect (its body may have failed): this one is stale, and
            // everything it carried the newer one carries too (R3, R5).
            header.duplicate = true;
            header.lastLoaded = before.lastHeaderNo();
            if (lateAcknowledgment(store, before, h, notes)) {
                registerHeld(tx, peer);
            }
            return header;
        }
        if (!h.restored() && h.previousId() != null && h.messageNo() == before.lastLoadedNo() + 1
                && before.lastLoadedId() != null && !h.previousId().equals(before.lastLoadedId())) {
            return regressed(tx, before, h, header, notes, "its message " + h.messageNo() + " follows a message "
                    + before.lastLoadedNo() + " other than the one of that number this node loaded");
        }
        if (!h.restored() && h.firstEarlierNo() > 0 && before.lastLoadedNo() >= h.firstEarlierNo()
                && before.lastLoadedNo() < h.messageNo() - 1 && before.lastLoadedId() != null
                && !h.earlierIds().get((int) (before.lastLoadedNo() - h.firstEarlierNo()))
                        .equals(before.lastLoadedId())) {
            return regressed(tx, before, h, header, notes, "its message " + h.messageNo() + " names another id"
                    + " for its message " + before.lastLoadedNo() + " than the one this node loaded");
        }
        if (!h.restored() && before.peerRegressed()) {
            if (!lateAcknowledgment(store, before, h, notes)) {
                return refuse(store, before, h, header, notes, "it was found restored and has not said so yet");
            }
            // This message shows that this node was restored itself: its refusal of the peer may be as
            // old as its backup, and refusing on it would send the peer acknowledgments with ids that
            // are none of its own, as if the peer had been restored. The message is judged afresh.
            registerHeld(tx, peer);
            before = store.peer(peer).withPeerRegressed(false);
            store.putPeer(before);
        }
        // A peer's acknowledgments grow with its message numbers, and an older message whose newer
        // one's header took effect is stale (above). So a newer message that acknowledges less than
        // was acknowledged comes from a peer that forgot messages it had loaded: restored (R4).
        // Without a restored flag on the wire the peer could never answer a refusal: not applied then.
        // (Even an acknowledgment of 0, which acknowledges nothing: after one of more it is a step back.)
        if (ctx.restoredFlag && !h.restored() && h.receivedNo() < before.acknowledgedNo()) {
            return regressed(tx, before, h, header, notes, "its message " + h.messageNo() + " acknowledges "
                    + h.receivedNo() + ", less than the " + before.acknowledgedNo() + " it had acknowledged");
        }
        // The peer set these keys aside from our messages: stop resending them until they change (R6).
        for (ObjectKey key : h.rejectedKeys()) {
            Optional<Registration> row = store.registration(peer, key);
            if (row.isPresent() && row.get().numbered() && !row.get().rejected()) {
                store.reject(peer, key);
                notes.add(ctx.entry(JournalEntry.Kind.QUARANTINE, peer, h.messageNo(), h.receivedNo(), 1, 0, 0,
                        peer + " refused " + key + ": kept registered, not resent until it changes or is released",
                        List.of(key)));
            }
        }
        header.acknowledged = acknowledge(store, before, h, notes);
        PeerState ps = store.peer(peer);
        if (before.restoredSinceNo() == 0 && ps.restoredSinceNo() > 0) {
            registerHeld(tx, peer);
        }
        // Only a header that changed something makes older messages stale; an empty one leaves no trace.
        boolean changed = ps.acknowledgedNo() > before.acknowledgedNo() || !h.rejectedKeys().isEmpty()
                || ps.restoredSinceNo() != before.restoredSinceNo();
        if (changed && h.messageNo() > ps.lastHeaderNo()) {
            ps = ps.withLastHeaderNo(h.messageNo());
            store.putPeer(ps);
        }
        // A flagged message acknowledging less than the peer had acknowledged since its last restore
        // comes from yet another restore of it, which may have taken what it got back after the first.
        // So does one whose restore began after the last message loaded from the peer: the peer's
        // first restore had begun at or before a message of it this node loaded.
        boolean restoredAgain = h.restored() && ps.peerRestoredSinceNo() > 0 && (h.receivedNo() < ps.acknowledgedNo()
                || h.restoredSinceNo() > before.lastLoadedNo());
        if (h.restored() && (ps.peerRestoredSinceNo() == 0 || restoredAgain)) {
            long registered = registerEverything(tx, peer);
            ps = ps.withPeerRestoredSinceNo(ps.lastAllocatedNo() + 1);
            store.putPeer(ps);
            notes.add(ctx.entry(JournalEntry.Kind.RESTORE, peer, h.messageNo(), h.receivedNo(), registered, 0, 0,
                    peer + " was restored from a backup: registered again everything routed to it (" + registered
                            + " rows, tombstones included); this node wins every conflict on the link until "
                            + peer + " acknowledges message " + ps.peerRestoredSinceNo(), List.of()));
        }
        if (ps.peerRegressed() && h.restored()) {
            ps = ps.withPeerRegressed(false);
            store.putPeer(ps);
        }
        if (h.restored() && h.receivedNo() < ps.acknowledgedNo()) {
            // The restored peer's acknowledgments start again from what its backup had loaded.
            ps = ps.withAcknowledgedNo(h.receivedNo());
            store.putPeer(ps);
        }
        header.senderRestored = h.restored();
        // The body of a message that reveals this node's restore, or answers its restored flag, is the
        // peer's own state: it wins against what may come from this node's backup (R4).
        PeerState now = store.peer(peer);
        header.backupBelow = backupBelow(now);
        header.restored = now.restoredSinceNo() > 0;
        return header;
    }

    /**
     * R4: the session below which this node's rows for the peer may come from its backup: the session
     * of the restore it found on the link. That stays after the link healed, as such a row is as old
     * as ever until it is registered again, so that this node judges its row as the peer judged the
     * flagged item. A store that keeps no sessions (0) has every row count as such while restored.
     */
    static long backupBelow(PeerState ps) {
        if (ps.restoredSession() > 0) {
            return ps.restoredSession();
        }
        return ps.restoredSinceNo() > 0 ? Long.MAX_VALUE : 0;
    }

    /**
     * R4: whether a row's state may be older than what the peer holds, and yields on a restored link:
     * a row of this restored node registered before {@code backupBelow}, or a retracted copy offered
     * back to a restored peer.
     */
    static boolean mayComeFromBackup(Registration row, long backupBelow) {
        return row.session() < backupBelow || row.session() == Registration.COPY_SESSION;
    }

    /**
     * R4: the peer was restored from a backup and does not know it yet. Its message is refused, so
     * that its old state overwrites nothing, and an acknowledgment is owed: this node's next header
     * acknowledges the last number it loaded with an id that is none of the peer's (two messages of
     * that number exist, and this node cannot tell which history the peer is on), from which the
     * peer learns that it was restored.
     */
    private Header regressed(StoreTransaction tx, PeerState before, MessageHeader h, Header header,
            List<JournalEntry> notes, String why) {
        ExchangeStore store = tx.exchange();
        // Both ends may have been restored, each refusing the other's messages until the other says so:
        // the refused message's acknowledgment still tells this node of its own restore, so that its
        // flag goes out and breaks the tie.
        if (lateAcknowledgment(store, before, h, notes)) {
            registerHeld(tx, h.from());
        }
        return refuse(store, before, h, header, notes, why);
    }

    /** Refuses the message of a peer found restored, and owes it the acknowledgment that tells it so. */
    private Header refuse(ExchangeStore store, PeerState before, MessageHeader h, Header header,
            List<JournalEntry> notes, String why) {
        store.putPeer(store.peer(h.from()).withPeerRegressed(true).withAckOwed(true));
        if (!before.peerRegressed()) {
            notes.add(ctx.entry(JournalEntry.Kind.RESTORE, h.from(), h.messageNo(), h.receivedNo(), 0, 0, 0,
                    h.from() + " was restored from a backup and does not know it yet: " + why
                            + "; its messages are refused until one carries the restored flag", List.of()));
        }
        header.refused = true;
        return header;
    }

    /** R4: re-registers for a restored peer everything routed to it, and every tombstone. */
    private long registerEverything(StoreTransaction tx, String peer) {
        ExchangeStore store = tx.exchange();
        long seen = store.peer(peer).lastLoadedNo();
        long n = forEachRoutedTo(tx, peer,
                o -> store.register(peer, o.key(), ctx.plan.digest(o), Digest.ABSENT, seen, ctx.session()));
        // Registering writes registrations, not tombstones: the stream's own rows stay untouched.
        try (Stream<ObjectKey> keys = store.tombstones()) {
            Iterator<ObjectKey> it = keys.iterator();
            while (it.hasNext()) {
                store.register(peer, it.next(), Digest.ABSENT, Digest.ABSENT, seen, ctx.session());
                n++;
            }
        }
        // What the peer retracted from this node may be gone from it with its backup, and this node's
        // copy the only one left: held again and offered back, as older than anything the peer holds.
        n += offerRetractedCopies(tx, peer, seen);
        // What was retracted from the peer may be back in its backup: retracted again, unless it goes
        // there once more and is registered above. Again the stream's own rows stay untouched.
        try (Stream<ObjectKey> keys = store.retractions(peer)) {
            Iterator<ObjectKey> it = keys.iterator();
            while (it.hasNext()) {
                ObjectKey key = it.next();
                if (store.registration(peer, key).isEmpty()) {
                    store.register(peer, key, Digest.ABSENT, Digest.ABSENT, seen, ctx.session());
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * R4: puts back every copy kept of what the restored peer retracted from this node that this node
     * holds nothing of now (no state, no tombstone), registered where it goes as a load would be, and
     * for the peer as a copy ({@link Registration#COPY_SESSION}): a peer that holds anything of it
     * keeps its own, and the retraction or deletion comes back; a peer whose backup never held it
     * takes it. Returns how many.
     */
    private long offerRetractedCopies(StoreTransaction tx, String peer, long seen) {
        ExchangeStore store = tx.exchange();
        ObjectStore objects = tx.objects();
        long n = 0;
        // Writing objects and registrations, not copies: the stream's own rows stay untouched.
        try (Stream<DataObject> all = store.retractedCopies(peer)) {
            Iterator<DataObject> it = all.iterator();
            while (it.hasNext()) {
                DataObject copy = it.next();
                ObjectKey key = copy.key();
                if (!ctx.plan.goesTo(copy, ctx.me, peer) || store.tombstone(key).isPresent()) {
                    continue;
                }
                store.lock(key);
                if (objects.get(key).isPresent()) {
                    continue;
                }
                objects.put(copy);
                registrar.register(store, key, null, copy, peer);
                store.register(peer, key, ctx.plan.digest(copy), Digest.ABSENT, seen, false,
                        Registration.COPY_SESSION);
                Sequences.move(ctx.plan, ctx.me, store, key, null, copy, null);
                n++;
            }
        }
        return n;
    }

    /**
     * R4: this node found it was restored; what it holds for the peer without a row is registered
     * for it as from the backup (a session below the restore's), so that the peer, which may have
     * loaded a retraction of it from the lost history, gets it again, and wins against it where it
     * holds a version of its own.
     */
    private void registerHeld(StoreTransaction tx, String peer) {
        ExchangeStore store = tx.exchange();
        PeerState ps = store.peer(peer);
        long session = Math.max(0, ps.restoredSession() - 1);
        forEachRoutedTo(tx, peer, o -> {
            if (store.registration(peer, o.key()).isEmpty()) {
                store.register(peer, o.key(), ctx.plan.digest(o), Digest.ABSENT, ps.lastLoadedNo(), session);
            }
        });
    }

    /**
     * Calls {@code action} for every object this node holds that goes to {@code peer} (R9), kind by
     * kind; returns how many. The action writes registrations only, never the objects streamed.
     */
    private long forEachRoutedTo(StoreTransaction tx, String peer, java.util.function.Consumer<DataObject> action) {
        long n = 0;
        for (String kind : ctx.plan.kinds().keySet()) {
            try (Stream<DataObject> all = tx.objects().list(kind)) {
                Iterator<DataObject> it = all.iterator();
                while (it.hasNext()) {
                    DataObject o = it.next();
                    if (ctx.plan.goesTo(o, ctx.me, peer)) {
                        action.accept(o);
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /**
     * How many ids of acknowledged messages are kept per peer below the last acknowledgment, so that
     * a late or duplicate message acknowledging one of them with another id still reveals a restore
     * (R4: bounded storage).
     */
    static final long KEPT_ACKNOWLEDGED_IDS = 256;

    /**
     * R4, for a message whose acknowledgment is not applied (a duplicate, a stale message, or one
     * older than an acknowledgment applied): if it acknowledges a message this node gave another id,
     * this node was restored from a backup and its peer loaded messages of its lost history.
     *
     * @return whether it proved a restore
     */
    private boolean lateAcknowledgment(ExchangeStore store, PeerState ps, MessageHeader h, List<JournalEntry> notes) {
        long k = h.receivedNo();
        if (k == 0 || ps.restoredSinceNo() > 0) {
            return false;
        }
        if (k > ps.lastAllocatedNo()) {
            markRestored(store, ps, h, notes);
            return true;
        }
        Optional<UUID> sentId = store.sentMessageId(h.from(), k);
        if (sentId.isPresent() && !sentId.get().equals(h.receivedId())) {
            markRestored(store, ps, h, notes);
            return true;
        }
        return false;
    }

    /** R4: this node was restored: numbering moves past k, and the restored flag goes out until acknowledged. */
    private void markRestored(ExchangeStore store, PeerState ps, MessageHeader h, List<JournalEntry> notes) {
        String peer = h.from();
        long k = h.receivedNo();
        long next = Math.max(ps.lastAllocatedNo(), k);
        // The rows registered from the restore's session on are changes made after this node knew (R4).
        // Found again before it is healed, the restore keeps its session: what went out as such stays so.
        PeerState restored = ps.withLastAllocatedNo(next)
                .withRestoredSinceNo(ps.restoredSinceNo() > 0 ? ps.restoredSinceNo() : next + 1)
                .withRestoredSession(ps.restoredSinceNo() > 0 ? ps.restoredSession() : ctx.restoreSession());
        store.putPeer(restored);
        notes.add(ctx.entry(JournalEntry.Kind.RESTORE, peer, h.messageNo(), k, 0, 0, 0,
                (k > ps.lastAllocatedNo()
                        ? peer + " acknowledges message " + k + " but this node has numbered only up to "
                                + ps.lastAllocatedNo()
                        : peer + " acknowledges message " + k + " with id " + h.receivedId()
                                + ", which is not the id this node gave it")
                        + ": this node was restored from a backup (or the peer's history is not ours);"
                        + " no registration deleted, numbering continues after " + next
                        + (ctx.restoredFlag ? ", the restored flag goes out until acknowledged"
                                : "; codec " + ctx.codec.name() + " cannot carry the restored flag, so " + peer
                                        + " is not told: to recover what " + peer + " sent this node since the"
                                        + " backup, register at " + peer + " again everything for " + ctx.me),
                List.of()));
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
            // Older than an acknowledgment already applied: nothing new to delete; but an id that is
            // not the one this node gave that message still proves a restore (R4).
            if (!lateAcknowledgment(store, ps, h, notes)) {
                notes.add(ctx.entry(JournalEntry.Kind.WARNING, peer, h.messageNo(), k, 0, 0, 0,
                        "acknowledgment of " + k + " is older than the last applied (" + ps.acknowledgedNo()
                                + "): ignored", List.of()));
            }
            return 0;
        }
        Optional<UUID> sentId = k > ps.lastAllocatedNo() ? Optional.empty() : store.sentMessageId(peer, k);
        if (sentId.isEmpty() || !sentId.get().equals(h.receivedId())) {
            markRestored(store, ps, h, notes);
            return 0;
        }
        long deleted = store.acknowledge(peer, k);
        store.acknowledgeControls(peer, k);
        store.pruneRejectedKeys(peer, k);
        PeerState next = ps;
        if (k > ps.acknowledgedNo()) {
            next = next.withAcknowledgedNo(k);
            // The ids of the last acknowledged messages stay a while: a late message acknowledging one
            // of them with another id still proves a restore (R4).
            store.pruneSentMessages(peer, Math.max(k - KEPT_ACKNOWLEDGED_IDS + 1, ps.restoredSinceNo() > 0
                    && k >= ps.restoredSinceNo() ? ps.restoredSinceNo() : 0));
        }
        if (ps.restoredSinceNo() > 0 && k >= ps.restoredSinceNo()) {
            // Healed: below restoredSinceNo two histories shared the numbers, so their ids prove nothing.
            next = next.withRestoredSinceNo(0);
        }
        if (ps.peerRestoredSinceNo() > 0 && k >= ps.peerRestoredSinceNo()) {
            next = next.withPeerRestoredSinceNo(0);
        }
        if (next != ps) {
            store.putPeer(next);
        }
        return deleted;
    }

    /** Applies one body item (R9, R12, R13). */
    private void apply(StoreTransaction tx, MessageItem item, Body body) {
        ObjectKey key = item.key();
        Optional<ObjectKind> kind = ctx.plan.kind(key.kind());
        if (kind.isEmpty()) {
            body.notes.add(ctx.entry(JournalEntry.Kind.WARNING, body.peer, 0, 0, 1, 0, 0,
                    "kind " + key.kind() + " is not in plan " + ctx.plan.name() + ": object skipped", List.of(key)));
            return;
        }
        ExchangeStore store = tx.exchange();
        ObjectStore objects = tx.objects();
        // The conflict check below must not race a host write or another import of the key (R12).
        store.lock(key);
        DataObject local = objects.get(key).orElse(null);
        if (item instanceof MessageItem.Deletion && local != null && kind.get().deletionMark().isPresent()) {
            // Deletions of this kind are a deletion mark here (R13).
            item = new MessageItem.Upsert(
                    local.toBuilder().set(kind.get().deletionMark().get(), Value.of(true)).build(), 0, item.repair(),
                    item.fromBackup());
        }
        DataObject incoming = item instanceof MessageItem.Upsert u ? u.object() : null;
        if (incoming != null && Sequences.hasLocalRecords(ctx.plan, incoming)) {
            // LOCAL records never leave the node where they were made (R11): a sender that sends them
            // anyway is either refused or has them dropped here.
            if (ctx.plan.rejectsLocalRecords()) {
                throw new DibexException(key + " from " + body.peer + " carries records of a LOCAL register"
                        + " (" + localRegisters(incoming) + "), which plan " + ctx.plan.name()
                        + " keeps from leaving their node; the message is rejected (R11)");
            }
            body.notes.add(ctx.entry(JournalEntry.Kind.WARNING, body.peer, 0, 0, 1, 0, 0, key + " from "
                    + body.peer + " carried records of a LOCAL register (" + localRegisters(incoming)
                    + "): skipped, the rest loaded (R11)", List.of(key)));
            incoming = Sequences.migrating(ctx.plan, incoming);
            item = new MessageItem.Upsert(incoming, item.since(), item.repair(), item.fromBackup());
        }
        Digest incomingDigest = incoming == null ? Digest.ABSENT : ctx.plan.digest(incoming);
        Digest localDigest = local == null ? Digest.ABSENT : ctx.plan.digest(local);
        boolean tombstone = local == null && store.tombstone(key).isPresent();

        // Equal content changes nothing (R12). A retraction of something absent is equal too.
        if (incomingDigest.equals(localDigest)
                && (item instanceof MessageItem.Retraction || local != null || tombstone)) {
            return;
        }
        Optional<Registration> pending = store.registration(body.peer, key);
        if (item.repair() && reconciler.fromOwnerSide(incoming != null ? incoming : local, body.peer)) {
            // A reconciliation's repair from the owner's side: the owner's state wins without the
            // resolver, and a pending change of it here is dropped (SPEC §5).
            if (pending.isPresent()) {
                store.unregister(body.peer, key);
                body.notes.add(ctx.entry(JournalEntry.Kind.RECONCILIATION, body.peer, 0, 0, 1, 0, 0, "repair of "
                        + key + " from the owner's side: incoming " + incomingDigest.hex() + " replaces local "
                        + localDigest.hex() + ", the pending change for " + body.peer + " dropped", List.of(key)));
            }
        } else if (pending.isPresent() && !pending.get().digest().equals(incomingDigest)) {
            Registration row = pending.get();
            boolean mineFromBackup = mayComeFromBackup(row, body.header.backupBelow);
            boolean theirsFromBackup = item.fromBackup();
            boolean restoredLink = mineFromBackup || theirsFromBackup;
            if (!restoredLink && isResend(item, incomingDigest, row)) {
                // The sender resends a state this node had seen before its pending change: the sender
                // has not seen the change yet and drops its own row when it does. No conflict: the
                // change stands and goes out (R12).
                return;
            }
            body.conflicts++;
            ObjectVersion mine = versionFor(local, tombstone, body.peer);
            ObjectVersion theirs = version(item, incomingDigest);
            if (!decide(mine, theirs, key, body, mineFromBackup, theirsFromBackup)) {
                if (body.header.restored) {
                    // Restored, this node kept its version against a change whose message may have
                    // acknowledged a message of its lost history. The peer will acknowledge the row's
                    // message again, validly, and take the kept version for a resend of what it had seen:
                    // registered again, the version goes out as a change that the peer decides alike (R12).
                    store.register(body.peer, key, row.digest(), row.base(), store.peer(body.peer).lastLoadedNo(),
                            row.repair(), row.session());
                }
                return;
            }
            store.unregister(body.peer, key);
        } else if (pending.isEmpty() && tombstone && incoming != null) {
            // A state of a key deleted here, from a peer this node holds no row for: either this node
            // never sent it the deletion, having forgotten in a restore that the object went there, or
            // the peer's copy comes from a restored backup. The tombstone is kept for this (R13): the
            // deletion and the state conflict, decided alike at both ends (R12), and a deletion that
            // wins goes to the peer. The peer's row for its state stands against it there, or its
            // acknowledgment of this message drops it, and either way the peer deletes too.
            body.conflicts++;
            ObjectVersion mine = new ObjectVersion(ObjectVersion.Kind.DELETION, Optional.empty(), Digest.ABSENT);
            if (!decide(mine, version(item, incomingDigest), key, body, false, item.fromBackup())) {
                sendBackAbsence(store, body.peer, key, incomingDigest);
                return;
            }
        } else if (pending.isEmpty() && item.fromBackup() && incoming != null && local != null
                && registrar.travels(key, body.peer) && !ctx.plan.goesTo(local, ctx.me, body.peer)) {
            // A state that may be older than this node's, of an object that no longer goes to the
            // sender: from the sender's backup, or the copy it kept of what this node had retracted from
            // it. The retraction stands and goes again (R4, R9).
            body.conflicts++;
            ObjectVersion mine = new ObjectVersion(ObjectVersion.Kind.RETRACTION, Optional.empty(), Digest.ABSENT);
            decide(mine, version(item, incomingDigest), key, body, false, true);
            sendBackAbsence(store, body.peer, key, incomingDigest);
            store.putRetraction(body.peer, key, ctx.clock.instant());
            return;
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
                // A retraction leaves no tombstone and drops the sender's row (R9). The state it takes is
                // kept: if the sender is restored from a backup that never held the object, it may be the
                // only copy left (R4).
                store.unregister(body.peer, key);
                if (local != null) {
                    store.putRetractedCopy(body.peer, local, ctx.clock.instant());
                }
            }
        }
        if (ctx.plan.repostsAtCentral(key.kind()) && ctx.me.equals(ctx.plan.central())) {
            // Posted at a peripheral node: to be reposted here (seed 004's mark, outside the document).
            if (incoming != null) {
                store.putRepostMark(key);
            } else {
                store.removeRepostMark(key);
            }
        }
        // An object new here, loaded from a message carrying the restored flag, is registered back to
        // its sender too (R4: everything routed to a restored peer is registered for it again, and this
        // load may come after that): the sender, restored once more before it hears back, may no longer
        // hold it. Anything this node already held was registered then, and its change is not echoed.
        boolean echo = body.header.senderRestored && local == null && !tombstone && pending.isEmpty();
        registrar.register(store, key, local, incoming, echo ? null : body.peer);
        // A load that changed something moves the boundaries of the sequences kept here (R14).
        Sequences.move(ctx.plan, ctx.me, store, key, local, incoming, null);
        body.applied++;
    }

    /**
     * Registers for the peer this node's deletion or retraction of {@code key}, which won against the
     * peer's state {@code theirs}: the peer may send that state again, which is then no conflict (R12).
     */
    private void sendBackAbsence(ExchangeStore store, String peer, ObjectKey key, Digest theirs) {
        store.register(peer, key, Digest.ABSENT, theirs, store.peer(peer).lastLoadedNo(), false, ctx.session());
    }

    private String localRegisters(DataObject o) {
        List<String> names = new ArrayList<>();
        for (io.dibex.model.RecordSet set : o.recordSets()) {
            if (ctx.plan.policyOf(set.register()) == io.dibex.MigrationPolicy.LOCAL) {
                names.add(set.register());
            }
        }
        return String.join(", ", names);
    }

    /**
     * Whether an incoming item that differs from this node's pending row for the sender is only a
     * resend of a state this node had seen before registering that row (R12). The sender drops its
     * row for such an item when it loads any message carrying this node's change, since every such
     * message acknowledges the sender's message {@code since}; both ends so keep this node's change.
     * An item the sender first sent later is a change this node had not seen: a conflict, decided
     * alike at both ends. Without the item's {@code since} (a wire format that cannot say), the
     * weaker test is whether the incoming state is the row's base: right unless the sender changed
     * the object away and back again.
     */
    private static boolean isResend(MessageItem item, Digest incomingDigest, Registration row) {
        if (item.since() > 0) {
            return item.since() <= row.seenNo();
        }
        return item instanceof MessageItem.Upsert && row.base().equals(incomingDigest);
    }

    /**
     * Decides a conflict and journals it (R4, R12); returns whether the incoming version wins. On a
     * restored link the restored node's version loses only where it may come from its backup: at
     * the restored node, a row registered before it knew it was restored ({@code mineFromBackup});
     * at its peer, an item the restored node sent flagged so ({@code theirsFromBackup}). A change
     * the restored node received or made since it knew is decided by the resolver like any other,
     * so that a deletion it loaded from one neighbour is not undone by an older edit from another.
     */
    private boolean decide(ObjectVersion mine, ObjectVersion theirs, ObjectKey key, Body body,
            boolean mineFromBackup, boolean theirsFromBackup) {
        boolean senderIsParent = ctx.plan.isParentOf(body.peer, ctx.me);
        boolean incomingWins;
        String why;
        if (mineFromBackup && !theirsFromBackup) {
            incomingWins = true;
            why = "this node was restored from a backup: " + body.peer + "'s version wins (R4)";
        } else if (theirsFromBackup && !mineFromBackup) {
            incomingWins = false;
            why = body.peer + (body.header.senderRestored ? " was restored from a backup"
                    : " offers back a copy of what this node had retracted from it") + ": this node's version wins (R4)";
        } else {
            ObjectVersion parent = senderIsParent ? theirs : mine;
            ObjectVersion child = senderIsParent ? mine : theirs;
            ConflictResolver.Winner winner = ctx.plan.resolver().resolve(parent, child, key);
            incomingWins = (winner == ConflictResolver.Winner.PARENT) == senderIsParent;
            why = "the resolver chose the " + winner.name().toLowerCase(Locale.ROOT) + "'s version";
        }
        body.notes.add(ctx.entry(JournalEntry.Kind.CONFLICT, body.peer, 0, 0, 1, 0, 0,
                "incoming " + theirs.kind() + " " + theirs.digest().hex() + " vs local " + mine.kind() + " "
                        + mine.digest().hex() + ": " + why + "; kept " + (incomingWins ? "incoming" : "local")
                        + (incomingWins ? "" : ", sent back"),
                List.of(key)));
        return incomingWins;
    }

    /** What this node would send the peer for the object: its state, a deletion or a retraction. */
    private ObjectVersion versionFor(DataObject local, boolean tombstone, String peer) {
        if (local != null && ctx.plan.goesTo(local, ctx.me, peer)) {
            return new ObjectVersion(ObjectVersion.Kind.STATE, Optional.of(local), ctx.plan.digest(local));
        }
        return new ObjectVersion(local == null && tombstone ? ObjectVersion.Kind.DELETION
                : ObjectVersion.Kind.RETRACTION, Optional.empty(), Digest.ABSENT);
    }

    private static ObjectVersion version(MessageItem item, Digest digest) {
        if (item instanceof MessageItem.Upsert u) {
            return new ObjectVersion(ObjectVersion.Kind.STATE, Optional.of(u.object()), digest);
        }
        return new ObjectVersion(item instanceof MessageItem.Deletion ? ObjectVersion.Kind.DELETION
                : ObjectVersion.Kind.RETRACTION, Optional.empty(), Digest.ABSENT);
    }

    /** What the header transaction found. */
    private static final class Header {
        boolean duplicate;
        boolean refused;
        long lastLoaded;
        long acknowledged;
        /**
         * The session below which this node's rows for the peer may come from its backup (found before
         * or by this header), kept after the link healed; 0 if this node never found itself restored
         * on the link.
         */
        long backupBelow;
        /** Whether this node is restored on the link and the peer has not yet acknowledged that. */
        boolean restored;
        /** Whether the message carries the restored flag. */
        boolean senderRestored;
    }

    /** One attempt at applying a body. */
    private static final class Body {
        final String peer;
        final Header header;
        final Set<ObjectKey> setAside;
        final List<JournalEntry> notes = new ArrayList<>();
        ObjectKey current;
        long items;
        long controls;
        long applied;
        long conflicts;

        Body(String peer, Header header, Set<ObjectKey> setAside) {
            this.peer = peer;
            this.header = header;
            this.setAside = setAside;
        }
    }
}
