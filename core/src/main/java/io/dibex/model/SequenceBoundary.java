package io.dibex.model;

import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.Objects;

/**
 * The boundary of a document sequence (R14): a point in (date-time, document key) order, either
 * just before the document at that point or just past it. Boundary B means that every document
 * of the sequence whose point lies before B is correctly posted; the ones at or after it may have
 * to be reposted.
 *
 * <p>Boundaries order by date-time, then document key, then "before" ahead of "past": the
 * minimum of two boundaries is the one that asks for more reposting.
 *
 * @param at the date-time of the point
 * @param document the document at the point
 * @param past whether the boundary lies just past that document (it is correctly posted) rather
 *     than just before it
 */
public record SequenceBoundary(LocalDateTime at, ObjectKey document, boolean past)
        implements Comparable<SequenceBoundary> {

    private static final Comparator<SequenceBoundary> ORDER = Comparator.comparing(SequenceBoundary::at)
            .thenComparing(SequenceBoundary::document).thenComparing(SequenceBoundary::past);

    /** Checks that both parts are present. */
    public SequenceBoundary {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(document, "document");
    }

    /** The boundary just before the document at this point: that document must be reposted. */
    public static SequenceBoundary before(LocalDateTime at, ObjectKey document) {
        return new SequenceBoundary(at, document, false);
    }

    /** The boundary just past the document at this point: that document is correctly posted. */
    public static SequenceBoundary pastOf(LocalDateTime at, ObjectKey document) {
        return new SequenceBoundary(at, document, true);
    }

    /** Whether a document at this point lies before the boundary, that is, is known to be correctly posted. */
    public boolean covers(LocalDateTime at, ObjectKey document) {
        return compareTo(before(at, document)) > 0;
    }

    /** The lower of two boundaries. */
    public SequenceBoundary min(SequenceBoundary other) {
        return compareTo(other) <= 0 ? this : other;
    }

    @Override
    public int compareTo(SequenceBoundary other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return (past ? "past " : "before ") + document + " at " + at;
    }
}
