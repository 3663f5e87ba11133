package io.dibex.codec;

import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import java.util.Objects;

/**
 * One item of a message body: an object's state, a deletion or a retraction (R3, R9, R13), each
 * with the number of the message that first carried it ({@link #since()}).
 */
public sealed interface MessageItem {

    /** The object the item is about. */
    ObjectKey key();

    /**
     * The number of the first message of the sender that carried this item's state since the
     * sender last registered it (its registration's {@code firstSentNo}); 0 when unknown. A
     * receiver holding its own pending change of the object tells by it a resend of a state it had
     * already seen before that change (no conflict) from a newer change of the sender (a
     * conflict, R12).
     */
    long since();

    /**
     * Whether the item is a repair of a reconciliation (SPEC §5): sent from the owner's side of the
     * tree, it is applied without calling the resolver, and the owner's state wins over any pending
     * change of the receiver.
     */
    boolean repair();

    /**
     * Whether the sender, restored from a backup and not yet acknowledged as such, may hold this
     * state from its backup: its row for the recipient was registered before the sender found it
     * was restored (R4). On the restored link the recipient's own pending version then wins,
     * whatever the resolver says; an item without the flag (a change the sender received or made
     * since it knew) is a conflict like any other (R12). False when the wire format does not say.
     */
    boolean fromBackup();

    /**
     * The current state of an object.
     *
     * @param object the state
     * @param since the number of the first message of the sender that carried this very item,
     *     or 0 when the wire format does not say (see {@link MessageItem})
     * @param repair whether it is a reconciliation's repair (see {@link MessageItem#repair()})
     * @param fromBackup whether the sender may hold this state from its backup (see
     *     {@link MessageItem#fromBackup()})
     */
    record Upsert(DataObject object, long since, boolean repair, boolean fromBackup) implements MessageItem {
        /** Rejects null and a negative {@code since}. */
        public Upsert {
            Objects.requireNonNull(object, "object");
            requireSince(since);
        }

        /** An item not from a backup (see {@link MessageItem#fromBackup()}), a repair or not. */
        public Upsert(DataObject object, long since, boolean repair) {
            this(object, since, repair, false);
        }

        /** An item that is no repair and not from a backup. */
        public Upsert(DataObject object, long since) {
            this(object, since, false, false);
        }

        /** An item whose {@code since} is unknown (0), no repair, not from a backup. */
        public Upsert(DataObject object) {
            this(object, 0, false, false);
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
     * @param since the number of the first message of the sender that carried this very item,
     *     or 0 when the wire format does not say (see {@link MessageItem})
     * @param repair whether it is a reconciliation's repair (see {@link MessageItem#repair()})
     * @param fromBackup whether the sender may hold this state from its backup (see
     *     {@link MessageItem#fromBackup()})
     */
    record Deletion(ObjectKey key, long since, boolean repair, boolean fromBackup) implements MessageItem {
        /** Rejects null and a negative {@code since}. */
        public Deletion {
            Objects.requireNonNull(key, "key");
            requireSince(since);
        }

        /** An item not from a backup (see {@link MessageItem#fromBackup()}), a repair or not. */
        public Deletion(ObjectKey key, long since, boolean repair) {
            this(key, since, repair, false);
        }

        /** An item that is no repair and not from a backup. */
        public Deletion(ObjectKey key, long since) {
            this(key, since, false, false);
        }

        /** An item whose {@code since} is unknown (0), no repair, not from a backup. */
        public Deletion(ObjectKey key) {
            this(key, 0, false, false);
        }
    }

    /**
     * The object no longer goes to the recipient's side of the tree: remove it there without a
     * tombstone (R9).
     *
     * @param key the object
     * @param since the number of the first message of the sender that carried this very item,
     *     or 0 when the wire format does not say (see {@link MessageItem})
     * @param repair whether it is a reconciliation's repair (see {@link MessageItem#repair()})
     * @param fromBackup whether the sender may hold this state from its backup (see
     *     {@link MessageItem#fromBackup()})
     */
    record Retraction(ObjectKey key, long since, boolean repair, boolean fromBackup) implements MessageItem {
        /** Rejects null and a negative {@code since}. */
        public Retraction {
            Objects.requireNonNull(key, "key");
            requireSince(since);
        }

        /** An item not from a backup (see {@link MessageItem#fromBackup()}), a repair or not. */
        public Retraction(ObjectKey key, long since, boolean repair) {
            this(key, since, repair, false);
        }

        /** An item that is no repair and not from a backup. */
        public Retraction(ObjectKey key, long since) {
            this(key, since, false, false);
        }

        /** An item whose {@code since} is unknown (0), no repair, not from a backup. */
        public Retraction(ObjectKey key) {
            this(key, 0, false, false);
        }
    }

    private static void requireSince(long since) {
        if (since < 0) {
            throw new IllegalArgumentException("since must be 0 (unknown) or a message number, not " + since);
        }
    }
}
