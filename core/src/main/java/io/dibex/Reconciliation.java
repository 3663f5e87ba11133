package io.dibex;

import io.dibex.internal.Names;
import io.dibex.model.DataObject;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A plan's settings for document reconciliation between the central node (the office) and its
 * children (SPEC §5, seed 000): which document kinds are compared, who owns a document, its date,
 * the children reconciled (the auto-send list, {@code ExpDocAuto}) and the window of document
 * dates. Both ends of a reconciliation read them from the plan, so every node must be built from
 * an equal plan. Build with {@link #builder()} and give to
 * {@link ExchangePlan.Builder#reconciliation(Reconciliation)}.
 *
 * <p>The other two options of the seed, whether documents of pharmacy departments are selected
 * ({@code AllDocsExport}) and whether documents of internal subdivisions are passed to the office
 * ({@code ExpDocSubdInt}), are routing: see {@link Subdivisions}.
 */
public final class Reconciliation {

    /** The seed's window: 45 days of document dates. */
    public static final Period DEFAULT_WINDOW = Period.ofDays(45);

    private final Set<String> kinds;
    private final Function<DataObject, Optional<String>> owner;
    private final Function<DataObject, Optional<LocalDate>> date;
    private final List<String> autoSend;
    private final Period window;
    private final io.dibex.spi.SetComparison compact;

    private Reconciliation(Builder b) {
        if (b.owner == null) {
            throw new IllegalArgumentException("a reconciliation needs the owner of a document: call owner(...)");
        }
        this.kinds = Set.copyOf(b.kinds);
        this.owner = b.owner;
        this.date = b.date;
        this.autoSend = List.copyOf(b.autoSend);
        this.window = b.window;
        this.compact = b.compact;
    }

    /** A builder: every document kind, the date from field {@code Date}, a window of 45 days. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether documents of {@code kind} are compared: the kinds named, or every document kind of
     * the plan when none was named.
     */
    public boolean compares(ObjectKind kind) {
        return kinds.isEmpty() ? kind.category() == ObjectKind.Category.DOCUMENT : kinds.contains(kind.name());
    }

    /** The kinds named, or empty for every document kind of the plan. */
    public Set<String> kinds() {
        return kinds;
    }

    /**
     * The node that owns {@code document}, after the subdivision mapping: the node whose state of
     * it wins a reconciliation. Empty when it has none; such a document is not compared.
     */
    public Optional<String> ownerOf(DataObject document) {
        return Objects.requireNonNull(owner.apply(document), "the owner function returned null");
    }

    /** The date of {@code document} for the window; empty when it has none, and it is not compared. */
    public Optional<LocalDate> dateOf(DataObject document) {
        return Objects.requireNonNull(date.apply(document), "the date function returned null");
    }

    /** The children of the central node reconciled, in order: the auto-send list ({@code ExpDocAuto}). */
    public List<String> autoSend() {
        return autoSend;
    }

    /** The window of document dates a reconciliation covers, ending on the day it starts. */
    public Period window() {
        return window;
    }

    /**
     * The protocol of the compact request, if the settings name one; otherwise the request lists
     * every document (the naive request of SPEC §5).
     */
    public Optional<io.dibex.spi.SetComparison> compact() {
        return Optional.ofNullable(compact);
    }

    @Override
    public String toString() {
        return "Reconciliation[autoSend=" + autoSend + ", window=" + window + (compact != null ? ", compact" : "")
                + (kinds.isEmpty() ? "" : ", kinds=" + kinds) + "]";
    }

    /** The date in field {@code field} of a document, a date or the day of a date-time. */
    public static Function<DataObject, Optional<LocalDate>> dateField(String field) {
        Names.requireName(field, "date field");
        return document -> Sequence.dateTime(document.get(field)).map(LocalDateTime::toLocalDate);
    }

    /** Builds a {@link Reconciliation}. Not thread-safe. */
    public static final class Builder {
        private final Set<String> kinds = new LinkedHashSet<>();
        private Function<DataObject, Optional<String>> owner;
        private Function<DataObject, Optional<LocalDate>> date = dateField("Date");
        private final List<String> autoSend = new ArrayList<>();
        private Period window = DEFAULT_WINDOW;
        private io.dibex.spi.SetComparison compact;

        private Builder() {
        }

        /**
         * Compares with a compact request whose size grows with the number of differences, not of
         * documents (SPEC §5), using {@code comparison} (dibex's:
         * {@code io.dibex.checksum.CompactReconciliation.comparison()}); both ends must use the same.
         * By default the request lists every document.
         */
        public Builder compact(io.dibex.spi.SetComparison comparison) {
            this.compact = Objects.requireNonNull(comparison, "comparison");
            return this;
        }

        /** Compares only documents of these kinds (default: every document kind of the plan). */
        public Builder kinds(String... names) {
            for (String kind : names) {
                kinds.add(Names.requireName(kind, "kind"));
            }
            return this;
        }

        /**
         * How to tell the node that owns a document (required); for documents owned by
         * subdivisions, {@link Subdivisions#owner(String)}. Must be deterministic and touch no
         * store, like {@link Routing}.
         */
        public Builder owner(Function<DataObject, Optional<String>> function) {
            this.owner = Objects.requireNonNull(function, "function");
            return this;
        }

        /** How to tell a document's date (default: {@link #dateField(String) dateField("Date")}). */
        public Builder date(Function<DataObject, Optional<LocalDate>> function) {
            this.date = Objects.requireNonNull(function, "function");
            return this;
        }

        /** Adds children of the central node to the auto-send list ({@code ExpDocAuto}), in order. */
        public Builder autoSend(String... nodes) {
            for (String node : nodes) {
                String n = Names.requireName(node, "node");
                if (!autoSend.contains(n)) {
                    autoSend.add(n);
                }
            }
            return this;
        }

        /** The window of document dates (default 45 days); at least one day. */
        public Builder window(Period period) {
            Objects.requireNonNull(period, "period");
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("the window must be at least one day, got " + period);
            }
            this.window = period;
            return this;
        }

        /** The settings. */
        public Reconciliation build() {
            return new Reconciliation(this);
        }
    }
}
