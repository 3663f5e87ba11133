package io.dibex.internal;

import io.dibex.ExchangePlan;
import io.dibex.MigrationPolicy;
import io.dibex.Sequence;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.SequenceBoundary;
import io.dibex.spi.ExchangeStore;
import java.time.LocalDateTime;
import java.util.Optional;

/** Sequence boundaries (R14) and the migrating part of a state (R11), shared by host writes, imports and restores. */
final class Sequences {

    private Sequences() {
    }

    /**
     * Moves the boundary of every sequence kept at {@code me} that holds the document's kind to
     * the minimum of the boundary, the document's old point and its new point (R14).
     *
     * @param before the state before the write, or null if absent
     * @param after the state after, or null if deleted
     * @param except the sequence a restore is reposting, whose boundary its own writes never move
     *     back; null for none
     */
    static void move(ExchangePlan plan, String me, ExchangeStore store, ObjectKey key, DataObject before,
            DataObject after, String except) {
        for (Sequence seq : plan.sequences().values()) {
            if (!seq.contains(key) || !seq.keptAt(plan, me) || seq.name().equals(except)) {
                continue;
            }
            SequenceBoundary lowest = null;
            for (DataObject state : new DataObject[] {before, after}) {
                if (state != null) {
                    SequenceBoundary b = SequenceBoundary.before(pointOf(seq, state), key);
                    lowest = lowest == null ? b : lowest.min(b);
                }
            }
            if (lowest == null) {
                continue;
            }
            Optional<SequenceBoundary> now = store.sequenceBoundary(seq.name());
            if (now.isEmpty() || lowest.compareTo(now.get()) < 0) {
                store.putSequenceBoundary(seq.name(), lowest);
            }
        }
    }

    /**
     * A document's date-time in a sequence; a document without one (possible only for a loaded
     * one: host writes are checked) stands at the very start, so that a restore reposts it first.
     */
    static LocalDateTime pointOf(Sequence seq, DataObject document) {
        return seq.dateOf(document).orElse(LocalDateTime.MIN);
    }

    /** Refuses a host write of a sequence document without a date-time, before anything is written. */
    static void requireDates(ExchangePlan plan, DataObject object) {
        for (Sequence seq : plan.sequences().values()) {
            if (seq.contains(object.key()) && seq.dateOf(object).isEmpty()) {
                throw new IllegalArgumentException("document " + object.key() + " is in sequence " + seq.name()
                        + " but its field " + seq.dateField() + " holds no date-time or date: " + object.get(
                                seq.dateField()) + "; set it before writing (R14)");
            }
        }
    }

    /** Whether the state holds records of a {@code LOCAL} register (R11). */
    static boolean hasLocalRecords(ExchangePlan plan, DataObject state) {
        for (RecordSet set : state.recordSets()) {
            if (plan.policyOf(set.register()) == MigrationPolicy.LOCAL) {
                return true;
            }
        }
        return false;
    }

    /** The state without the record sets of {@code LOCAL} registers: what may leave the node (R11). */
    static DataObject migrating(ExchangePlan plan, DataObject state) {
        if (!hasLocalRecords(plan, state)) {
            return state;
        }
        DataObject.Builder b = DataObject.builder(state.key());
        state.fields().forEach(b::set);
        state.tables().forEach(b::table);
        for (RecordSet set : state.recordSets()) {
            if (plan.policyOf(set.register()) == MigrationPolicy.MIGRATE) {
                b.recordSet(set);
            }
        }
        return b.build();
    }
}
