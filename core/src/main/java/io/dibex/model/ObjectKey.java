package io.dibex.model;

import io.dibex.internal.Names;
import java.util.Objects;
import java.util.UUID;

/**
 * Identifies one object of a plan: its kind and its id within that kind.
 *
 * <p>The id is a UUID in its canonical lowercase form, or a string code. Keys order by
 * kind, then id; the engine uses that order wherever it needs a fixed one (R3).
 *
 * @param kind the object kind's name, as declared in the plan
 * @param id the id within the kind: 1 to 256 characters, no control characters
 */
public record ObjectKey(String kind, String id) implements Comparable<ObjectKey> {

    /** Longest id accepted, in characters. */
    public static final int MAX_ID_LENGTH = 256;

    /** Validates both parts. */
    public ObjectKey {
        Names.requireName(kind, "kind");
        Objects.requireNonNull(id, "id");
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("object id must have 1 to " + MAX_ID_LENGTH
                    + " characters, got " + id.length() + " for kind " + kind);
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                throw new IllegalArgumentException("object id of kind " + kind
                        + " contains a control character at index " + i);
            }
        }
    }

    /** A key whose id is a UUID. */
    public static ObjectKey of(String kind, UUID id) {
        return new ObjectKey(kind, id.toString());
    }

    /** A key whose id is a string code. */
    public static ObjectKey of(String kind, String id) {
        return new ObjectKey(kind, id);
    }

    /**
     * The id as a UUID, when it is one in its canonical form (36 lowercase characters, as
     * {@link UUID#toString()} writes it); null otherwise. Such an id can travel as 16 bytes and be
     * written back exactly.
     */
    public UUID uuid() {
        if (id.length() != 36) {
            return null;
        }
        try {
            UUID u = UUID.fromString(id);
            return u.toString().equals(id) ? u : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public int compareTo(ObjectKey other) {
        int byKind = kind.compareTo(other.kind);
        return byKind != 0 ? byKind : id.compareTo(other.id);
    }

    @Override
    public String toString() {
        return kind + "/" + id;
    }
}
