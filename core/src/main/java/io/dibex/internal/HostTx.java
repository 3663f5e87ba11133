package io.dibex.internal;

import io.dibex.HostTransaction;
import io.dibex.ObjectKind;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.Value;
import io.dibex.spi.StoreTransaction;
import java.util.Optional;

/** A host's write transaction: each write goes to the object store with its registrations (R2, R9, R13). */
final class HostTx implements HostTransaction {

    private final Context ctx;
    private final Registrar registrar;
    private final StoreTransaction tx;
    private boolean open = true;

    HostTx(Context ctx, Registrar registrar, StoreTransaction tx) {
        this.ctx = ctx;
        this.registrar = registrar;
        this.tx = tx;
    }

    void end() {
        open = false;
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
        // The state before must still be the state when this commits: no import of the key in between (R9, R12).
        tx.exchange().lock(object.key());
        DataObject before = tx.objects().get(object.key()).orElse(null);
        tx.objects().put(object);
        tx.exchange().removeTombstone(object.key());
        // A write that leaves the content as it was is no change: nothing to send (R9), and a row for
        // it would only stand against a real change of a neighbour as a false conflict (R12).
        if (kind.autoRegister() && (before == null || !ctx.plan.digest(before).equals(ctx.plan.digest(object)))) {
            registrar.register(tx.exchange(), object.key(), before, object, null);
        }
    }

    @Override
    public boolean delete(ObjectKey key) {
        requireOpen();
        ObjectKind kind = requireKind(key);
        tx.exchange().lock(key);
        DataObject before = tx.objects().get(key).orElse(null);
        if (before == null) {
            return false;
        }
        if (kind.deletionMark().isPresent()) {
            // Deletions of this kind are a deletion mark (R13): the marked state travels as any state.
            put(before.toBuilder().set(kind.deletionMark().get(), Value.of(true)).build());
            return true;
        }
        tx.objects().delete(key);
        tx.exchange().putTombstone(key, ctx.clock.instant());
        if (kind.autoRegister()) {
            registrar.register(tx.exchange(), key, before, null, null);
        }
        return true;
    }

    @Override
    public StoreTransaction store() {
        requireOpen();
        return tx;
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
