package io.dibex;

import io.dibex.model.DataObject;

/**
 * The plan's one routing predicate (R9): whether an object belongs at a node. The engine
 * derives from it which neighbours an object goes to. It must be deterministic and must not
 * touch any store: it is called inside transactions, at every node, with the same answers
 * expected everywhere.
 */
@FunctionalInterface
public interface Routing {

    /** Every object belongs at every node. */
    Routing EVERYWHERE = (object, node) -> true;

    /**
     * Whether {@code object} belongs at {@code node}.
     *
     * @param object the object's state
     * @param node the node's name
     * @return true when the node should hold the object
     */
    boolean routedTo(DataObject object, String node);
}
