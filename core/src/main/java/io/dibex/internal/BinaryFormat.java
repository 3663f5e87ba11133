package io.dibex.internal;

/**
 * The constants of the binary wire format. The grammar that uses them is in {@link BinaryCodec};
 * changing any value here changes the format and needs a new {@link #VERSION}.
 */
final class BinaryFormat {

    /** The first four bytes of every message; the high bit of the first byte tells it from text. */
    static final byte[] MAGIC = {(byte) 0x89, 'D', 'B', 'X'};

    /** The only version this codec writes and reads. */
    static final int VERSION = 4;

    /** Header flag: the sender was restored from a backup (R4). */
    static final int FLAG_RESTORED = 0x01;
    /** Header flag: a {@code receivedId} follows the flags. */
    static final int FLAG_RECEIVED_ID = 0x02;
    /** Header flag: a {@code previousId} follows the {@code receivedId}, if any. */
    static final int FLAG_PREVIOUS_ID = 0x04;
    /** Header flag: the ids of earlier unacknowledged messages follow the {@code previousId}. */
    static final int FLAG_EARLIER_IDS = 0x08;
    /** Every header flag this version knows; any other bit is malformed. */
    static final int KNOWN_FLAGS = FLAG_RESTORED | FLAG_RECEIVED_ID | FLAG_PREVIOUS_ID | FLAG_EARLIER_IDS;

    /** Item tag: the end of the body; nothing may follow. */
    static final int ITEM_END = 0x00;
    /** Item tag: an object's state. */
    static final int ITEM_UPSERT = 0x01;
    /** Item tag: a deletion. */
    static final int ITEM_DELETION = 0x02;
    /** Item tag: a retraction. */
    static final int ITEM_RETRACTION = 0x03;
    /** Item flag, or'ed into the tag of a state, deletion or retraction: a reconciliation's repair (SPEC §5). */
    static final int ITEM_REPAIR = 0x10;
    /** Item flag, or'ed into the tag of a state, deletion or retraction: the sender may hold the state from its backup (R4). */
    static final int ITEM_FROM_BACKUP = 0x20;

    static final int VALUE_NULL = 0x00;
    static final int VALUE_TEXT = 0x01;
    static final int VALUE_DECIMAL = 0x02;
    static final int VALUE_INT64 = 0x03;
    static final int VALUE_FALSE = 0x04;
    static final int VALUE_TRUE = 0x05;
    static final int VALUE_DATE = 0x06;
    static final int VALUE_DATE_TIME = 0x07;
    static final int VALUE_INSTANT = 0x08;
    static final int VALUE_REF = 0x09;
    static final int VALUE_ENUM = 0x0A;
    static final int VALUE_BINARY = 0x0B;

    /** Size of the read and write buffers. */
    static final int BUFFER_SIZE = 8192;

    private BinaryFormat() {
    }
}
