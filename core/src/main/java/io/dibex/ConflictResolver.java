package io.dibex;

import io.dibex.model.ObjectKey;

/**
 * Decides a conflict between a parent and a child (R12): both changed the same object and
 * neither has seen the other's change. It is called at both ends of the link, so it must be
 * deterministic and depend only on its arguments: both ends must choose alike. It must not touch
 * any store.
 *
 * <p>It is not consulted on a link where one node was restored from a backup (the node that was
 * not restored wins, R4) or for a reconciliation repair (the owner's state wins, SPEC §5).
 */
@FunctionalInterface
public interface ConflictResolver {

    /** Which side's version wins. */
    enum Winner {
        /** The parent's version. */
        PARENT,
        /** The child's version. */
        CHILD
    }

    /** The default: the parent's version wins, so a conflict between siblings goes to the first to reach their common ancestor. */
    ConflictResolver PARENT_WINS = (parent, child, key) -> Winner.PARENT;

    /**
     * Chooses the winner.
     *
     * @param parentVersion what the parent holds for the child
     * @param childVersion what the child holds for the parent
     * @param key the object
     * @return the side whose version both ends keep
     */
    Winner resolve(ObjectVersion parentVersion, ObjectVersion childVersion, ObjectKey key);
}
