package io.dibex;

import io.dibex.model.DataObject;
import io.dibex.model.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * One side's version of an object in a conflict (R12): a state, a deletion, or a retraction.
 *
 * @param kind what the version is
 * @param state the state, present exactly for {@link Kind#STATE}
 * @param digest the state's canonical digest, or {@link Digest#ABSENT}
 */
public record ObjectVersion(Kind kind, Optional<DataObject> state, Digest digest) {

    /** What a version is. */
    public enum Kind {
        /** The object exists in this state. */
        STATE,
        /** The object was deleted (a tombstone is held, R13). */
        DELETION,
        /** The object no longer goes to that side of the tree (R9). */
        RETRACTION
    }

    /** Validates that a state is present exactly for {@link Kind#STATE}. */
    public ObjectVersion {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(digest, "digest");
        if (state.isPresent() != (kind == Kind.STATE)) {
            throw new IllegalArgumentException("a " + kind + " version " + (state.isPresent() ? "has no" : "needs a")
                    + " state");
        }
    }

    /** Whether this version says the object exists. */
    public boolean exists() {
        return kind == Kind.STATE;
    }
}
