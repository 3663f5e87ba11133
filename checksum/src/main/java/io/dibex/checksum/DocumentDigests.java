package io.dibex.checksum;

import io.dibex.ExchangePlan;
import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import io.dibex.model.ObjectKey;
import java.util.Iterator;
import java.util.Objects;

/**
 * The (key, digest) entries of a set of documents, and the comparison of two such lists: the
 * naive reconciliation request of SPEC §5 and what each side does with it. Both work on streams in
 * key order ({@link ObjectKey#compareTo}), one entry at a time, so memory does not grow with the
 * number of documents.
 *
 * <p>A document's digest is {@link ExchangePlan#digest}: the document with its {@code MIGRATE}
 * record sets, {@code LOCAL} ones left out (R11); {@code docs/canonical-digest.md} specifies it.
 */
public final class DocumentDigests {

    private DocumentDigests() {
    }

    /**
     * One document's entry.
     *
     * @param key the document
     * @param digest the digest of its state
     */
    public record Entry(ObjectKey key, Digest digest) {
        /** Rejects nulls. */
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(digest, "digest");
        }
    }

    /**
     * What a comparison finds, key by key. Each method is called in key order; the default
     * methods ignore what they are told.
     */
    public interface Differences {
        /**
         * A document this side has and the other side's list lacks.
         *
         * @param mine this side's entry
         */
        default void onlyMine(Entry mine) {
        }

        /**
         * A document on the other side's list that this side lacks.
         *
         * @param theirs the other side's entry
         */
        default void onlyTheirs(Entry theirs) {
        }

        /**
         * A document both sides have, in different states.
         *
         * @param key the document
         * @param mine this side's digest
         * @param theirs the other side's digest
         */
        default void different(ObjectKey key, Digest mine, Digest theirs) {
        }
    }

    /**
     * The counts of a comparison.
     *
     * @param same documents both sides hold in the same state
     * @param onlyMine documents only this side holds
     * @param onlyTheirs documents only the other side holds
     * @param different documents both hold, in different states
     */
    public record Comparison(long same, long onlyMine, long onlyTheirs, long different) {
        /**
         * Whether the two sides agree.
         *
         * @return true when no document is missing or different on either side
         */
        public boolean agree() {
            return onlyMine == 0 && onlyTheirs == 0 && different == 0;
        }
    }

    /**
     * The entries of these documents, computed as they are taken: one document is held at a time.
     * The entries come in the documents' order; give them in key order to compare them.
     *
     * @param plan the plan, whose migration policies decide which record sets count
     * @param documents the documents
     * @return their entries, lazily
     */
    public static Iterator<Entry> of(ExchangePlan plan, Iterator<DataObject> documents) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(documents, "documents");
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return documents.hasNext();
            }

            @Override
            public Entry next() {
                DataObject d = documents.next();
                return new Entry(d.key(), plan.digest(d));
            }
        };
    }

    /**
     * Compares two lists of entries in one pass, telling {@code differences} of every document
     * missing or different on either side.
     *
     * @param mine this side's entries, in strictly increasing key order
     * @param theirs the other side's entries, likewise
     * @param differences told of each difference, in key order
     * @return the counts
     * @throws IllegalArgumentException when either list is not in strictly increasing key order
     *     (a repeated key included); the differences told until then stand
     */
    public static Comparison compare(Iterator<Entry> mine, Iterator<Entry> theirs, Differences differences) {
        Objects.requireNonNull(differences, "differences");
        Ordered a = new Ordered(mine, "this side's");
        Ordered b = new Ordered(theirs, "the other side's");
        long same = 0;
        long onlyMine = 0;
        long onlyTheirs = 0;
        long different = 0;
        Entry x = a.next();
        Entry y = b.next();
        while (x != null || y != null) {
            int c = x == null ? 1 : y == null ? -1 : x.key().compareTo(y.key());
            if (c < 0) {
                differences.onlyMine(x);
                onlyMine++;
                x = a.next();
            } else if (c > 0) {
                differences.onlyTheirs(y);
                onlyTheirs++;
                y = b.next();
            } else {
                if (x.digest().equals(y.digest())) {
                    same++;
                } else {
                    differences.different(x.key(), x.digest(), y.digest());
                    different++;
                }
                x = a.next();
                y = b.next();
            }
        }
        return new Comparison(same, onlyMine, onlyTheirs, different);
    }

    /** An iterator's entries, checked to rise strictly; null at the end. */
    private static final class Ordered {
        private final Iterator<Entry> entries;
        private final String whose;
        private ObjectKey last;

        Ordered(Iterator<Entry> entries, String whose) {
            this.entries = Objects.requireNonNull(entries, "entries");
            this.whose = whose;
        }

        Entry next() {
            if (!entries.hasNext()) {
                return null;
            }
            Entry e = Objects.requireNonNull(entries.next(), () -> whose + " entries hold a null after " + last);
            if (last != null && last.compareTo(e.key()) >= 0) {
                throw new IllegalArgumentException(whose + " entries are not in strictly increasing key order: "
                        + e.key() + " after " + last);
            }
            last = e.key();
            return e;
        }
    }
}
