package io.dibex.memory;

import io.dibex.model.ObjectKey;
import io.dibex.spi.Registration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The registrations of one peer with the indexes the exchange store's queries need: by
 * {@code firstSentNo} and {@code lastSentNo} for acknowledgment (R4), and the unsent and numbered
 * sendable keys in key order for numbering and export (R3). Every change goes through
 * {@link #set}, which keeps the indexes in step. Not thread-safe: the storage's lock guards it.
 */
final class RegistrationTable {

    private final TreeMap<ObjectKey, Registration> rows = new TreeMap<>();
    private final TreeMap<Long, Set<ObjectKey>> byFirstSentNo = new TreeMap<>();
    private final TreeMap<Long, Set<ObjectKey>> byLastSentNo = new TreeMap<>();
    /** Rows without firstSentNo and not rejected: what numberUnsent takes, in key order. */
    private final TreeSet<ObjectKey> unsent = new TreeSet<>();
    /** Rows with firstSentNo and not rejected: what numbered() streams, in key order. */
    private final TreeSet<ObjectKey> numbered = new TreeSet<>();

    Registration get(ObjectKey key) {
        return rows.get(key);
    }

    /**
     * Replaces the row of {@code key} with {@code row}, or deletes it when {@code row} is null.
     *
     * @return the previous row, or null
     */
    Registration set(ObjectKey key, Registration row) {
        Registration old = row == null ? rows.remove(key) : rows.put(key, row);
        if (old != null) {
            unindex(old);
        }
        if (row != null) {
            index(row);
        }
        return old;
    }

    int size() {
        return rows.size();
    }

    long sendable() {
        return (long) unsent.size() + numbered.size();
    }

    /** The first unsent, not rejected key, or null. */
    ObjectKey firstUnsent() {
        return unsent.isEmpty() ? null : unsent.first();
    }

    /** The first numbered, not rejected key after {@code after} (null: from the start), or null. */
    /** The first key after {@code after} (or the first key, when null), rejected rows included. */
    ObjectKey nextKey(ObjectKey after) {
        return after == null ? (rows.isEmpty() ? null : rows.firstKey()) : rows.higherKey(after);
    }

    ObjectKey nextNumbered(ObjectKey after) {
        return after == null ? (numbered.isEmpty() ? null : numbered.first()) : numbered.higher(after);
    }

    /** The keys of rows whose firstSentNo is {@code no}, copied. */
    List<ObjectKey> withFirstSentNo(long no) {
        Set<ObjectKey> keys = byFirstSentNo.get(no);
        return keys == null ? List.of() : new ArrayList<>(keys);
    }

    /** The keys of rows whose firstSentNo is in 1..k, copied. */
    List<ObjectKey> withFirstSentNoUpTo(long k) {
        return collect(byFirstSentNo.headMap(k, true).values());
    }

    /** The keys of rows whose lastSentNo is in 1..k, copied. */
    List<ObjectKey> withLastSentNoUpTo(long k) {
        return collect(byLastSentNo.headMap(k, true).values());
    }

    /** A deep copy, for {@link InMemoryStorage#copy()}. */
    RegistrationTable copy() {
        RegistrationTable copy = new RegistrationTable();
        rows.forEach(copy::set);
        return copy;
    }

    private static List<ObjectKey> collect(Collection<Set<ObjectKey>> sets) {
        List<ObjectKey> keys = new ArrayList<>();
        sets.forEach(keys::addAll);
        return keys;
    }

    private void index(Registration row) {
        if (row.firstSentNo() > 0) {
            add(byFirstSentNo, row.firstSentNo(), row.key());
        }
        if (row.lastSentNo() > 0) {
            add(byLastSentNo, row.lastSentNo(), row.key());
        }
        if (!row.rejected()) {
            (row.numbered() ? numbered : unsent).add(row.key());
        }
    }

    private void unindex(Registration row) {
        if (row.firstSentNo() > 0) {
            remove(byFirstSentNo, row.firstSentNo(), row.key());
        }
        if (row.lastSentNo() > 0) {
            remove(byLastSentNo, row.lastSentNo(), row.key());
        }
        unsent.remove(row.key());
        numbered.remove(row.key());
    }

    private static void add(Map<Long, Set<ObjectKey>> index, long no, ObjectKey key) {
        index.computeIfAbsent(no, n -> new TreeSet<>()).add(key);
    }

    private static void remove(Map<Long, Set<ObjectKey>> index, long no, ObjectKey key) {
        Set<ObjectKey> keys = index.get(no);
        if (keys != null && keys.remove(key) && keys.isEmpty()) {
            index.remove(no);
        }
    }
}
