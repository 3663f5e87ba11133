package io.dibex.model;

import io.dibex.internal.Names;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row of a tabular part or one record of a record set: named values in a fixed order.
 *
 * @param fields the values by field name, in the order given; unmodifiable
 */
public record Row(Map<String, Value> fields) {

    /** Copies the fields, keeping their order, and rejects nulls and invalid names. */
    public Row {
        fields = FieldMap.copyOf(fields);
    }

    /** Starts a row; cheaper than {@link #of(Map)} for code that builds many rows, such as a codec. */
    public static Builder builder() {
        return new Builder();
    }

    /** A row of these fields. */
    public static Row of(Map<String, Value> fields) {
        return new Row(fields);
    }

    /** A row built from alternating names and values: {@code Row.of("Qty", Value.of(2), ...)}. */
    public static Row of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must alternate");
        }
        Map<String, Value> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], Objects.requireNonNull((Value) namesAndValues[i + 1]));
        }
        return new Row(m);
    }

    /** The value of a field, or {@link Value#NULL} when absent. */
    public Value get(String field) {
        return fields.getOrDefault(field, Value.NULL);
    }

    /** Equal when the same fields hold equal values in the same order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && DataObject.sameInOrder(fields, r.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    /** Builds a {@link Row} field by field, without the copy that {@link #of(Map)} makes. Not thread-safe. */
    public static final class Builder {
        private final FieldMap.Builder fields = new FieldMap.Builder(8);

        private Builder() {
        }

        /** Sets a field; a later call with the same name replaces the value in place. */
        public Builder set(String field, Value value) {
            fields.put(Names.requireName(field, "field"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Whether a field of this name is set. */
        public boolean has(String field) {
            return fields.find(field) >= 0;
        }

        /** The immutable row; the builder may go on, without changing it. */
        public Row build() {
            return new Row(fields.build());
        }
    }
}
