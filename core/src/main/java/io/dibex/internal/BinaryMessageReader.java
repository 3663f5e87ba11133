package io.dibex.internal;

import io.dibex.MalformedMessageException;
import io.dibex.codec.Limits;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageReader;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads one message in the binary format of {@link BinaryCodec}, strictly: the header when it is
 * created, then one item per {@link #next()}. Every failure is a {@link MalformedMessageException}
 * at {@code "byte N"}, the offset where the bad part starts or where the problem was found; once
 * one is thrown, every later {@code next()} throws it again.
 */
final class BinaryMessageReader implements MessageReader {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final BinaryInput in;
    private final String source;
    private final MessageHeader header;
    private MalformedMessageException failure;
    private boolean ended;
    private boolean closed;

    /** A reader of one object alone, without header: for {@link #decodeObject}. */
    private BinaryMessageReader(BinaryInput in, String source) {
        this.in = in;
        this.source = source;
        this.header = null;
    }

    /**
     * Reads what {@link BinaryMessageWriter#encodeObject} wrote, strictly: nothing may follow the
     * object.
     *
     * @throws MalformedMessageException when the bytes are not exactly one encoded object
     */
    static DataObject decodeObject(byte[] bytes, int offset, Limits limits, String source) {
        BinaryMessageReader r = new BinaryMessageReader(
                new BinaryInput(new java.io.ByteArrayInputStream(bytes, offset, bytes.length - offset), limits, source),
                source);
        DataObject object = r.readObject();
        if (!r.in.atEnd()) {
            throw r.in.malformed(r.in.position(), "bytes follow the encoded object " + object.key());
        }
        return object;
    }

    BinaryMessageReader(InputStream stream, Limits limits, String source) {
        this.in = new BinaryInput(stream, limits, source);
        this.source = source;
        this.header = readHeader();
    }

    @Override
    public MessageHeader header() {
        return header;
    }

    @Override
    public MessageItem next() {
        if (closed) {
            throw new IllegalStateException("the reader of " + source + " is closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (ended) {
            return null;
        }
        try {
            return readItem();
        } catch (MalformedMessageException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    // The grammar is in BinaryCodec's javadoc; each method reads one of its productions.

    private MessageHeader readHeader() {
        byte[] magic = new byte[BinaryFormat.MAGIC.length];
        in.readFully(magic, "the magic number");
        if (!Arrays.equals(magic, BinaryFormat.MAGIC)) {
            throw in.malformed(0, "not a dibex binary message: the magic number is wrong");
        }
        long versionAt = in.position();
        int version = in.readByte("the format version");
        if (version != BinaryFormat.VERSION) {
            throw in.malformed(versionAt, "binary format version " + version
                    + " is not supported; this reader knows version " + BinaryFormat.VERSION);
        }
        String plan = in.readString(BinaryInput.ANY_LENGTH, "the plan name");
        String from = in.readString(BinaryInput.ANY_LENGTH, "the sender's name");
        String to = in.readString(BinaryInput.ANY_LENGTH, "the recipient's name");
        long messageNoAt = in.position();
        long messageNo = in.readVarLong("messageNo");
        if (messageNo < 1) {
            throw in.malformed(messageNoAt, "messageNo must be 1 to " + Long.MAX_VALUE + ", got "
                    + Long.toUnsignedString(messageNo));
        }
        UUID messageId = in.readUuid("messageId");
        long receivedNoAt = in.position();
        long receivedNo = in.readVarLong("receivedNo");
        if (receivedNo < 0) {
            throw in.malformed(receivedNoAt, "receivedNo must be 0 to " + Long.MAX_VALUE + ", got "
                    + Long.toUnsignedString(receivedNo));
        }
        long flagsAt = in.position();
        int flags = in.readByte("the header flags");
        if ((flags & ~BinaryFormat.KNOWN_FLAGS) != 0) {
            throw in.malformed(flagsAt, "unknown header flags 0x" + Integer.toHexString(flags));
        }
        boolean hasReceivedId = (flags & BinaryFormat.FLAG_RECEIVED_ID) != 0;
        if (hasReceivedId != (receivedNo > 0)) {
            throw in.malformed(flagsAt, "receivedId must be present exactly when receivedNo > 0; receivedNo is "
                    + receivedNo + (hasReceivedId ? " but a receivedId follows" : " but no receivedId follows"));
        }
        UUID receivedId = hasReceivedId ? in.readUuid("receivedId") : null;
        UUID previousId = (flags & BinaryFormat.FLAG_PREVIOUS_ID) != 0 ? in.readUuid("previousId") : null;
        List<UUID> earlierIds = new ArrayList<>();
        if ((flags & BinaryFormat.FLAG_EARLIER_IDS) != 0) {
            long earlierAt = in.position();
            long n = in.readVarLong("the number of earlier ids");
            if (previousId == null || n < 1 || n > MessageHeader.MAX_EARLIER_IDS || n > messageNo - 2) {
                throw in.malformed(earlierAt, "earlier ids need a previousId and number 1 to "
                        + MessageHeader.MAX_EARLIER_IDS + ", at most messageNo - 2 (" + (messageNo - 2) + "), got "
                        + Long.toUnsignedString(n));
            }
            for (long i = 0; i < n; i++) {
                earlierIds.add(in.readUuid("an earlier id"));
            }
        }
        long restoredSince = (flags & BinaryFormat.FLAG_RESTORED) != 0 ? in.readVarLong("restoredSinceNo") : 0;
        long count = in.readCount("the number of rejected keys");
        List<ObjectKey> rejected = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            in.countElement(in.position());
            rejected.add(readKey("a rejected key"));
        }
        try {
            return new MessageHeader(plan, from, to, messageNo, messageId, receivedNo, receivedId,
                    (flags & BinaryFormat.FLAG_RESTORED) != 0, rejected, previousId, restoredSince, earlierIds);
        } catch (IllegalArgumentException e) {
            // Unreachable after the checks above; kept so that no JDK exception escapes the reader.
            throw in.malformed(0, "invalid header: " + e.getMessage(), e);
        }
    }

    /** The number of the message that first carried an item: 0 or a message number. */
    private long readSince() {
        long start = in.position();
        long since = in.readVarLong("an item's first message number");
        if (since < 0) {
            throw in.malformed(start, "an item's first message number beyond 2^63-1");
        }
        return since;
    }

    private MessageItem readItem() {
        long start = in.position();
        int tag = in.readByte("an item tag");
        // Flags go only with a state, a deletion or a retraction: a tag of flags alone is unknown.
        int flags = tag & (BinaryFormat.ITEM_REPAIR | BinaryFormat.ITEM_FROM_BACKUP);
        boolean known = flags != 0 && (tag & ~flags) != BinaryFormat.ITEM_END;
        boolean repair = known && (flags & BinaryFormat.ITEM_REPAIR) != 0;
        boolean fromBackup = known && (flags & BinaryFormat.ITEM_FROM_BACKUP) != 0;
        switch (known ? tag & ~flags : tag) {
            case BinaryFormat.ITEM_END:
                if (!in.atEnd()) {
                    throw in.malformed(in.position(), "bytes follow the end of the message");
                }
                ended = true;
                return null;
            case BinaryFormat.ITEM_UPSERT:
                in.countElement(start);
                long upsertSince = readSince();
                return new MessageItem.Upsert(readObject(), upsertSince, repair, fromBackup);
            case BinaryFormat.ITEM_DELETION:
                in.countElement(start);
                long deletionSince = readSince();
                return new MessageItem.Deletion(readKey("the key of a deletion"), deletionSince, repair, fromBackup);
            case BinaryFormat.ITEM_RETRACTION:
                in.countElement(start);
                long retractionSince = readSince();
                return new MessageItem.Retraction(readKey("the key of a retraction"), retractionSince, repair,
                        fromBackup);
            default:
                throw in.malformed(start, "unknown item tag 0x" + Integer.toHexString(tag));
        }
    }

    private DataObject readObject() {
        ObjectKey key = readKey("an object key");
        DataObject.Builder object = DataObject.builder(key);
        readFields(key).forEach(object::set);
        Set<String> names = new HashSet<>();
        long tables = in.readCount("the number of tabular parts of " + key);
        for (long i = 0; i < tables; i++) {
            long at = in.position();
            in.countElement(at);
            String table = readName("a tabular part name of " + key);
            if (!names.add(table)) {
                throw in.malformed(at, "tabular part " + table + " of " + key + " appears twice");
            }
            object.table(table, readRows(key));
        }
        names.clear();
        long sets = in.readCount("the number of record sets of " + key);
        for (long i = 0; i < sets; i++) {
            long at = in.position();
            in.countElement(at);
            String register = readName("a register name of " + key);
            if (!names.add(register)) {
                throw in.malformed(at, "the record set of register " + register + " of " + key + " appears twice");
            }
            object.recordSet(new RecordSet(register, readRows(key)));
        }
        return object.build();
    }

    private List<Row> readRows(ObjectKey owner) {
        long count = in.readCount("the number of rows of " + owner);
        List<Row> rows = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            in.countElement(in.position());
            rows.add(new Row(readFields(owner)));
        }
        return rows;
    }

    /** Fields in their order; names are valid and distinct, so the model's constructors accept them. */
    private Map<String, Value> readFields(ObjectKey owner) {
        long count = in.readCount("the number of fields of " + owner);
        Map<String, Value> fields = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            long at = in.position();
            String name = readName("a field name of " + owner);
            if (fields.put(name, readValue(owner, name)) != null) {
                throw in.malformed(at, "field " + name + " of " + owner + " appears twice");
            }
        }
        return fields;
    }

    private String readName(String what) {
        long start = in.position();
        String name = in.readString(Names.MAX_LENGTH, what);
        try {
            return Names.requireName(name, what);
        } catch (IllegalArgumentException e) {
            throw in.malformed(start, BinaryStrings.printable(e.getMessage()), e);
        }
    }

    private ObjectKey readKey(String what) {
        long start = in.position();
        String kind = readName("the kind of " + what);
        String id = in.readString(ObjectKey.MAX_ID_LENGTH, "the id of " + what);
        try {
            return new ObjectKey(kind, id);
        } catch (IllegalArgumentException e) {
            throw in.malformed(start, "invalid " + what + ": " + BinaryStrings.printable(e.getMessage()), e);
        }
    }

    private Value readValue(ObjectKey owner, String field) {
        long start = in.position();
        int tag = in.readByte("a value tag");
        in.countElement(start);
        String what = "field " + field + " of " + owner;
        try {
            switch (tag) {
                case BinaryFormat.VALUE_NULL:
                    return Value.NULL;
                case BinaryFormat.VALUE_TEXT:
                    return Value.of(in.readString(BinaryInput.ANY_LENGTH, what));
                case BinaryFormat.VALUE_DECIMAL:
                    return Value.of(readDecimal(start, what));
                case BinaryFormat.VALUE_INT64:
                    return Value.of(in.readSignedVarLong(what));
                case BinaryFormat.VALUE_FALSE:
                    return Value.of(false);
                case BinaryFormat.VALUE_TRUE:
                    return Value.of(true);
                case BinaryFormat.VALUE_DATE:
                    return Value.of(LocalDate.ofEpochDay(in.readSignedVarLong(what)));
                case BinaryFormat.VALUE_DATE_TIME: {
                    LocalDate date = LocalDate.ofEpochDay(in.readSignedVarLong(what));
                    return Value.of(LocalDateTime.of(date, LocalTime.ofNanoOfDay(in.readVarLong(what))));
                }
                case BinaryFormat.VALUE_INSTANT: {
                    long seconds = in.readSignedVarLong(what);
                    long nanos = in.readVarLong(what);
                    // Instant.ofEpochSecond would carry nanos over into seconds: one instant, one encoding.
                    if (nanos < 0 || nanos >= NANOS_PER_SECOND) {
                        throw in.malformed(start, what + ": nanoseconds must be 0 to 999999999, got "
                                + Long.toUnsignedString(nanos));
                    }
                    return Value.of(Instant.ofEpochSecond(seconds, nanos));
                }
                case BinaryFormat.VALUE_REF:
                    return Value.ref(readKey("the reference in " + what));
                case BinaryFormat.VALUE_ENUM: {
                    String enumeration = in.readString(BinaryInput.ANY_LENGTH, "the enumeration in " + what);
                    String name = in.readString(BinaryInput.ANY_LENGTH, "the enum value in " + what);
                    return Value.enumValue(enumeration, name);
                }
                case BinaryFormat.VALUE_BINARY: {
                    long at = in.position();
                    long length = in.readVarLong("the length of " + what);
                    int max = in.limits().maxBinaryBytes();
                    if (length < 0 || length > max) {
                        throw in.limit(at, "maxBinaryBytes", max, length < 0 ? Long.MAX_VALUE : length);
                    }
                    return Value.binary(in.readBytes((int) length, what));
                }
                default:
                    throw in.malformed(start, what + ": unknown value tag 0x" + Integer.toHexString(tag));
            }
        } catch (DateTimeException | IllegalArgumentException e) {
            throw in.malformed(start, what + ": " + BinaryStrings.printable(e.getMessage()), e);
        }
    }

    /**
     * A decimal: its scale, then its unscaled value in the shortest two's complement form. Its
     * plain form would have at least as many characters as the scale's magnitude and as the
     * unscaled value's bytes, so both are held to {@code maxTextLength}; that also keeps
     * arithmetic on it (stripping zeros for a digest) clear of int overflow.
     */
    private BigDecimal readDecimal(long start, String what) {
        int maxText = in.limits().maxTextLength();
        long scale = in.readSignedVarLong("the scale of " + what);
        if (scale < -maxText || scale > maxText) {
            throw in.limit(start, "maxTextLength", maxText, scale == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(scale));
        }
        long at = in.position();
        long length = in.readVarLong("the length of " + what);
        if (length < 0 || length > maxText) {
            throw in.limit(at, "maxTextLength", maxText, length < 0 ? Long.MAX_VALUE : length);
        }
        if (length == 0) {
            throw in.malformed(at, what + ": a decimal needs at least one byte of unscaled value");
        }
        byte[] unscaled = in.readBytes((int) length, what);
        if (unscaled.length > 1 && (unscaled[0] == 0 && unscaled[1] >= 0 || unscaled[0] == -1 && unscaled[1] < 0)) {
            throw in.malformed(at, what + ": the unscaled value is not in its shortest form");
        }
        return new BigDecimal(new BigInteger(unscaled), (int) scale);
    }
}
