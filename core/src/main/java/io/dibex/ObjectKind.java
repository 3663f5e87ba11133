package io.dibex;

import io.dibex.internal.Names;
import io.dibex.model.ValueType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An object kind of a plan: a catalog or a document, its fields' types, and its options.
 * Immutable; build one with {@link #catalog} or {@link #document}.
 */
public final class ObjectKind {

    /** What an object of the kind is. */
    public enum Category {
        /** Reference data (справочник); applied before documents within a message. */
        CATALOG,
        /** A document; may carry record sets. */
        DOCUMENT
    }

    /** Which way objects of the kind may travel in the tree (R9). */
    public enum Direction {
        /** Both up and down. */
        BOTH,
        /** Only from parents to children: changes made below are never sent up. */
        DOWN_ONLY,
        /** Only from children to parents. */
        UP_ONLY
    }

    private final String name;
    private final Category category;
    private final Map<String, ValueType> fields;
    private final boolean autoRegister;
    private final Direction direction;
    private final String deletionMark;

    private ObjectKind(Builder b) {
        this.name = b.name;
        this.category = b.category;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(b.fields));
        this.autoRegister = b.autoRegister;
        this.direction = b.direction;
        this.deletionMark = b.deletionMark;
    }

    /** Starts a catalog kind. */
    public static Builder catalog(String name) {
        return new Builder(name, Category.CATALOG);
    }

    /** Starts a document kind. */
    public static Builder document(String name) {
        return new Builder(name, Category.DOCUMENT);
    }

    /** The name. */
    public String name() {
        return name;
    }

    /** Catalog or document. */
    public Category category() {
        return category;
    }

    /** Declared field types by name, in declaration order; readers use them to type bare values. */
    public Map<String, ValueType> fields() {
        return fields;
    }

    /** Whether host writes of this kind are registered automatically (R10). */
    public boolean autoRegister() {
        return autoRegister;
    }

    /** Which way objects of the kind travel. */
    public Direction direction() {
        return direction;
    }

    /**
     * The boolean field that stands for deletion, if deletions of this kind are mapped to a
     * deletion mark (R13): a delete then sets the field instead of removing the object, and the
     * marked state travels as any state.
     */
    public java.util.Optional<String> deletionMark() {
        return java.util.Optional.ofNullable(deletionMark);
    }

    @Override
    public String toString() {
        return category + " " + name;
    }

    /** Builds an {@link ObjectKind}. */
    public static final class Builder {
        private final String name;
        private final Category category;
        private final Map<String, ValueType> fields = new LinkedHashMap<>();
        private boolean autoRegister = true;
        private Direction direction = Direction.BOTH;
        private String deletionMark;

        private Builder(String name, Category category) {
            this.name = Names.requireName(name, "kind");
            this.category = category;
        }

        /** Declares a field's type. */
        public Builder field(String field, ValueType type) {
            fields.put(Names.requireName(field, "field"), Objects.requireNonNull(type, "type"));
            return this;
        }

        /** Turns automatic registration of host writes on or off (default on). */
        public Builder autoRegister(boolean on) {
            this.autoRegister = on;
            return this;
        }

        /** Sets the direction (default {@link Direction#BOTH}). */
        public Builder direction(Direction direction) {
            this.direction = Objects.requireNonNull(direction, "direction");
            return this;
        }

        /** Maps deletions of this kind to setting {@code field} to true (R13), as 1C's {@code DeletionMark}. */
        public Builder deletionMark(String field) {
            this.deletionMark = Names.requireName(field, "deletion mark field");
            return this;
        }

        /** The kind. */
        public ObjectKind build() {
            return new ObjectKind(this);
        }
    }
}
