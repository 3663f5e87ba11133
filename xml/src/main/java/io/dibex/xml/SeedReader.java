package io.dibex.xml;

import io.dibex.codec.Limits;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a message in the {@code seed} dialect ({@link SeedWriter}), strictly: its body is
 * dibex's own, so an unknown element or attribute is an error, not something to tolerate.
 */
final class SeedReader extends XmlMessageReader {

    private final Limits limits;
    private boolean inBody;
    private final Where where = new Where();

    SeedReader(XmlInput in, Limits limits, String source) {
        super(in, source);
        this.limits = limits;
        start();
    }

    @Override
    MessageHeader readHeader() {
        if (!in.namespace().isEmpty() || !in.localName().equals(SeedWriter.ROOT)) {
            throw in.malformed("the root element is " + in.qualifiedName() + ", not " + SeedWriter.ROOT
                    + ": this is not a seed message");
        }
        Headers.checkFormat(in);
        if (!in.nextChild() || !in.namespace().isEmpty() || !in.localName().equals(SeedWriter.HEADER_ELEMENT)) {
            throw in.malformed("the message must start with " + SeedWriter.HEADER_ELEMENT);
        }
        MessageHeader header = Headers.read(in, SeedWriter.HEADER);
        if (in.nextChild()) {
            if (!in.namespace().isEmpty() || !in.localName().equals(SeedWriter.BODY)) {
                throw in.malformed("unexpected element " + in.qualifiedName() + " after the header: expected "
                        + SeedWriter.BODY);
            }
            inBody = true;
        } else {
            in.finish();
        }
        return header;
    }

    @Override
    MessageItem readItem() {
        if (!inBody) {
            return null;
        }
        if (!in.nextChild()) {
            inBody = false;
            if (in.nextChild()) {
                throw in.malformed("unexpected element " + in.qualifiedName() + " after " + SeedWriter.BODY);
            }
            in.finish();
            return null;
        }
        String ns = in.namespace();
        String name = in.localName();
        if (ns.equals(Wire.DX)) {
            if (!name.equals("Retraction")) {
                throw in.malformed("unknown dibex element dx:" + name
                        + ": the message was written by a newer version; upgrade this node");
            }
            long since = Headers.since(in);
            boolean repair = Headers.repair(in);
            boolean fromBackup = Headers.fromBackup(in);
            ObjectKey key = Headers.key(in, "a retraction");
            empty("dx:Retraction");
            return new MessageItem.Retraction(key, since, repair, fromBackup);
        }
        if (!ns.isEmpty()) {
            throw in.malformed("unexpected element " + in.qualifiedName() + " in " + SeedWriter.BODY);
        }
        long since = Headers.since(in);
        boolean repair = Headers.repair(in);
        boolean fromBackup = Headers.fromBackup(in);
        if (name.equals(SeedWriter.OBJECT)) {
            return new MessageItem.Upsert(object(), since, repair, fromBackup);
        }
        if (name.equals(SeedWriter.DELETION)) {
            ObjectKey key = key("a deletion");
            empty(SeedWriter.DELETION);
            return new MessageItem.Deletion(key, since, repair, fromBackup);
        }
        throw in.malformed("unknown element " + name + " in " + SeedWriter.BODY + ": expected " + SeedWriter.OBJECT
                + " or " + SeedWriter.DELETION);
    }

    private void empty(String what) {
        if (in.nextChild()) {
            throw in.malformed(what + " holds no element, not " + in.qualifiedName());
        }
    }

    private ObjectKey key(String what) {
        String kind = null;
        String id = null;
        for (int i = 0; i < in.attributeCount(); i++) {
            String name = in.attributeName(i);
            if (in.attributeNamespace(i).equals(Wire.DX)
                    && (name.equals("since") || name.equals("repair") || name.equals("backup"))) {
                continue; // read by Headers.since, Headers.repair and Headers.fromBackup
            }
            if (!in.attributeNamespace(i).isEmpty()) {
                throw in.malformed("unknown attribute " + name + " on " + in.localName());
            }
            if (name.equals(SeedWriter.KIND)) {
                kind = in.attributeValue(i);
            } else if (name.equals(SeedWriter.ID)) {
                id = in.attributeValue(i);
            } else {
                throw in.malformed("unknown attribute " + name + " on " + in.localName());
            }
        }
        if (kind == null || id == null) {
            throw in.malformed(what + " needs the attributes " + SeedWriter.KIND + " and " + SeedWriter.ID);
        }
        return objectKey(kind, id, what);
    }

    private ObjectKey objectKey(String kind, String id, Object what) {
        try {
            return new ObjectKey(kind, id);
        } catch (IllegalArgumentException e) {
            throw in.malformed("invalid " + what + ": " + e.getMessage(), e);
        }
    }

    private DataObject object() {
        ObjectKey key = key("an object");
        DataObject.Builder object = DataObject.builder(key);
        Set<String> tables = new HashSet<>();
        Set<String> registers = new HashSet<>();
        while (in.nextChild()) {
            String name = in.localName();
            if (!in.namespace().isEmpty()) {
                throw in.malformed("unexpected element " + in.qualifiedName() + " in " + key);
            }
            if (name.equals(SeedWriter.FIELD)) {
                field(key, null, object, null);
            } else if (name.equals(SeedWriter.TABLE)) {
                String table = nameAttribute(SeedWriter.NAME, "a tabular part of " + key);
                if (!tables.add(table)) {
                    throw in.malformed("tabular part " + table + " of " + key + " appears twice");
                }
                object.table(table, rows(key, SeedWriter.ROW, Where.lazy("tabular part " + table + " of ", key)));
            } else if (name.equals(SeedWriter.RECORD_SET)) {
                String register = nameAttribute(SeedWriter.REGISTER, "a record set of " + key);
                if (!registers.add(register)) {
                    throw in.malformed("the record set of register " + register + " of " + key + " appears twice");
                }
                List<Row> records = rows(key, SeedWriter.RECORD, Where.lazy("the record set of register " + register
                        + " of ", key));
                try {
                    object.recordSet(new RecordSet(register, records));
                } catch (IllegalArgumentException e) {
                    throw in.malformed("invalid register name of " + key + ": " + e.getMessage(), e);
                }
            } else {
                throw in.malformed("unknown element " + name + " in " + key);
            }
        }
        try {
            return object.build();
        } catch (IllegalArgumentException e) {
            throw in.malformed("invalid " + key + ": " + e.getMessage(), e);
        }
    }

    private String nameAttribute(String attribute, String what) {
        String value = null;
        for (int i = 0; i < in.attributeCount(); i++) {
            if (in.attributeNamespace(i).isEmpty() && in.attributeName(i).equals(attribute)) {
                value = in.attributeValue(i);
            } else {
                throw in.malformed("unknown attribute " + in.attributeName(i) + " on " + in.localName());
            }
        }
        if (value == null) {
            throw in.malformed(what + " needs the attribute " + attribute);
        }
        return value;
    }

    private List<Row> rows(ObjectKey key, String rowElement, Object what) {
        List<Row> rows = new ArrayList<>();
        while (in.nextChild()) {
            if (!in.namespace().isEmpty() || !in.localName().equals(rowElement)) {
                throw in.malformed(what + " holds " + rowElement + " elements, not " + in.qualifiedName());
            }
            if (in.attributeCount() > 0) {
                throw in.malformed("unknown attribute " + in.attributeName(0) + " on " + rowElement);
            }
            Row.Builder fields = Row.builder();
            while (in.nextChild()) {
                if (!in.namespace().isEmpty() || !in.localName().equals(SeedWriter.FIELD)) {
                    throw in.malformed("a " + rowElement + " of " + what + " holds " + SeedWriter.FIELD
                            + " elements, not " + in.qualifiedName());
                }
                field(key, what, null, fields);
            }
            rows.add(fields.build());
        }
        return rows;
    }

    /** Reads one field into the object or the row; a field given twice is an error. */
    private void field(ObjectKey key, Object context, DataObject.Builder object, Row.Builder row) {
        String name = null;
        String type = null;
        String kind = null;
        String enumeration = null;
        String scale = null;
        for (int i = 0; i < in.attributeCount(); i++) {
            String a = in.attributeName(i);
            if (!in.attributeNamespace(i).isEmpty()) {
                throw in.malformed("unknown attribute " + a + " on " + SeedWriter.FIELD);
            }
            String v = in.attributeValue(i);
            if (a.equals(SeedWriter.NAME)) {
                name = v;
            } else if (a.equals(SeedWriter.TYPE)) {
                type = v;
            } else if (a.equals(SeedWriter.KIND)) {
                kind = v;
            } else if (a.equals(SeedWriter.ENUMERATION)) {
                enumeration = v;
            } else if (a.equals(SeedWriter.SCALE)) {
                scale = v;
            } else {
                throw in.malformed("unknown attribute " + a + " on " + SeedWriter.FIELD);
            }
        }
        if (name == null) {
            throw in.malformed("a " + SeedWriter.FIELD + " of " + (context == null ? key : context)
                    + " needs the attribute " + SeedWriter.NAME);
        }
        Where what = where.at(name, key, context);
        if (type == null) {
            type = "string";
        }
        if (kind != null != type.equals("ref") || enumeration != null != type.equals("enum")
                || scale != null && !type.equals("decimal")) {
            throw in.malformed(what + ": the attributes do not fit " + SeedWriter.TYPE + "=" + XmlInput.quote(type));
        }
        Value value = value(type, kind, enumeration, scale, what);
        if (object != null ? object.has(name) : row.has(name)) {
            throw in.malformed(object != null ? "field " + name + " of " + key + " appears twice"
                    : what + " appears twice in the row");
        }
        try {
            if (object != null) {
                object.set(name, value);
            } else {
                row.set(name, value);
            }
        } catch (IllegalArgumentException e) {
            throw in.malformed("invalid " + what + ": " + e.getMessage(), e);
        }
    }

    private Value value(String type, String kind, String enumeration, String scale, Object what) {
        if (type.equals("binary")) {
            Base64Sink sink = new Base64Sink(limits.maxBinaryBytes());
            in.readBase64(sink, what);
            return Value.binary(sink.bytes());
        }
        in.readText(what);
        char[] c = in.text();
        int n = in.textLength();
        try {
            switch (type) {
                case "string":
                    return Value.of(in.textString());
                case "null":
                    if (n != 0) {
                        throw new IllegalArgumentException("a null has no text");
                    }
                    return Value.NULL;
                case "decimal": {
                    BigDecimal d = Lexical.decimal(c, 0, n);
                    if (scale != null) {
                        int s = Integer.parseInt(scale);
                        if (s >= 0 || -(long) s > Lexical.MAX_DECIMAL_DIGITS) {
                            // Only a negative scale needs saying, and rescaling costs time growing with its size.
                            throw new IllegalArgumentException(SeedWriter.SCALE + " must be -1 to -"
                                    + Lexical.MAX_DECIMAL_DIGITS + ", got " + XmlInput.quote(scale));
                        }
                        d = d.setScale(s, RoundingMode.UNNECESSARY);
                    }
                    return Value.of(d);
                }
                case "long":
                    return Value.of(Lexical.parseLong(c, 0, n));
                case "boolean":
                    return Value.of(Lexical.parseBoolean(c, 0, n));
                case "date": {
                    Lexical.DateTime d = Lexical.dateTime(c, 0, n, false);
                    if (d.hasTime) {
                        throw new IllegalArgumentException(XmlInput.quote(in.textString()) + " is not a date");
                    }
                    return Value.of(d.date());
                }
                case "dateTime": {
                    Lexical.DateTime d = Lexical.dateTime(c, 0, n, true);
                    if (d.hasOffset) {
                        throw new IllegalArgumentException(XmlInput.quote(in.textString())
                                + " has an offset: a dateTime has no zone (an instant has)");
                    }
                    return Value.of(d.localDateTime());
                }
                case "instant": {
                    Lexical.DateTime d = Lexical.dateTime(c, 0, n, true);
                    if (!d.hasOffset) {
                        throw new IllegalArgumentException(XmlInput.quote(in.textString())
                                + " has no offset: write Z or ±hh:mm");
                    }
                    return Value.of(d.instant());
                }
                case "ref":
                    return Value.ref(objectKey(kind, in.textString(), Where.lazy("reference in ", what)));
                case "enum":
                    return Value.enumValue(enumeration, in.textString());
                default:
                    throw new IllegalArgumentException("unknown " + SeedWriter.TYPE + " " + XmlInput.quote(type)
                            + " (expected decimal, long, boolean, date, dateTime, instant, ref, enum, binary or null)");
            }
        } catch (IllegalArgumentException | DateTimeException | ArithmeticException e) {
            throw in.malformed(what + ": " + e.getMessage(), e);
        }
    }
}
