package io.dibex.internal;

import io.dibex.ExchangePlan;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ExchangeStore;

/**
 * Registers changes for the neighbours they go to (R2, R9): given an object's state before and
 * after a write, registers the new state where it goes now, and a retraction or deletion where
 * it went before and goes no longer.
 */
final class Registrar {

    private final ExchangePlan plan;
    private final String me;
    private final java.time.Clock clock;
    /** The engine's session, stamped on every row registered (R4: see {@code Context.session()}). */
    private final java.util.function.LongSupplier session;

    Registrar(ExchangePlan plan, String me, java.time.Clock clock, java.util.function.LongSupplier session) {
        this.plan = plan;
        this.me = me;
        this.clock = clock;
        this.session = session;
    }

    /**
     * Registers the change from {@code before} to {@code after} for every neighbour except
     * {@code except} (the sender of a loaded change; null for a local write).
     *
     * @param before the state before, or null if absent
     * @param after the state after, or null if deleted or retracted
     * @return how many registrations were written
     */
    int register(ExchangeStore store, ObjectKey key, DataObject before, DataObject after, String except) {
        int written = 0;
        for (String neighbour : plan.neighboursOf(me)) {
            if (neighbour.equals(except)) {
                continue;
            }
            boolean went = before != null && plan.goesTo(before, me, neighbour);
            boolean goes = after != null && plan.goesTo(after, me, neighbour);
            // The base: what the neighbour may still hold and send back, which is then no conflict (R12).
            Digest base = went ? plan.digest(before) : Digest.ABSENT;
            // What this node had loaded from the neighbour before this change: a later resend of any
            // of it is no conflict (R12).
            long seen = (goes || went) ? store.peer(neighbour).lastLoadedNo() : 0;
            if (goes) {
                store.register(neighbour, key, plan.digest(after), base, seen, session.getAsLong());
                written++;
            } else if (went) {
                // Sent at export as a deletion where this node holds the tombstone, else as a retraction (R3).
                store.register(neighbour, key, Digest.ABSENT, base, seen, session.getAsLong());
                if (after != null || store.tombstone(key).isEmpty()) {
                    // A retraction, remembered: a restore of the neighbour that brings the object back is
                    // answered by retracting it again (R4). A deletion has its tombstone for that.
                    store.putRetraction(neighbour, key, clock.instant());
                }
                written++;
            }
        }
        return written;
    }

    /**
     * Registers an object's current state by the host's explicit request (R10): for one neighbour,
     * its state if it goes there and otherwise its deletion or retraction; for every neighbour
     * ({@code only} null), its state where it goes, or its deletion wherever its kind travels when
     * {@code current} is null (a tombstone is held).
     *
     * @return how many registrations were written
     */
    int registerExplicitly(ExchangeStore store, ObjectKey key, DataObject current, String only) {
        int written = 0;
        for (String neighbour : plan.neighboursOf(me)) {
            if (only != null && !neighbour.equals(only)) {
                continue;
            }
            long seen = store.peer(neighbour).lastLoadedNo();
            if (current != null && plan.goesTo(current, me, neighbour)) {
                Digest d = plan.digest(current);
                store.register(neighbour, key, d, Digest.ABSENT, seen, session.getAsLong());
                written++;
            } else if (only != null || current == null && travels(key, neighbour)) {
                store.register(neighbour, key, Digest.ABSENT, Digest.ABSENT, seen, session.getAsLong());
                if (current != null) {
                    store.putRetraction(neighbour, key, clock.instant());
                }
                written++;
            }
        }
        return written;
    }

    /** Whether the key's kind may travel from this node to the neighbour (R9's one-way kinds). */
    boolean travels(ObjectKey key, String neighbour) {
        io.dibex.ObjectKind kind = plan.kind(key.kind()).orElseThrow();
        boolean down = plan.isParentOf(me, neighbour);
        return !(kind.direction() == io.dibex.ObjectKind.Direction.DOWN_ONLY && !down
                || kind.direction() == io.dibex.ObjectKind.Direction.UP_ONLY && down);
    }
}
