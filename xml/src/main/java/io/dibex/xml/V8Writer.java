package io.dibex.xml;

import io.dibex.ExchangePlan;
import io.dibex.InvalidValueException;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a message in the {@code v8msg} dialect: 1C's envelope and objects as 1C writes them,
 * values bare where the reader types them alike ({@link V8Fields}) and with {@code xsi:type}
 * elsewhere, and dibex's additions in their own namespace when they are on.
 */
final class V8Writer extends XmlMessageWriter {

    static final Headers.Names HEADER = new Headers.Names(Wire.V8MSG, "ExchangePlan", "To", "From", "MessageNo",
            "ReceivedNo");

    private final V8Fields fields;
    /** Element names of objects and {@code xsi:type} names of references, by kind. */
    private final Map<String, String> objectElements = new HashMap<>();
    private final Map<String, String> refTypes = new HashMap<>();

    V8Writer(OutputStream stream, ExchangePlan plan, MessageHeader header, boolean additions) {
        super(stream, header, additions);
        this.fields = new V8Fields(plan);
        start(header);
    }

    @Override
    void writeStart(MessageHeader header) throws IOException {
        out.raw(Wire.DECLARATION).indent(0).raw("<v8msg:Message").attribute("xmlns:v8msg", Wire.V8MSG)
                .attribute("xmlns:xs", Wire.XS).attribute("xmlns:xsi", Wire.XSI).attribute("xmlns:v8", Wire.CONFIG);
        Headers.writeRootAttributes(out, additions);
        out.raw('>').indent(1).raw("<v8msg:Header>");
        Headers.write(out, HEADER, "v8msg:", header, additions, 2);
        out.indent(1).raw("</v8msg:Header>").indent(1).raw("<v8msg:Body").attribute("xmlns", Wire.CONFIG).raw('>');
    }

    @Override
    void writeEnd() throws IOException {
        out.indent(1).raw("</v8msg:Body>").indent(0).raw("</v8msg:Message>").indent(0);
    }

    @Override
    void checkName(String name, boolean standalone, String what, ObjectKey owner) {
        // Field and tabular part names are element names; kinds, registers and enumerations follow a prefix.
        if (standalone) {
            XmlChecks.name(name, what, owner, this.name);
        } else {
            XmlChecks.nameTail(name, what, owner, this.name);
        }
    }

    /**
     * Refuses an empty tabular part named like a field that has a type: 1C writes both as an empty
     * element, and the reader takes an empty element of a typed name for the field.
     */
    @Override
    void checkObject(DataObject object) {
        V8Fields.Context context = fields.object(object.key().kind());
        for (Map.Entry<String, List<Row>> table : object.tables().entrySet()) {
            if (table.getValue().isEmpty() && context.slot(table.getKey()).type != null) {
                throw new InvalidValueException("cannot write the empty tabular part " + table.getKey() + " of "
                        + object.key() + " into " + name + ": an empty element of that name reads as the field "
                        + table.getKey() + ", which the plan or 1C's conventions type; rename the tabular part or"
                        + " use the seed dialect");
            }
        }
    }

    @Override
    void writeItem(MessageItem item) throws IOException {
        if (item instanceof MessageItem.Upsert) {
            writeObject(((MessageItem.Upsert) item).object(), item.since(), item.fromBackup());
        } else if (item instanceof MessageItem.Deletion) {
            ObjectKey key = item.key();
            out.indent(2).raw("<ObjectDeletion");
            Headers.writeSince(out, item.since(), item.fromBackup(), additions);
            out.raw(">").indent(3).raw("<Ref xsi:type=\"").name(refType(key.kind()))
                    .raw("\">").text(key.id()).raw("</Ref>").indent(2).raw("</ObjectDeletion>");
        } else {
            ObjectKey key = item.key();
            out.indent(2).raw("<dx:Retraction").attribute("kind", key.kind()).attribute("id", key.id());
            Headers.writeSince(out, item.since(), item.fromBackup(), additions);
            out.raw("/>");
        }
    }

    private void writeObject(DataObject o, long since, boolean fromBackup) throws IOException {
        ObjectKey key = o.key();
        String element = objectElements.computeIfAbsent(key.kind(),
                kind -> (fields.isDocument(kind) ? "DocumentObject." : "CatalogObject.") + kind);
        out.indent(2).raw('<').name(element);
        Headers.writeSince(out, since, fromBackup, additions);
        out.raw('>');
        out.indent(3).raw("<Ref>").text(key.id()).raw("</Ref>");
        V8Fields.Context context = fields.object(key.kind());
        for (Map.Entry<String, Value> f : o.fields().entrySet()) {
            writeField(f.getKey(), f.getValue(), context.slot(f.getKey()), 3, true);
        }
        for (Map.Entry<String, List<Row>> table : o.tables().entrySet()) {
            String t = table.getKey();
            List<Row> rows = table.getValue();
            if (rows.isEmpty()) {
                out.indent(3).raw('<').name(t).raw("/>");
                continue;
            }
            V8Fields.Context rowContext = fields.row(key.kind(), t);
            out.indent(3).raw('<').name(t).raw('>');
            for (Row row : rows) {
                writeRow("Row", row, rowContext, 4);
            }
            out.indent(3).raw("</").name(t).raw('>');
        }
        out.indent(2).raw("</").name(element).raw('>');
        for (RecordSet set : o.recordSets()) {
            writeRecordSet(key, set);
        }
    }

    private void writeRecordSet(ObjectKey recorder, RecordSet set) throws IOException {
        String element = "AccumulationRegisterRecordSet." + set.register();
        out.indent(2).raw('<').raw(element).raw('>');
        out.indent(3).raw("<Filter xmlns=\"\">").indent(4).raw("<Recorder xsi:type=\"").raw(refType(recorder.kind()))
                .raw("\">").text(recorder.id()).raw("</Recorder>").indent(3).raw("</Filter>");
        if (set.records().isEmpty()) {
            out.indent(3).raw("<Records xmlns=\"\"/>");
        } else {
            V8Fields.Context context = fields.record(recorder.kind());
            out.indent(3).raw("<Records xmlns=\"\">");
            for (Row record : set.records()) {
                writeRow("Record", record, context, 4);
            }
            out.indent(3).raw("</Records>");
        }
        out.indent(2).raw("</").raw(element).raw('>');
    }

    private void writeRow(String element, Row row, V8Fields.Context context, int depth) throws IOException {
        if (row.fields().isEmpty()) {
            out.indent(depth).raw('<').raw(element).raw("/>");
            return;
        }
        out.indent(depth).raw('<').raw(element).raw('>');
        for (Map.Entry<String, Value> f : row.fields().entrySet()) {
            writeField(f.getKey(), f.getValue(), context.slot(f.getKey()), depth + 1, false);
        }
        out.indent(depth).raw("</").raw(element).raw('>');
    }

    private void writeField(String name, Value value, V8Fields.Slot slot, int depth, boolean objectLevel)
            throws IOException {
        out.indent(depth).raw('<').name(name);
        if (value instanceof Value.Null) {
            out.raw(" xsi:nil=\"true\"/>");
            return;
        }
        if (!readsBackBare(value, slot, objectLevel)) {
            out.raw(" xsi:type=\"").name(typeName(value)).raw('"');
        }
        if (value instanceof Value.Binary) {
            Value.Binary b = (Value.Binary) value;
            if (b.length() == 0) {
                out.raw("/>");
            } else {
                out.raw('>').base64(b.bytes()).raw("</").name(name).raw('>');
            }
            return;
        }
        if (value instanceof Value.Decimal && ((Value.Decimal) value).value().scale() < 0 && additions) {
            // Without additions the number is written whole: the same number and digest, scale 0 on arrival.
            out.attribute("dx:scale", Integer.toString(((Value.Decimal) value).value().scale()));
        }
        String text = lexical(value);
        if (text.isEmpty()) {
            out.raw("/>");
        } else {
            out.raw('>').text(text).raw("</").name(name).raw('>');
        }
    }

    /**
     * Whether the reader, given this value's text without {@code xsi:type}, reads back exactly this
     * value (V8Body#bare is the other half).
     */
    static boolean readsBackBare(Value value, V8Fields.Slot slot, boolean objectLevel) {
        ValueType t = slot.type;
        if (value instanceof Value.Text) {
            boolean asText = t == null || t == ValueType.STRING || t == ValueType.REFERENCE && slot.refKind == null
                    || t == ValueType.ENUM && slot.enumeration == null;
            // An empty element of no type, directly in an object, is an empty tabular part.
            return asText && !(t == null && objectLevel && ((Value.Text) value).value().isEmpty());
        }
        if (t == null) {
            return false;
        }
        switch (t) {
            case DECIMAL:
                return value instanceof Value.Decimal;
            case LONG:
                return value instanceof Value.Int64;
            case BOOLEAN:
                return value instanceof Value.Bool;
            case DATE:
                return value instanceof Value.Date && !((Value.Date) value).value().equals(Lexical.EMPTY_DATE);
            case DATE_TIME:
                return value instanceof Value.DateTime
                        && !((Value.DateTime) value).value().equals(Lexical.EMPTY_DATE_TIME);
            case INSTANT:
                return value instanceof Value.Timestamp;
            case REFERENCE:
                return value instanceof Value.Ref && ((Value.Ref) value).key().kind().equals(slot.refKind)
                        && !((Value.Ref) value).key().id().equals(Lexical.ZERO_UUID);
            case ENUM:
                return value instanceof Value.EnumValue
                        && ((Value.EnumValue) value).enumeration().equals(slot.enumeration);
            case BINARY:
                return value instanceof Value.Binary;
            default:
                return false;
        }
    }

    private String typeName(Value v) {
        if (v instanceof Value.Text) {
            return "xs:string";
        } else if (v instanceof Value.Decimal) {
            return "xs:decimal";
        } else if (v instanceof Value.Int64) {
            return "xs:long";
        } else if (v instanceof Value.Bool) {
            return "xs:boolean";
        } else if (v instanceof Value.Date) {
            return "xs:date";
        } else if (v instanceof Value.DateTime || v instanceof Value.Timestamp) {
            return "xs:dateTime";
        } else if (v instanceof Value.Ref) {
            return refType(((Value.Ref) v).key().kind());
        } else if (v instanceof Value.EnumValue) {
            return "v8:EnumRef." + ((Value.EnumValue) v).enumeration();
        } else {
            return "xs:base64Binary";
        }
    }

    private String refType(String kind) {
        return refTypes.computeIfAbsent(kind, k -> (fields.isDocument(k) ? "v8:DocumentRef." : "v8:CatalogRef.") + k);
    }

    /** A value's text (not for binaries, which are streamed). */
    static String lexical(Value v) {
        if (v instanceof Value.Text) {
            return ((Value.Text) v).value();
        } else if (v instanceof Value.Decimal) {
            return Lexical.decimal(((Value.Decimal) v).value());
        } else if (v instanceof Value.Int64) {
            return Long.toString(((Value.Int64) v).value());
        } else if (v instanceof Value.Bool) {
            return ((Value.Bool) v).value() ? "true" : "false";
        } else if (v instanceof Value.Date) {
            return Lexical.date(((Value.Date) v).value());
        } else if (v instanceof Value.DateTime) {
            return Lexical.dateTime(((Value.DateTime) v).value());
        } else if (v instanceof Value.Timestamp) {
            return Lexical.instant(((Value.Timestamp) v).value());
        } else if (v instanceof Value.Ref) {
            return ((Value.Ref) v).key().id();
        } else if (v instanceof Value.EnumValue) {
            return ((Value.EnumValue) v).name();
        }
        throw new IllegalArgumentException("no text form for " + v.getClass().getName());
    }
}
