package io.dibex;

import io.dibex.internal.Names;
import io.dibex.model.DataObject;
import io.dibex.model.Value;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The subdivisions that own documents and the nodes they map onto, with the seed's two routing
 * options (seed 000): whether documents of pharmacy departments are selected for exchange with the
 * office ({@code AllDocsExport}), and whether documents of a pharmacy's internal subdivisions, which
 * the office does not see, are passed to the office ({@code ExpDocSubdInt}).
 *
 * <p>A subdivision is a node's own (its main subdivision, named like the node), a department of
 * it that the office knows, or an internal subdivision the office does not see. A document names
 * its subdivision in a field; {@link #owner(String)} maps it onto its node for
 * {@link Reconciliation}, and {@link #routing(String, String, String)} routes it:
 * <ul>
 *   <li>to its node, always;</li>
 *   <li>to the central node (and so through every node on the way), unless it is a department's
 *       and {@code AllDocsExport} is off, or an internal subdivision's and {@code ExpDocSubdInt}
 *       is off: then it stays at its node;</li>
 *   <li>optionally also to the node of a recipient subdivision named in another field (a transfer
 *       from the office to a pharmacy).</li>
 * </ul>
 * So the reconciliation, which compares what routing sends to a child, compares a department's
 * documents only with {@code AllDocsExport} on, and an internal subdivision's only with
 * {@code ExpDocSubdInt} on, mapped onto its node. Build with {@link #builder()}.
 */
public final class Subdivisions {

    /** What a subdivision is to the node it belongs to. */
    public enum Type {
        /** The node's own subdivision. */
        MAIN,
        /** A department the office knows ({@code AllDocsExport} decides whether its documents go up). */
        DEPARTMENT,
        /** An internal subdivision the office does not see ({@code ExpDocSubdInt} decides). */
        INTERNAL
    }

    /** One subdivision: the node it maps onto and its type. */
    public record Subdivision(String name, String node, Type type) {
        /** Validates the names. */
        public Subdivision {
            Names.requireName(name, "subdivision");
            Names.requireName(node, "node");
            Objects.requireNonNull(type, "type");
        }
    }

    private final Map<String, Subdivision> subdivisions;
    private final boolean allDocsExport;
    private final boolean internalToOffice;

    private Subdivisions(Builder b) {
        this.subdivisions = Collections.unmodifiableMap(new LinkedHashMap<>(b.subdivisions));
        this.allDocsExport = b.allDocsExport;
        this.internalToOffice = b.internalToOffice;
    }

    /** A builder: no subdivisions, {@code AllDocsExport} on, {@code ExpDocSubdInt} off. */
    public static Builder builder() {
        return new Builder();
    }

    /** The subdivision of this name, if declared; a node's name is its main subdivision. */
    public Optional<Subdivision> subdivision(String name) {
        Subdivision s = subdivisions.get(name);
        return Optional.ofNullable(s);
    }

    /** Whether documents of departments go to the office ({@code AllDocsExport}). */
    public boolean allDocsExport() {
        return allDocsExport;
    }

    /** Whether documents of internal subdivisions go to the office ({@code ExpDocSubdInt}). */
    public boolean internalToOffice() {
        return internalToOffice;
    }

    /**
     * The owner function for {@link Reconciliation.Builder#owner}: the node of the subdivision
     * named in {@code field} (a text value, or a reference whose id names it).
     */
    public Function<DataObject, Optional<String>> owner(String field) {
        Names.requireName(field, "field");
        return document -> subdivisionIn(document, field).map(Subdivision::node);
    }

    /**
     * The routing predicate for documents: see the class comment. A document that goes up is
     * routed to the central node, and so passes every node on its way there; objects without the
     * field (catalogs) go everywhere.
     *
     * @param central the plan's central node
     * @param field the field naming the owning subdivision
     * @param recipientField the field naming a recipient subdivision, or null for none
     * @return a predicate for {@link ExchangePlan.Builder#routing(Routing)}
     */
    public Routing routing(String central, String field, String recipientField) {
        Names.requireName(central, "central node");
        Names.requireName(field, "field");
        return (object, node) -> {
            if (object.get(field) == Value.NULL) {
                return true;
            }
            Optional<Subdivision> owner = subdivisionIn(object, field);
            if (owner.isPresent() && reaches(owner.get(), node, central)) {
                return true;
            }
            if (recipientField != null) {
                Optional<Subdivision> to = subdivisionIn(object, recipientField);
                return to.isPresent() && reaches(to.get(), node, central);
            }
            return false;
        };
    }

    private boolean reaches(Subdivision s, String node, String central) {
        if (s.node().equals(node)) {
            return true;
        }
        boolean goesUp = switch (s.type()) {
            case MAIN -> true;
            case DEPARTMENT -> allDocsExport;
            case INTERNAL -> internalToOffice;
        };
        return goesUp && node.equals(central);
    }

    private Optional<Subdivision> subdivisionIn(DataObject document, String field) {
        Value v = document.get(field);
        String name = v instanceof Value.Text t ? t.value() : v instanceof Value.Ref r ? r.key().id() : null;
        return name == null ? Optional.empty() : subdivision(name);
    }

    @Override
    public String toString() {
        return "Subdivisions[" + subdivisions.keySet() + ", AllDocsExport=" + allDocsExport + ", ExpDocSubdInt="
                + internalToOffice + "]";
    }

    /** Builds {@link Subdivisions}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Subdivision> subdivisions = new LinkedHashMap<>();
        private boolean allDocsExport = true;
        private boolean internalToOffice;

        private Builder() {
        }

        /** Declares a node's main subdivision, named like the node. */
        public Builder node(String node) {
            return add(new Subdivision(node, node, Type.MAIN));
        }

        /** Declares a department of {@code node} that the office knows. */
        public Builder department(String name, String node) {
            return add(new Subdivision(name, node, Type.DEPARTMENT));
        }

        /** Declares an internal subdivision of {@code node} that the office does not see. */
        public Builder internal(String name, String node) {
            return add(new Subdivision(name, node, Type.INTERNAL));
        }

        /** {@code AllDocsExport}: whether documents of departments go to the office (default on). */
        public Builder allDocsExport(boolean on) {
            this.allDocsExport = on;
            return this;
        }

        /** {@code ExpDocSubdInt}: whether documents of internal subdivisions go to the office (default off). */
        public Builder internalToOffice(boolean on) {
            this.internalToOffice = on;
            return this;
        }

        private Builder add(Subdivision s) {
            if (subdivisions.putIfAbsent(s.name(), s) != null) {
                throw new IllegalArgumentException("subdivision " + s.name() + " is declared twice");
            }
            return this;
        }

        /** The subdivisions. */
        public Subdivisions build() {
            return new Subdivisions(this);
        }
    }
}
