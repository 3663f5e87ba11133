package io.dibex;

import io.dibex.internal.Names;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.SequenceBoundary;
import io.dibex.model.Value;
import java.time.LocalDateTime;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A document sequence of a plan (R14, the seeds' последовательность документов): the document
 * kinds in it, whether it is kept at the central node only, and the field that gives each
 * document's date-time. A document's point is (date-time, key). Where the sequence is kept, a
 * {@link SequenceBoundary} in the exchange store says up to where its documents are correctly
 * posted; writing, loading, deleting or unposting one of its documents moves the boundary back,
 * and {@link Node#restoreSequence} reposts from it. Immutable; build one with {@link #builder}.
 */
public final class Sequence {

    /**
     * The host's posting code, called by {@link Node#restoreSequence} for each document to repost
     * (the seeds' {@code Док.Провести()}). It recomputes the document's record sets and writes it
     * through {@code tx}; registration of that one write is suppressed (R10) and no write of the
     * restore moves the boundary back. Every document of the sequence from the boundary is given,
     * unposted ones included: the posting code decides, and may write nothing.
     */
    @FunctionalInterface
    public interface Posting {
        /**
         * Reposts {@code document}, as this transaction holds it.
         *
         * @throws Exception to stop the restore; this document's transaction rolls back and the
         *     boundary stays just past the previous one
         */
        void post(HostTransaction tx, DataObject document) throws Exception;
    }

    /** Told of each document a restore reposted, after its transaction committed. */
    @FunctionalInterface
    public interface Progress {
        /** No progress reporting. */
        Progress NONE = (document, done, total) -> { };

        /**
         * Called after {@code document} was reposted and the boundary moved past it.
         *
         * @param done how many documents this run has reposted so far
         * @param total how many this run found to repost (it may find more if writes move the
         *     boundary back meanwhile)
         */
        void reposted(ObjectKey document, long done, long total);
    }

    /**
     * What a restore did.
     *
     * @param sequence the sequence's name
     * @param reposted how many documents were reposted
     * @param complete whether it reached the point it was asked to; false when the thread was
     *     interrupted (its interrupt flag stays set)
     * @param boundary the boundary afterwards; empty when none was ever set
     */
    public record RestoreResult(String sequence, long reposted, boolean complete, Optional<SequenceBoundary> boundary) {

        /** Checks the parts. */
        public RestoreResult {
            Objects.requireNonNull(sequence, "sequence");
            Objects.requireNonNull(boundary, "boundary");
        }
    }

    private final String name;
    private final Set<String> kinds;
    private final boolean centralOnly;
    private final String dateField;

    private Sequence(Builder b) {
        this.name = b.name;
        this.kinds = Collections.unmodifiableSet(new LinkedHashSet<>(b.kinds));
        this.centralOnly = b.centralOnly;
        this.dateField = b.dateField;
    }

    /** Starts a sequence with this name. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The name. */
    public String name() {
        return name;
    }

    /** The document kinds in the sequence, in declaration order. */
    public Set<String> kinds() {
        return kinds;
    }

    /** Whether the sequence is kept at the central node only (the seeds' «Единая последовательность в центральной ИБ»). */
    public boolean centralOnly() {
        return centralOnly;
    }

    /** The field holding a document's date-time (a date-time or a date value). */
    public String dateField() {
        return dateField;
    }

    /** Whether the sequence is kept at {@code node} of {@code plan}. */
    public boolean keptAt(ExchangePlan plan, String node) {
        return !centralOnly || plan.central().equals(node);
    }

    /** Whether {@code document} is of a kind in the sequence. */
    public boolean contains(ObjectKey document) {
        return kinds.contains(document.kind());
    }

    /** The date-time of a document of the sequence, if its date field holds a date-time or a date. */
    public Optional<LocalDateTime> dateOf(DataObject document) {
        return dateTime(document.get(dateField));
    }

    /** A date-time value, or a date as its start of day; empty for anything else. */
    static Optional<LocalDateTime> dateTime(Value v) {
        if (v instanceof Value.DateTime dt) {
            return Optional.of(dt.value());
        }
        if (v instanceof Value.Date d) {
            return Optional.of(d.value().atStartOfDay());
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Sequence[" + name + ", kinds=" + kinds + (centralOnly ? ", central only" : "") + "]";
    }

    /** Builds a {@link Sequence}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final Set<String> kinds = new LinkedHashSet<>();
        private boolean centralOnly;
        private String dateField = "Date";

        private Builder(String name) {
            this.name = Names.requireName(name, "sequence name");
        }

        /** Adds a document kind; the plan checks, when built, that it declares it as a document. */
        public Builder kind(String kind) {
            kinds.add(Names.requireName(kind, "kind"));
            return this;
        }

        /** Keeps the sequence at the central node only (default: at every node). */
        public Builder centralOnly(boolean on) {
            this.centralOnly = on;
            return this;
        }

        /** The field holding a document's date-time (default {@code Date}). */
        public Builder dateField(String field) {
            this.dateField = Names.requireName(field, "date field");
            return this;
        }

        /** The sequence. */
        public Sequence build() {
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException("sequence " + name + " has no document kinds; add one with kind()");
            }
            return new Sequence(this);
        }
    }
}
