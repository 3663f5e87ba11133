package io.dibex.model;

import io.dibex.internal.Names;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The fields of an object or a row: an immutable map of names to values in their order, held in
 * two arrays. It costs one small array pair per object instead of a linked hash map's node per
 * field, and its {@link Builder} hands its arrays over instead of copying them. Lookups scan the
 * names (names read by a parser are usually the same instances, so the scan compares references
 * first); maps of more than {@value #INDEXED} fields also keep a hash index, so that no lookup or
 * duplicate check grows with the number of fields.
 *
 * <p>{@code equals} and {@code hashCode} are those of every {@link Map}.
 */
final class FieldMap extends AbstractMap<String, Value> {

    /** Above this many fields, lookups go through a hash index. */
    static final int INDEXED = 12;

    static final FieldMap EMPTY = new FieldMap(new String[0], new Value[0], 0);

    private final String[] names;
    private final Value[] values;
    private final int size;
    /** Name to position, for maps of more than {@link #INDEXED} fields; else null. */
    private final Map<String, Integer> index;

    private FieldMap(String[] names, Value[] values, int size) {
        this.names = names;
        this.values = values;
        this.size = size;
        this.index = size > INDEXED ? indexOf(names, size) : null;
    }

    private static Map<String, Integer> indexOf(String[] names, int size) {
        Map<String, Integer> index = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            index.put(names[i], i);
        }
        return index;
    }

    /**
     * An immutable copy of {@code fields} in their order, every name checked and no value null; a
     * field map itself is returned as it is.
     */
    static FieldMap copyOf(Map<String, Value> fields) {
        if (fields instanceof FieldMap f) {
            return f;
        }
        Builder b = new Builder(fields.size());
        fields.forEach((name, value) -> b.put(Names.requireName(name, "field"),
                Objects.requireNonNull(value, () -> "value of field " + name)));
        return b.build();
    }

    private int find(Object name) {
        if (index != null) {
            Integer i = index.get(name);
            return i == null ? -1 : i;
        }
        for (int i = 0; i < size; i++) {
            if (names[i] == name) {
                return i;
            }
        }
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        return key != null && find(key) >= 0;
    }

    @Override
    public Value get(Object key) {
        if (key == null) {
            return null;
        }
        int i = find(key);
        return i < 0 ? null : values[i];
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Value> action) {
        for (int i = 0; i < size; i++) {
            action.accept(names[i], values[i]);
        }
    }

    /** Whether {@code other} holds the same names with equal values in the same order. */
    boolean sameInOrder(FieldMap other) {
        return size == other.size && Arrays.equals(names, 0, size, other.names, 0, size)
                && Arrays.equals(values, 0, size, other.values, 0, size);
    }

    @Override
    public Set<Entry<String, Value>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Entry<String, Value>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Entry<String, Value> next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(names[i], values[i]);
                    }
                };
            }
        };
    }

    /**
     * Collects fields in order. {@link #build()} hands the arrays to the map it returns; a later
     * change copies them first, so a built map never changes. Names are checked by the callers.
     */
    static final class Builder {
        private String[] names;
        private Value[] values;
        /** The names' hash codes: a miss, the usual case while building, compares no characters. */
        private int[] hashes;
        private int size;
        private Map<String, Integer> index;
        private boolean shared;

        Builder(int capacity) {
            names = new String[Math.max(4, capacity)];
            values = new Value[names.length];
            hashes = new int[names.length];
        }

        Builder(FieldMap from) {
            this(from.size);
            System.arraycopy(from.names, 0, names, 0, from.size);
            System.arraycopy(from.values, 0, values, 0, from.size);
            for (int i = 0; i < from.size; i++) {
                hashes[i] = names[i].hashCode();
            }
            size = from.size;
            index = size > INDEXED ? indexOf(names, size) : null;
        }

        int size() {
            return size;
        }

        int find(String name) {
            if (index != null) {
                Integer i = index.get(name);
                return i == null ? -1 : i;
            }
            int h = name.hashCode();
            for (int i = 0; i < size; i++) {
                if (hashes[i] == h && (names[i] == name || names[i].equals(name))) {
                    return i;
                }
            }
            return -1;
        }

        /** Sets a field: replaces its value in place, or appends it. */
        void put(String name, Value value) {
            int i = find(name);
            unshare(i < 0 ? size + 1 : size);
            if (i >= 0) {
                values[i] = value;
                return;
            }
            names[size] = name;
            values[size] = value;
            hashes[size] = name.hashCode();
            size++;
            if (index != null) {
                index.put(name, size - 1);
            } else if (size > INDEXED) {
                index = indexOf(names, size);
            }
        }

        /** Removes a field if present. */
        void remove(String name) {
            int i = find(name);
            if (i < 0) {
                return;
            }
            unshare(size);
            System.arraycopy(names, i + 1, names, i, size - i - 1);
            System.arraycopy(values, i + 1, values, i, size - i - 1);
            System.arraycopy(hashes, i + 1, hashes, i, size - i - 1);
            size--;
            names[size] = null;
            values[size] = null;
            index = size > INDEXED ? indexOf(names, size) : null;
        }

        /** Makes the arrays this builder's own, with room for {@code capacity} fields. */
        private void unshare(int capacity) {
            if (shared || capacity > names.length) {
                int length = Math.max(capacity, shared ? names.length : names.length * 2);
                names = Arrays.copyOf(names, length);
                values = Arrays.copyOf(values, length);
                hashes = Arrays.copyOf(hashes, length);
                if (index != null) {
                    index = new HashMap<>(index);
                }
                shared = false;
            }
        }

        FieldMap build() {
            if (size == 0) {
                return EMPTY;
            }
            shared = true;
            return new FieldMap(names, values, size);
        }
    }
}
