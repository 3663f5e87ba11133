package io.dibex.xml;

import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Writes a message in the {@code seed} dialect: the header exactly as seed 003 lays it out, and
 * dibex's self-describing body, in which every name is an attribute and every value says its type
 * (a string says nothing), so the body needs no metadata to be read back exactly.
 */
final class SeedWriter extends XmlMessageWriter {

    static final String ROOT = "Сообщение";
    static final String HEADER_ELEMENT = "ЗаголовокСообщения";
    static final String BODY = "ТелоСообщения";
    static final Headers.Names HEADER = new Headers.Names("", "ПланОбмена", "Получатель", "Отправитель",
            "НомерСообщения", "ПолученноеСообщение");
    static final String OBJECT = "Объект";
    static final String DELETION = "Удаление";
    static final String FIELD = "Реквизит";
    static final String TABLE = "ТабличнаяЧасть";
    static final String ROW = "Строка";
    static final String RECORD_SET = "НаборЗаписей";
    static final String RECORD = "Запись";
    static final String KIND = "Вид";
    static final String ID = "Ид";
    static final String NAME = "Имя";
    static final String TYPE = "Тип";
    static final String ENUMERATION = "Перечисление";
    static final String SCALE = "Масштаб";
    static final String REGISTER = "Регистр";

    SeedWriter(OutputStream stream, MessageHeader header, boolean additions) {
        super(stream, header, additions);
        start(header);
    }

    @Override
    void writeStart(MessageHeader header) throws IOException {
        out.raw(Wire.DECLARATION).indent(0).raw('<').raw(ROOT);
        Headers.writeRootAttributes(out, additions);
        out.raw('>').indent(1).raw('<').raw(HEADER_ELEMENT).raw('>');
        Headers.write(out, HEADER, "", header, additions, 2);
        out.indent(1).raw("</").raw(HEADER_ELEMENT).raw('>').indent(1).raw('<').raw(BODY).raw('>');
    }

    @Override
    void writeEnd() throws IOException {
        out.indent(1).raw("</").raw(BODY).raw('>').indent(0).raw("</").raw(ROOT).raw('>').indent(0);
    }

    @Override
    void checkName(String name, boolean standalone, String what, ObjectKey owner) {
        // Names are attribute values here: any string XML 1.0 can carry.
        XmlChecks.text(name, what, owner, this.name);
    }

    @Override
    void writeItem(MessageItem item) throws IOException {
        ObjectKey key = item.key();
        if (item instanceof MessageItem.Upsert) {
            writeObject(((MessageItem.Upsert) item).object(), item.since(), item.fromBackup());
        } else if (item instanceof MessageItem.Deletion) {
            out.indent(2).raw('<').raw(DELETION).attribute(KIND, key.kind()).attribute(ID, key.id());
            Headers.writeSince(out, item.since(), item.fromBackup(), additions);
            out.raw("/>");
        } else {
            out.indent(2).raw("<dx:Retraction").attribute("kind", key.kind()).attribute("id", key.id());
            Headers.writeSince(out, item.since(), item.fromBackup(), additions);
            out.raw("/>");
        }
    }

    private void writeObject(DataObject o, long since, boolean fromBackup) throws IOException {
        ObjectKey key = o.key();
        out.indent(2).raw('<').name(OBJECT).raw(' ').name(KIND).raw("=\"").name(key.kind()).raw('"').attribute(ID, key.id());
        Headers.writeSince(out, since, fromBackup, additions);
        if (o.fields().isEmpty() && o.tables().isEmpty() && o.recordSets().isEmpty()) {
            out.raw("/>");
            return;
        }
        out.raw('>');
        writeFields(o.fields(), 3);
        for (Map.Entry<String, List<Row>> table : o.tables().entrySet()) {
            writeRows(TABLE, NAME, table.getKey(), ROW, table.getValue());
        }
        for (RecordSet set : o.recordSets()) {
            writeRows(RECORD_SET, REGISTER, set.register(), RECORD, set.records());
        }
        out.indent(2).raw("</").name(OBJECT).raw('>');
    }

    private void writeRows(String element, String attribute, String name, String rowElement, List<Row> rows)
            throws IOException {
        out.indent(3).raw('<').raw(element).attribute(attribute, name);
        if (rows.isEmpty()) {
            out.raw("/>");
            return;
        }
        out.raw('>');
        for (Row row : rows) {
            if (row.fields().isEmpty()) {
                out.indent(4).raw('<').raw(rowElement).raw("/>");
            } else {
                out.indent(4).raw('<').name(rowElement).raw('>');
                writeFields(row.fields(), 5);
                out.indent(4).raw("</").name(rowElement).raw('>');
            }
        }
        out.indent(3).raw("</").raw(element).raw('>');
    }

    private void writeFields(Map<String, Value> fields, int depth) throws IOException {
        for (Map.Entry<String, Value> f : fields.entrySet()) {
            Value v = f.getValue();
            // Field names, kinds and registers are dibex names (letters, digits, '_', '.', '-'): nothing to escape.
            out.indent(depth).raw('<').name(FIELD).raw(' ').name(NAME).raw("=\"").name(f.getKey()).raw('"');
            String text;
            if (v instanceof Value.Text) {
                text = ((Value.Text) v).value();
            } else if (v instanceof Value.Null) {
                out.attribute(TYPE, "null").raw("/>");
                continue;
            } else if (v instanceof Value.Binary) {
                Value.Binary b = (Value.Binary) v;
                out.attribute(TYPE, "binary");
                if (b.length() == 0) {
                    out.raw("/>");
                } else {
                    out.raw('>').base64(b.bytes()).raw("</").name(FIELD).raw('>');
                }
                continue;
            } else {
                out.raw(' ').name(TYPE).raw("=\"").name(typeCode(v)).raw('"');
                if (v instanceof Value.Ref) {
                    out.raw(' ').name(KIND).raw("=\"").name(((Value.Ref) v).key().kind()).raw('"');
                } else if (v instanceof Value.EnumValue) {
                    out.attribute(ENUMERATION, ((Value.EnumValue) v).enumeration());
                } else if (v instanceof Value.Decimal && ((Value.Decimal) v).value().scale() < 0) {
                    out.attribute(SCALE, Integer.toString(((Value.Decimal) v).value().scale()));
                }
                text = V8Writer.lexical(v);
            }
            if (text.isEmpty()) {
                out.raw("/>");
            } else {
                out.raw('>').text(text).raw("</").name(FIELD).raw('>');
            }
        }
    }

    /** The {@code Тип} of a value other than a string, null or binary. */
    private static String typeCode(Value v) {
        switch (v.type()) {
            case DECIMAL:
                return "decimal";
            case LONG:
                return "long";
            case BOOLEAN:
                return "boolean";
            case DATE:
                return "date";
            case DATE_TIME:
                return "dateTime";
            case INSTANT:
                return "instant";
            case REFERENCE:
                return "ref";
            case ENUM:
                return "enum";
            default:
                throw new IllegalArgumentException("no type code for " + v.type());
        }
    }
}
