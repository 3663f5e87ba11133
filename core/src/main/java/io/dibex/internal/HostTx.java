package io.dibex.internal;

import io.dibex.DibexException;
import io.dibex.HostTransaction;
import io.dibex.ObjectKind;
import io.dibex.Sequence;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.spi.JournalEntry;
import io.dibex.spi.StoreTransaction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A host's write transaction: each write goes to the object store with its registrations (R2, R9,
 * R13), moves sequence boundaries (R14), and honours registration control (R10).
 */
final class HostTx implements HostTransaction {

    private final Context ctx;
    private final Registrar registrar;
    private final StoreTransaction tx;
    /** The sequence whose boundary writes leave alone: the one a restore reposts (R14); null for none. */
    private final String restoring;
    /** Keys whose next write has its registration suppressed (R10). */
    private final Set<ObjectKey> suppressed = new HashSet<>();
    /** Journal entries to write once the transaction committed. */
    private final List<JournalEntry> notes = new ArrayList<>();
    private boolean open = true;

    HostTx(Context ctx, Registrar registrar, StoreTransaction tx) {
        this(ctx, registrar, tx, null);
    }

    HostTx(Context ctx, Registrar registrar, StoreTransaction tx, String restoring) {
        this.ctx = ctx;
        this.registrar = registrar;
        this.tx = tx;
        this.restoring = restoring;
    }

    void end() {
        open = false;
    }

    /** The warnings to journal after the commit. */
    /**
     * Reposts {@code doc} through the host's posting code in transaction {@code tx}, with the
     * document's registration suppressed (R10), as a sequence restore and the reposting of marked
     * documents do; a checked exception of the posting code comes back as a {@link DibexException}
     * saying {@code during} what it failed.
     *
     * @param restoring the sequence whose restore this is (its boundary is left alone), or null
     * @return the journal notes of the host writes, for after the commit
     */
    static List<JournalEntry> repost(Context ctx, Registrar registrar, StoreTransaction tx, DataObject doc,
            Sequence.Posting posting, String restoring, String during) {
        HostTx host = new HostTx(ctx, registrar, tx, restoring);
        try {
            host.suppressRegistration(doc.key());
            posting.post(host, doc);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new DibexException("posting code failed on " + doc.key() + " " + during + ": " + e.getMessage(), e);
        } finally {
            host.end();
        }
        return host.notes();
    }

    List<JournalEntry> notes() {
        return notes;
    }

    @Override
    public Optional<DataObject> get(ObjectKey key) {
        requireOpen();
        return tx.objects().get(key);
    }

    @Override
    public void put(DataObject object) {
        requireOpen();
        ObjectKind kind = requireKind(object.key());
        Sequences.requireDates(ctx.plan, object);
        ObjectKey key = object.key();
        // The state before must still be the state when this commits: no import of the key in between (R9, R12).
        tx.exchange().lock(key);
        DataObject before = tx.objects().get(key).orElse(null);
        boolean suppress = suppressed.remove(key);
        tx.objects().put(object);
        tx.exchange().removeTombstone(key);
        // A write that leaves the content as it was is no change: nothing to send (R9), and a row for
        // it would only stand against a real change of a neighbour as a false conflict (R12). The
        // same holds under a suppression (R10), which then adds nothing.
        boolean changed = before == null || !ctx.plan.digest(before).equals(ctx.plan.digest(object));
        if (kind.autoRegister() && changed) {
            registrar.register(tx.exchange(), key, before, object, null);
        }
        if (suppress && changed) {
            warnSuppressed(key, before == null ? "created" : "changed");
        }
        // Any change of a posted document, LOCAL records included, may change what later ones post (R14).
        if (!object.equals(before)) {
            Sequences.move(ctx.plan, ctx.me, tx.exchange(), key, before, object, restoring);
        }
    }

    @Override
    public boolean delete(ObjectKey key) {
        requireOpen();
        ObjectKind kind = requireKind(key);
        tx.exchange().lock(key);
        DataObject before = tx.objects().get(key).orElse(null);
        if (before == null) {
            suppressed.remove(key);
            return false;
        }
        if (kind.deletionMark().isPresent()) {
            // Deletions of this kind are a deletion mark (R13): the marked state travels as any state.
            put(before.toBuilder().set(kind.deletionMark().get(), Value.of(true)).build());
            return true;
        }
        boolean suppress = suppressed.remove(key);
        tx.objects().delete(key);
        tx.exchange().putTombstone(key, ctx.clock.instant());
        if (ctx.plan.repostsAtCentral(key.kind())) {
            tx.exchange().removeRepostMark(key); // nothing left to repost
        }
        if (kind.autoRegister()) {
            registrar.register(tx.exchange(), key, before, null, null);
        }
        if (suppress) {
            warnSuppressed(key, "deleted");
        }
        Sequences.move(ctx.plan, ctx.me, tx.exchange(), key, before, null, restoring);
        return true;
    }

    private void warnSuppressed(ObjectKey key, String what) {
        notes.add(ctx.entry(JournalEntry.Kind.WARNING, "", 0, 0, 1, 0, 0, "a write of " + key
                + " with registration suppressed " + what + " its content: registered as usual (R10)",
                List.of(key)));
    }

    @Override
    public String node() {
        return ctx.me;
    }

    @Override
    public boolean isCentral() {
        return ctx.plan.central().equals(ctx.me);
    }

    @Override
    public void suppressRegistration(ObjectKey key) {
        requireOpen();
        requireKind(key);
        suppressed.add(key);
    }

    @Override
    public int register(ObjectKey key) {
        requireOpen();
        requireKind(key);
        tx.exchange().lock(key);
        return registrar.registerExplicitly(tx.exchange(), key, current(key), null);
    }

    @Override
    public void register(ObjectKey key, String neighbour) {
        requireOpen();
        requireKind(key);
        requireNeighbour(neighbour);
        tx.exchange().lock(key);
        registrar.registerExplicitly(tx.exchange(), key, current(key), neighbour);
    }

    /** The object, or null if deleted with a tombstone; refuses an object that is neither. */
    private DataObject current(ObjectKey key) {
        DataObject o = tx.objects().get(key).orElse(null);
        if (o == null && tx.exchange().tombstone(key).isEmpty()) {
            throw new IllegalArgumentException("node " + ctx.me + " holds neither " + key
                    + " nor its tombstone: there is nothing to register (R10)");
        }
        return o;
    }

    @Override
    public int unregister(ObjectKey key) {
        requireOpen();
        int n = 0;
        for (String neighbour : ctx.plan.neighboursOf(ctx.me)) {
            n += tx.exchange().unregister(neighbour, key) ? 1 : 0;
        }
        return n;
    }

    @Override
    public boolean unregister(ObjectKey key, String neighbour) {
        requireOpen();
        requireNeighbour(neighbour);
        return tx.exchange().unregister(neighbour, key);
    }

    @Override
    public StoreTransaction store() {
        requireOpen();
        return tx;
    }

    private void requireNeighbour(String neighbour) {
        if (!ctx.plan.hasNode(neighbour) || !ctx.plan.areNeighbours(ctx.me, neighbour)) {
            throw new IllegalArgumentException("'" + neighbour + "' is not a neighbour of node " + ctx.me
                    + "; its neighbours are " + ctx.plan.neighboursOf(ctx.me));
        }
    }

    private ObjectKind requireKind(ObjectKey key) {
        return ctx.plan.kind(key.kind()).orElseThrow(() -> new IllegalArgumentException("kind " + key.kind()
                + " of " + key + " is not declared in plan " + ctx.plan.name() + "; declare it with ObjectKind"));
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException("this host transaction of node " + ctx.me
                    + " has ended; use the one given to the current work");
        }
    }
}
