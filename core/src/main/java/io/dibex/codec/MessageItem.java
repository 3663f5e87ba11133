package io.dibex.codec;

import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import java.util.Objects;

/** One item of a message body: an object's state, a deletion or a retraction (R3, R9, R13). */
public sealed interface MessageItem {

    /** The object the item is about. */
    ObjectKey key();

    /**
     * The current state of an object.
     *
     * @param object the state
     */
    record Upsert(DataObject object) implements MessageItem {
        /** Rejects null. */
        public Upsert {
            Objects.requireNonNull(object, "object");
        }

        @Override
        public ObjectKey key() {
            return object.key();
        }
    }

    /**
     * The object was deleted at the sender, which holds its tombstone (R13).
     *
     * @param key the object
     */
    record Deletion(ObjectKey key) implements MessageItem {
        /** Rejects null. */
        public Deletion {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * The object no longer goes to the recipient's side of the tree: remove it there without a
     * tombstone (R9).
     *
     * @param key the object
     */
    record Retraction(ObjectKey key) implements MessageItem {
        /** Rejects null. */
        public Retraction {
            Objects.requireNonNull(key, "key");
        }
    }
}
