package io.dibex.model;

import io.dibex.internal.Names;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of one object: its key, ordered typed fields, tabular parts and, for a
 * document, the record sets it made (R11). Immutable; build one with {@link #builder}.
 *
 * <p>{@code equals} compares exactly (field order and decimal scale count). Whether two
 * states have equal <em>content</em> is decided by their canonical digests, which is what
 * the engine uses everywhere (SPEC §4).
 */
public final class DataObject {

    private final ObjectKey key;
    private final FieldMap fields;
    private final Map<String, List<Row>> tables;
    private final List<RecordSet> recordSets;

    private DataObject(Builder b) {
        this.key = b.key;
        this.fields = b.fields.build();
        if (b.tables.isEmpty()) {
            this.tables = Map.of();
        } else {
            Map<String, List<Row>> t = new LinkedHashMap<>();
            b.tables.forEach((name, rows) -> t.put(name, List.copyOf(rows)));
            this.tables = Collections.unmodifiableMap(t);
        }
        this.recordSets = List.copyOf(b.recordSets);
    }

    /** A builder for an object with this key. */
    public static Builder builder(ObjectKey key) {
        return new Builder(key);
    }

    /** A builder starting from this object's state. */
    public Builder toBuilder() {
        Builder b = new Builder(key, new FieldMap.Builder(fields));
        tables.forEach((name, rows) -> b.tables.put(name, new ArrayList<>(rows)));
        b.recordSets.addAll(recordSets);
        return b;
    }

    /** The key. */
    public ObjectKey key() {
        return key;
    }

    /** The fields in their order; unmodifiable. */
    public Map<String, Value> fields() {
        return fields;
    }

    /** The value of a field, or {@link Value#NULL} when absent. */
    public Value get(String field) {
        return fields.getOrDefault(field, Value.NULL);
    }

    /** The value of a string field, if the field holds a string: handy in routing predicates. */
    public java.util.Optional<String> text(String field) {
        return fields.get(field) instanceof Value.Text t ? java.util.Optional.of(t.value()) : java.util.Optional.empty();
    }

    /** The tabular parts by name, each a list of rows; unmodifiable. */
    public Map<String, List<Row>> tables() {
        return tables;
    }

    /** The record sets this object made as a recorder; unmodifiable. */
    public List<RecordSet> recordSets() {
        return recordSets;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataObject d && key.equals(d.key) && sameInOrder(fields, d.fields)
                && sameInOrder(tables, d.tables) && recordSets.equals(d.recordSets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, fields, tables, recordSets);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(key.toString()).append(fields);
        if (!tables.isEmpty()) {
            s.append(" tables=").append(tables);
        }
        if (!recordSets.isEmpty()) {
            s.append(" recordSets=").append(recordSets);
        }
        return s.toString();
    }

    /** Map equality that also requires the same order of entries (Map.equals ignores order). */
    static boolean sameInOrder(Map<String, ?> a, Map<String, ?> b) {
        if (a instanceof FieldMap f && b instanceof FieldMap g) {
            return f.sameInOrder(g);
        }
        return a.equals(b) && new ArrayList<>(a.keySet()).equals(new ArrayList<>(b.keySet()));
    }

    /** Builds a {@link DataObject}. Not thread-safe. */
    public static final class Builder {
        private final ObjectKey key;
        private final FieldMap.Builder fields;
        private final Map<String, List<Row>> tables = new LinkedHashMap<>();
        private final List<RecordSet> recordSets = new ArrayList<>();

        private Builder(ObjectKey key) {
            this(key, new FieldMap.Builder(8));
        }

        private Builder(ObjectKey key, FieldMap.Builder fields) {
            this.key = Objects.requireNonNull(key, "key");
            this.fields = fields;
        }

        /** Sets a field; a later call with the same name replaces the value in place. */
        public Builder set(String field, Value value) {
            fields.put(Names.requireName(field, "field"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Whether a field of this name is set: lets a reader refuse a field given twice without a
         * set of its own. Costs no more than {@link #set}.
         */
        public boolean has(String field) {
            return fields.find(field) >= 0;
        }

        /** Sets a string field. */
        public Builder set(String field, String value) {
            return set(field, Value.of(value));
        }

        /** Removes a field. */
        public Builder remove(String field) {
            fields.remove(field);
            return this;
        }

        /** Appends a row to a tabular part, creating the part if needed. */
        public Builder addRow(String table, Row row) {
            tables.computeIfAbsent(Names.requireName(table, "table"), t -> new ArrayList<>())
                    .add(Objects.requireNonNull(row, "row"));
            return this;
        }

        /** Declares a tabular part, possibly empty, replacing its rows. */
        public Builder table(String table, List<Row> rows) {
            tables.put(Names.requireName(table, "table"), new ArrayList<>(rows));
            return this;
        }

        /** Adds or replaces the record set of a register. */
        public Builder recordSet(RecordSet set) {
            recordSets.removeIf(r -> r.register().equals(set.register()));
            recordSets.add(set);
            return this;
        }

        /**
         * The immutable object. Building is cheap: the fields are handed over, not copied (the
         * builder copies them first if it is changed afterwards), so a builder may be reused.
         */
        public DataObject build() {
            return new DataObject(this);
        }
    }
}
