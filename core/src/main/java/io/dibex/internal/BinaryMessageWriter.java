package io.dibex.internal;

import io.dibex.DibexException;
import io.dibex.TransportException;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.codec.MessageWriter;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes one message in the binary format of {@link BinaryCodec}. Each item is checked first and
 * then written at once, so a refused item leaves nothing behind and the writer usable; a stream
 * failure leaves the writer failed.
 */
final class BinaryMessageWriter implements MessageWriter {

    private enum State { OPEN, FINISHED, FAILED, CLOSED }

    private final BinaryOutput out;
    private final String name;
    private State state = State.OPEN;

    /** A writer of one object alone, without header or end tag: for {@link #encodeObject}. */
    private BinaryMessageWriter(OutputStream stream, String name) {
        this.name = name;
        this.out = new BinaryOutput(stream);
    }

    /**
     * The {@code object} production of the format for one object alone, as
     * {@link io.dibex.codec.ObjectBytes} stores it.
     *
     * @throws DibexException when a string of the object holds a lone surrogate, which UTF-8 cannot carry
     */
    static byte[] encodeObject(DataObject object) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        BinaryMessageWriter w = new BinaryMessageWriter(bytes, "the encoding of " + object.key());
        w.check(new MessageItem.Upsert(object));
        try {
            w.writeObject(object);
            w.out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("a byte array stream failed", e);
        }
        return bytes.toByteArray();
    }

    BinaryMessageWriter(OutputStream stream, MessageHeader header) {
        this.name = "message " + header.messageNo() + " from " + header.from() + " to " + header.to();
        checkHeader(header);
        this.out = new BinaryOutput(stream);
        try {
            writeHeader(header);
        } catch (IOException e) {
            state = State.FAILED;
            throw new TransportException("cannot write the header of " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(MessageItem item) {
        requireOpen("write an item");
        check(item);
        try {
            int repair = (item.repair() ? BinaryFormat.ITEM_REPAIR : 0)
                    | (item.fromBackup() ? BinaryFormat.ITEM_FROM_BACKUP : 0);
            if (item instanceof MessageItem.Upsert u) {
                out.writeByte(BinaryFormat.ITEM_UPSERT | repair);
                out.writeVarLong(u.since());
                writeObject(u.object());
            } else if (item instanceof MessageItem.Deletion d) {
                out.writeByte(BinaryFormat.ITEM_DELETION | repair);
                out.writeVarLong(d.since());
                writeKey(d.key());
            } else if (item instanceof MessageItem.Retraction r) {
                out.writeByte(BinaryFormat.ITEM_RETRACTION | repair);
                out.writeVarLong(r.since());
                writeKey(r.key());
            } else {
                throw new IllegalArgumentException("unknown item type " + item.getClass().getName());
            }
        } catch (IOException e) {
            state = State.FAILED;
            throw new TransportException("cannot write " + item.key() + " into " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void finish() {
        requireOpen("finish");
        try {
            out.writeByte(BinaryFormat.ITEM_END);
            out.flush();
            state = State.FINISHED;
        } catch (IOException e) {
            state = State.FAILED;
            throw new TransportException("cannot finish " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Releases the writer. Closing before {@link #finish()} abandons the message: the end tag is
     * not written and buffered bytes are dropped, so no reader takes what was written for a
     * whole message.
     */
    @Override
    public void close() {
        state = State.CLOSED;
    }

    private void requireOpen(String action) {
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot " + action + ": the writer of " + name + " is "
                    + state.name().toLowerCase(Locale.ROOT));
        }
    }

    // Checks, before any byte is written.

    private void checkHeader(MessageHeader h) {
        checkString(h.plan(), "the plan name", null);
        checkString(h.from(), "the sender's name", null);
        checkString(h.to(), "the recipient's name", null);
        for (ObjectKey key : h.rejectedKeys()) {
            checkString(key.id(), "a rejected key's id", key);
        }
    }

    private void check(MessageItem item) {
        Objects.requireNonNull(item, "item");
        checkString(item.key().id(), "the object id", item.key());
        if (item instanceof MessageItem.Upsert u) {
            DataObject o = u.object();
            checkFields(o.fields(), o.key());
            o.tables().forEach((table, rows) -> checkRows(rows, o.key()));
            for (RecordSet set : o.recordSets()) {
                checkRows(set.records(), o.key());
            }
        }
    }

    private void checkRows(List<Row> rows, ObjectKey owner) {
        for (Row row : rows) {
            checkFields(row.fields(), owner);
        }
    }

    private void checkFields(Map<String, Value> fields, ObjectKey owner) {
        fields.forEach((field, value) -> {
            if (value instanceof Value.Text t) {
                checkString(t.value(), "field " + field, owner);
            } else if (value instanceof Value.Ref r) {
                checkString(r.key().id(), "the reference in field " + field, owner);
            } else if (value instanceof Value.EnumValue e) {
                checkString(e.enumeration(), "the enumeration in field " + field, owner);
                checkString(e.name(), "the enum value in field " + field, owner);
            }
        });
    }

    private void checkString(String s, String what, ObjectKey owner) {
        int at = BinaryStrings.firstLoneSurrogate(s);
        if (at >= 0) {
            throw new DibexException("cannot write " + what + (owner == null ? "" : " of " + owner) + " into "
                    + name + ": it holds a lone surrogate at index " + at + ", which UTF-8 cannot carry");
        }
    }

    // The grammar is in BinaryCodec's javadoc; each method writes one of its productions.

    private void writeHeader(MessageHeader h) throws IOException {
        out.writeBytes(BinaryFormat.MAGIC);
        out.writeByte(BinaryFormat.VERSION);
        out.writeString(h.plan());
        out.writeString(h.from());
        out.writeString(h.to());
        out.writeVarLong(h.messageNo());
        out.writeUuid(h.messageId());
        out.writeVarLong(h.receivedNo());
        int flags = (h.restored() ? BinaryFormat.FLAG_RESTORED : 0)
                | (h.receivedId() != null ? BinaryFormat.FLAG_RECEIVED_ID : 0)
                | (h.previousId() != null ? BinaryFormat.FLAG_PREVIOUS_ID : 0)
                | (!h.earlierIds().isEmpty() ? BinaryFormat.FLAG_EARLIER_IDS : 0);
        out.writeByte(flags);
        if (h.receivedId() != null) {
            out.writeUuid(h.receivedId());
        }
        if (h.previousId() != null) {
            out.writeUuid(h.previousId());
        }
        if (!h.earlierIds().isEmpty()) {
            out.writeVarLong(h.earlierIds().size());
            for (UUID id : h.earlierIds()) {
                out.writeUuid(id);
            }
        }
        if (h.restored()) {
            out.writeVarLong(h.restoredSinceNo());
        }
        out.writeVarLong(h.rejectedKeys().size());
        for (ObjectKey key : h.rejectedKeys()) {
            writeKey(key);
        }
    }

    private void writeObject(DataObject o) throws IOException {
        writeKey(o.key());
        writeFields(o.fields());
        out.writeVarLong(o.tables().size());
        for (Map.Entry<String, List<Row>> table : o.tables().entrySet()) {
            out.writeString(table.getKey());
            writeRows(table.getValue());
        }
        out.writeVarLong(o.recordSets().size());
        for (RecordSet set : o.recordSets()) {
            out.writeString(set.register());
            writeRows(set.records());
        }
    }

    private void writeRows(List<Row> rows) throws IOException {
        out.writeVarLong(rows.size());
        for (Row row : rows) {
            writeFields(row.fields());
        }
    }

    private void writeFields(Map<String, Value> fields) throws IOException {
        out.writeVarLong(fields.size());
        for (Map.Entry<String, Value> field : fields.entrySet()) {
            out.writeString(field.getKey());
            writeValue(field.getValue());
        }
    }

    private void writeKey(ObjectKey key) throws IOException {
        out.writeString(key.kind());
        out.writeString(key.id());
    }

    private void writeValue(Value v) throws IOException {
        if (v instanceof Value.Null) {
            out.writeByte(BinaryFormat.VALUE_NULL);
        } else if (v instanceof Value.Text t) {
            out.writeByte(BinaryFormat.VALUE_TEXT);
            out.writeString(t.value());
        } else if (v instanceof Value.Decimal d) {
            BigDecimal n = d.value();
            byte[] unscaled = n.unscaledValue().toByteArray();
            out.writeByte(BinaryFormat.VALUE_DECIMAL);
            out.writeSignedVarLong(n.scale());
            out.writeVarLong(unscaled.length);
            out.writeBytes(unscaled);
        } else if (v instanceof Value.Int64 l) {
            out.writeByte(BinaryFormat.VALUE_INT64);
            out.writeSignedVarLong(l.value());
        } else if (v instanceof Value.Bool b) {
            out.writeByte(b.value() ? BinaryFormat.VALUE_TRUE : BinaryFormat.VALUE_FALSE);
        } else if (v instanceof Value.Date d) {
            out.writeByte(BinaryFormat.VALUE_DATE);
            out.writeSignedVarLong(d.value().toEpochDay());
        } else if (v instanceof Value.DateTime t) {
            LocalDateTime dt = t.value();
            out.writeByte(BinaryFormat.VALUE_DATE_TIME);
            out.writeSignedVarLong(dt.toLocalDate().toEpochDay());
            out.writeVarLong(dt.toLocalTime().toNanoOfDay());
        } else if (v instanceof Value.Timestamp t) {
            Instant i = t.value();
            out.writeByte(BinaryFormat.VALUE_INSTANT);
            out.writeSignedVarLong(i.getEpochSecond());
            out.writeVarLong(i.getNano());
        } else if (v instanceof Value.Ref r) {
            out.writeByte(BinaryFormat.VALUE_REF);
            writeKey(r.key());
        } else if (v instanceof Value.EnumValue e) {
            out.writeByte(BinaryFormat.VALUE_ENUM);
            out.writeString(e.enumeration());
            out.writeString(e.name());
        } else if (v instanceof Value.Binary b) {
            byte[] bytes = b.bytes();
            out.writeByte(BinaryFormat.VALUE_BINARY);
            out.writeVarLong(bytes.length);
            out.writeBytes(bytes);
        } else {
            throw new IllegalArgumentException("unknown value type " + v.getClass().getName());
        }
    }
}
