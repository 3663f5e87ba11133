package io.dibex.xml;

import io.dibex.codec.Limits;
import io.dibex.codec.MessageItem;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.model.RecordSet;
import io.dibex.model.Row;
import io.dibex.model.Value;
import io.dibex.model.ValueType;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the items of a {@code v8msg} body, or of the data of a 1C upload file, one at a time:
 * objects as 1C writes them, each with the record sets that follow it, deletions, and dibex's
 * retractions. Tolerant of what 1C writes (SPEC §4): any prefix, objects in no namespace or the
 * current-config one, a {@code v8de:Data} wrapper, bare values typed by {@link V8Fields},
 * {@code xsi:type}, {@code xsi:nil}, self-closing empty elements, and the all-zero UUID and
 * {@code 0001-01-01T00:00:00} as empty values.
 */
final class V8Body {

    /** The element prefixes of objects that have a {@code Ref}: the kind follows the dot. */
    private static final Set<String> OBJECTS = Set.of("CatalogObject", "DocumentObject", "ChartOfAccountsObject",
            "ChartOfCharacteristicTypesObject", "ChartOfCalculationTypesObject", "ExchangePlanObject",
            "BusinessProcessObject", "TaskObject");
    /** The type prefixes of references: the kind follows the dot. */
    private static final Set<String> REFS = Set.of("CatalogRef", "DocumentRef", "ChartOfAccountsRef",
            "ChartOfCharacteristicTypesRef", "ChartOfCalculationTypesRef", "ExchangePlanRef", "BusinessProcessRef",
            "TaskRef");
    /** The element prefixes of register record sets: the register follows the dot. */
    private static final Set<String> RECORD_SETS = Set.of("AccumulationRegisterRecordSet",
            "InformationRegisterRecordSet", "AccountingRegisterRecordSet", "CalculationRegisterRecordSet");

    /** What an {@code xsi:type} names. */
    private enum Kind { STRING, DECIMAL, LONG, BOOLEAN, DATE, DATE_TIME, BINARY, REF, ENUM }

    private final XmlInput in;
    private final V8Fields fields;
    private final Limits limits;
    /** The reader is on the start tag of an element that {@link #next()} has not read yet. */
    private boolean pending;
    /** The end tag of the current container was read while looking for record sets. */
    private boolean ended;
    private boolean inWrapper;
    private final Where where = new Where();
    /**
     * The element name of the last object read ({@code DocumentObject.X}) and its kind, so that the
     * objects of one kind that follow share one kind string instead of cutting a new one each.
     */
    private String objectElement;
    private String objectKind;

    V8Body(XmlInput in, V8Fields fields, Limits limits) {
        this.in = in;
        this.fields = fields;
        this.limits = limits;
    }

    /**
     * The next item, or null at the end of the container (the reader is then on its end tag).
     */
    MessageItem next() {
        while (true) {
            if (!pending) {
                if (ended || !in.nextChild()) {
                    ended = false;
                    if (inWrapper) {
                        inWrapper = false;
                        continue;
                    }
                    return null;
                }
            }
            pending = false;
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
                if (in.nextChild()) {
                    throw in.malformed("dx:Retraction holds no element");
                }
                return new MessageItem.Retraction(key, since, repair, fromBackup);
            }
            if (name.equals("Data") && ns.equals(Wire.V8DE) && !inWrapper) {
                inWrapper = true;
                continue;
            }
            if (!isData(ns)) {
                throw in.malformed("unexpected element " + in.qualifiedName() + " in the body");
            }
            if (name.equals("ObjectDeletion")) {
                long since = Headers.since(in);
                boolean repair = Headers.repair(in);
                boolean fromBackup = Headers.fromBackup(in);
                return new MessageItem.Deletion(deletion(), since, repair, fromBackup);
            }
            if (name == objectElement) {
                // The parser interns names: the same element as the last object's, so the same kind.
                long since = Headers.since(in);
                boolean repair = Headers.repair(in);
                boolean fromBackup = Headers.fromBackup(in);
                return new MessageItem.Upsert(object(objectKind), since, repair, fromBackup);
            }
            int dot = name.indexOf('.');
            String prefix = dot > 0 ? name.substring(0, dot) : name;
            if (dot > 0 && dot < name.length() - 1 && OBJECTS.contains(prefix)) {
                long since = Headers.since(in);
                boolean repair = Headers.repair(in);
                boolean fromBackup = Headers.fromBackup(in);
                objectElement = name;
                objectKind = name.substring(dot + 1);
                return new MessageItem.Upsert(object(objectKind), since, repair, fromBackup);
            }
            if (RECORD_SETS.contains(prefix)) {
                throw in.malformed("record set " + name + " does not follow its recorder: a record set travels right"
                        + " after the document that made it (R11)");
            }
            throw in.malformed("unknown element " + in.qualifiedName() + " in the body: expected CatalogObject.X,"
                    + " DocumentObject.X, a record set after its document, or ObjectDeletion");
        }
    }

    /** Whether an element of the data is in a namespace 1C writes it in. */
    private static boolean isData(String ns) {
        return ns.isEmpty() || ns.equals(Wire.CONFIG) || ns.equals(Wire.V8DE);
    }

    private ObjectKey deletion() {
        if (!in.nextChild() || !in.localName().equals("Ref") || !isData(in.namespace())) {
            throw in.malformed("ObjectDeletion must hold one Ref with an xsi:type naming its kind");
        }
        Value ref = typedOrNull("the Ref of an ObjectDeletion", null);
        if (!(ref instanceof Value.Ref)) {
            throw in.malformed("the Ref of an ObjectDeletion needs an xsi:type such as CatalogRef.X");
        }
        if (in.nextChild()) {
            throw in.malformed("ObjectDeletion holds only its Ref, not " + in.qualifiedName());
        }
        return ((Value.Ref) ref).key();
    }

    // ---- objects

    private DataObject object(String kind) {
        Object ref = Where.lazy("the Ref of an object of kind ", kind);
        if (!in.nextChild() || !in.localName().equals("Ref") || !isData(in.namespace())) {
            throw in.malformed("an object of kind " + kind + " must start with its Ref");
        }
        ObjectKey key = key(kind, in.readString(ref), ref);
        DataObject.Builder object = DataObject.builder(key);
        V8Fields.Context context = fields.object(kind);
        context.begin();
        String firstTable = null;
        Set<String> tables = null;
        while (in.nextChild()) {
            String field = in.localName();
            if (!isData(in.namespace())) {
                throw in.malformed("unexpected element " + in.qualifiedName() + " in " + key);
            }
            String type = null;
            String nil = null;
            String scale = null;
            if (in.attributeCount() > 0) {
                type = in.attribute(Wire.XSI, "type");
                nil = in.attribute(Wire.XSI, "nil");
                scale = in.attribute(Wire.DX, "scale");
            }
            V8Fields.Slot slot = context.slot(field);
            Value value;
            if (isNil(nil) || type != null || slot.type == ValueType.BINARY) {
                value = value(where.at(field, key, null), slot, type, nil, scale);
            } else {
                int n = in.readTextOrChild(where.at(field, key, null));
                if (n < 0 || n == 0 && slot.type == null) {
                    // Rows, or an empty element of no type: a tabular part.
                    // Most objects have one tabular part or two: a set only from the third.
                    boolean again;
                    if (firstTable == null) {
                        firstTable = field;
                        again = false;
                    } else if (tables == null) {
                        again = field.equals(firstTable);
                        tables = new HashSet<>();
                        tables.add(firstTable);
                        tables.add(field);
                    } else {
                        again = !tables.add(field);
                    }
                    if (again) {
                        throw in.malformed("tabular part " + field + " of " + key + " appears twice");
                    }
                    List<Row> rows = n < 0 ? rows(context.table(field), key, field) : List.of();
                    try {
                        object.table(field, rows);
                    } catch (IllegalArgumentException e) {
                        throw in.malformed("invalid tabular part of " + key + ": " + e.getMessage(), e);
                    }
                    continue;
                }
                value = bare(slot, where.at(field, key, null), scale);
            }
            if (object.has(field)) {
                throw in.malformed("field " + field + " of " + key + " appears twice");
            }
            try {
                object.set(field, value);
            } catch (IllegalArgumentException e) {
                throw in.malformed("invalid field of " + key + ": " + e.getMessage(), e);
            }
        }
        // The record sets that follow are the object's (R11): read them before handing the object out.
        Set<String> registers = null;
        while (true) {
            if (!in.nextChild()) {
                ended = true;
                break;
            }
            String name = in.localName();
            if (name == objectElement) {
                // Another object of the same kind, the usual case: no record set (R11).
                pending = true;
                break;
            }
            int dot = name.indexOf('.');
            if (dot <= 0 || !RECORD_SETS.contains(name.substring(0, dot)) || !isData(in.namespace())) {
                pending = true;
                break;
            }
            String register = name.substring(dot + 1);
            if (registers == null) {
                registers = new HashSet<>();
            }
            if (!registers.add(register)) {
                throw in.malformed("the record set of register " + register + " of " + key + " appears twice");
            }
            object.recordSet(recordSet(key, register));
        }
        return object.build();
    }

    private List<Row> rows(V8Fields.Context context, ObjectKey key, String table) {
        List<Row> rows = new ArrayList<>();
        Object what = Where.lazy("tabular part ", table, " of ", key);
        // readTextOrChild left the reader on the first child's start tag.
        do {
            if (!in.localName().equals("Row") || !isData(in.namespace())) {
                throw in.malformed(what + " holds Row elements, not " + in.qualifiedName());
            }
            rows.add(row(context, key, what));
        } while (in.nextChild());
        return rows;
    }

    private Row row(V8Fields.Context context, ObjectKey key, Object what) {
        Row.Builder values = Row.builder();
        context.begin();
        while (in.nextChild()) {
            String field = in.localName();
            if (!isData(in.namespace())) {
                throw in.malformed("unexpected element " + in.qualifiedName() + " in a row of " + what);
            }
            String type = null;
            String nil = null;
            String scale = null;
            if (in.attributeCount() > 0) {
                type = in.attribute(Wire.XSI, "type");
                nil = in.attribute(Wire.XSI, "nil");
                scale = in.attribute(Wire.DX, "scale");
            }
            Value value = value(where.at(field, key, what), context.slot(field), type, nil, scale);
            if (values.has(field)) {
                throw in.malformed("field " + field + " appears twice in a row of " + what);
            }
            try {
                values.set(field, value);
            } catch (IllegalArgumentException e) {
                throw in.malformed("invalid row of " + what + ": " + e.getMessage(), e);
            }
        }
        return values.build();
    }

    private RecordSet recordSet(ObjectKey recorder, String register) {
        Object what = Where.lazy("the record set of register " + register + " of ", recorder);
        if (!in.nextChild() || !in.localName().equals("Filter") || !isData(in.namespace())) {
            throw in.malformed(what + " must start with its Filter");
        }
        if (!in.nextChild() || !in.localName().equals("Recorder") || !isData(in.namespace())) {
            throw in.malformed("the Filter of " + what + " must name its Recorder");
        }
        Value filter = typedOrNull("the Recorder in the Filter of " + what, recorder.kind());
        if (!(filter instanceof Value.Ref) || !((Value.Ref) filter).key().equals(recorder)) {
            throw in.malformed("the Filter of " + what + " names recorder " + filter + ", not the document "
                    + recorder + " it follows");
        }
        if (in.nextChild()) {
            throw in.malformed("the Filter of " + what + " holds only its Recorder, not " + in.qualifiedName());
        }
        List<Row> records = new ArrayList<>();
        if (in.nextChild()) {
            if (!in.localName().equals("Records") || !isData(in.namespace())) {
                throw in.malformed(what + " holds Filter and Records, not " + in.qualifiedName());
            }
            V8Fields.Context context = fields.record(recorder.kind());
            while (in.nextChild()) {
                if (!in.localName().equals("Record") || !isData(in.namespace())) {
                    throw in.malformed("the Records of " + what + " hold Record elements, not " + in.qualifiedName());
                }
                records.add(row(context, recorder, what));
            }
            if (in.nextChild()) {
                throw in.malformed(what + " holds nothing after its Records, not " + in.qualifiedName());
            }
        }
        try {
            return new RecordSet(register, records);
        } catch (IllegalArgumentException e) {
            throw in.malformed("invalid " + what + ": " + e.getMessage(), e);
        }
    }

    // ---- values

    private static boolean isNil(String nil) {
        return nil != null && (nil.equals("true") || nil.equals("1"));
    }

    /** A field's value from its attributes and its content; the reader ends on the field's end tag. */
    private Value value(Where what, V8Fields.Slot slot, String type, String nil, String scale) {
        if (isNil(nil)) {
            if (in.readText(what) != 0) {
                throw in.malformed(what + " is xsi:nil but has content");
            }
            return Value.NULL;
        }
        if (type != null) {
            return typed(type, what, scale);
        }
        if (slot.type == ValueType.BINARY) {
            return binary(what);
        }
        ValueType t = slot.type;
        if (t == null || t == ValueType.STRING || t == ValueType.REFERENCE || t == ValueType.ENUM) {
            // Values that stay strings (or become keys and names) are read as strings, without a second copy.
            return bareString(slot, in.readString(what), what, scale);
        }
        in.readText(what);
        return bare(slot, what, scale);
    }

    /** A bare value of a field whose value is read as a string: text, a reference, an enum value. */
    private Value bareString(V8Fields.Slot slot, String text, Object what, String scale) {
        ValueType t = slot.type;
        if (scale != null) {
            throw in.malformed(what + ": dx:scale is only for decimals");
        }
        if (t == ValueType.REFERENCE && slot.refKind != null) {
            return text.isEmpty() || text.equals(Lexical.ZERO_UUID) ? Value.NULL : Value.ref(key(slot.refKind, text, what));
        }
        if (t == ValueType.ENUM && slot.enumeration != null) {
            if (text.isEmpty()) {
                return Value.NULL;
            }
            try {
                return Value.enumValue(slot.enumeration, text);
            } catch (IllegalArgumentException e) {
                throw in.malformed(what + ": " + e.getMessage(), e);
            }
        }
        return Value.of(text);
    }

    /** The value of a simple element with an {@code xsi:type} (or null without one, for Ref elements). */
    private Value typedOrNull(Object what, String defaultKind) {
        String type = in.attribute(Wire.XSI, "type");
        if (type == null) {
            if (defaultKind == null) {
                return null;
            }
            in.readText(what);
            return in.textIsEmpty() ? Value.NULL : Value.ref(key(defaultKind, in.textString(), what));
        }
        return typed(type, what, null);
    }

    private Value typed(String qname, Object what, String scale) {
        int colon = qname.indexOf(':');
        String prefix = colon < 0 ? "" : qname.substring(0, colon);
        String local = qname.substring(colon + 1);
        String ns = in.namespaceOf(prefix);
        if (ns == null && colon >= 0) {
            throw in.malformed(what + ": the prefix of xsi:type " + XmlInput.quote(qname) + " is not bound");
        }
        if (ns == null) {
            ns = "";
        }
        Kind kind;
        String target = null;
        if (ns.equals(Wire.XS)) {
            switch (local) {
                case "string":
                    kind = Kind.STRING;
                    break;
                case "decimal":
                    kind = Kind.DECIMAL;
                    break;
                case "long":
                case "int":
                case "integer":
                    kind = Kind.LONG;
                    break;
                case "boolean":
                    kind = Kind.BOOLEAN;
                    break;
                case "date":
                    kind = Kind.DATE;
                    break;
                case "dateTime":
                    kind = Kind.DATE_TIME;
                    break;
                case "base64Binary":
                    kind = Kind.BINARY;
                    break;
                default:
                    throw unsupported(what, qname);
            }
        } else if (ns.equals(Wire.V8CORE) && local.equals("UUID")) {
            kind = Kind.STRING;
        } else {
            int dot = local.indexOf('.');
            if (dot <= 0 || dot == local.length() - 1) {
                throw unsupported(what, qname);
            }
            String prefixOfType = local.substring(0, dot);
            target = local.substring(dot + 1);
            if (REFS.contains(prefixOfType)) {
                kind = Kind.REF;
            } else if (prefixOfType.equals("EnumRef")) {
                kind = Kind.ENUM;
            } else {
                throw unsupported(what, qname);
            }
        }
        if (kind == Kind.BINARY) {
            return binary(what);
        }
        in.readText(what);
        char[] c = in.text();
        int n = in.textLength();
        try {
            switch (kind) {
                case STRING:
                    return Value.of(in.textString());
                case DECIMAL:
                    return Value.of(scaled(Lexical.decimal(c, 0, n), scale, what));
                case LONG:
                    return Value.of(Lexical.parseLong(c, 0, n));
                case BOOLEAN:
                    return Value.of(Lexical.parseBoolean(c, 0, n));
                case DATE: {
                    Lexical.DateTime d = Lexical.dateTime(c, 0, n, false);
                    if (d.hasTime) {
                        throw new IllegalArgumentException(XmlInput.quote(in.textString()) + " is not an xs:date");
                    }
                    return Value.of(d.date());
                }
                case DATE_TIME: {
                    Lexical.DateTime d = Lexical.dateTime(c, 0, n, true);
                    return d.hasOffset ? Value.of(d.instant()) : Value.of(d.localDateTime());
                }
                case REF:
                    return Value.ref(key(target, in.textString(), what));
                default:
                    return Value.enumValue(target, in.textString());
            }
        } catch (IllegalArgumentException | DateTimeException | ArithmeticException e) {
            throw in.malformed(what + ": " + e.getMessage(), e);
        }
    }

    private io.dibex.MalformedMessageException unsupported(Object what, String qname) {
        return in.malformed(what + ": xsi:type " + XmlInput.quote(qname) + " is not supported (expected xs:string,"
                + " xs:decimal, xs:long, xs:boolean, xs:date, xs:dateTime, xs:base64Binary, CatalogRef.X,"
                + " DocumentRef.X or EnumRef.X)");
    }

    /** A bare value: its text (already read) typed by the field's slot. */
    private Value bare(V8Fields.Slot slot, Object what, String scale) {
        char[] c = in.text();
        int n = in.textLength();
        ValueType t = slot.type;
        if (t == null || t == ValueType.STRING || t == ValueType.REFERENCE && slot.refKind == null
                || t == ValueType.ENUM && slot.enumeration == null) {
            if (scale != null) {
                throw in.malformed(what + ": dx:scale is only for decimals");
            }
            return Value.of(in.textString());
        }
        if (n == 0) {
            return Value.NULL;
        }
        try {
            switch (t) {
                case DECIMAL:
                    return Value.of(scaled(Lexical.decimal(c, 0, n), scale, what));
                case LONG:
                    return Value.of(Lexical.parseLong(c, 0, n));
                case BOOLEAN:
                    return Value.of(Lexical.parseBoolean(c, 0, n));
                case DATE: {
                    Lexical.DateTime d = Lexical.dateTime(c, 0, n, false);
                    if (d.hasOffset || d.hasTime && !d.isMidnight()) {
                        throw new IllegalArgumentException(XmlInput.quote(in.textString())
                                + " is not a date (a time other than 00:00:00, or an offset)");
                    }
                    java.time.LocalDate date = d.date();
                    return date.equals(Lexical.EMPTY_DATE) ? Value.NULL : Value.of(date);
                }
                case DATE_TIME: {
                    Lexical.DateTime d = Lexical.dateTime(c, 0, n, true);
                    if (d.hasOffset) {
                        throw new IllegalArgumentException(XmlInput.quote(in.textString())
                                + " has an offset, but the field holds a date-time without zone");
                    }
                    java.time.LocalDateTime t2 = d.localDateTime();
                    return t2.equals(Lexical.EMPTY_DATE_TIME) ? Value.NULL : Value.of(t2);
                }
                case INSTANT: {
                    Lexical.DateTime d = Lexical.dateTime(c, 0, n, true);
                    if (!d.hasOffset) {
                        throw new IllegalArgumentException(XmlInput.quote(in.textString())
                                + " has no offset, but the field holds an instant: write Z or ±hh:mm");
                    }
                    return Value.of(d.instant());
                }
                case REFERENCE: {
                    String id = in.textString();
                    return id.equals(Lexical.ZERO_UUID) ? Value.NULL : Value.ref(key(slot.refKind, id, what));
                }
                case ENUM:
                    return Value.enumValue(slot.enumeration, in.textString());
                default:
                    throw new IllegalArgumentException("a " + t + " field cannot be read from text");
            }
        } catch (IllegalArgumentException | DateTimeException | ArithmeticException e) {
            throw in.malformed(what + ": " + e.getMessage(), e);
        }
    }

    private BigDecimal scaled(BigDecimal d, String scale, Object what) {
        if (scale == null) {
            return d;
        }
        int s;
        try {
            s = Integer.parseInt(scale);
        } catch (NumberFormatException e) {
            throw in.malformed(what + ": dx:scale must be an integer, got " + XmlInput.quote(scale), e);
        }
        if (s >= 0 || -(long) s > Lexical.MAX_DECIMAL_DIGITS) {
            // Only a negative scale needs saying, and rescaling costs time growing with its size.
            throw in.malformed(what + ": dx:scale must be -1 to -" + Lexical.MAX_DECIMAL_DIGITS + ", got " + s);
        }
        try {
            return d.setScale(s, java.math.RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw in.malformed(what + ": " + d.toPlainString() + " cannot be written with scale " + s + " exactly", e);
        }
    }

    private Value binary(Object what) {
        Base64Sink sink = new Base64Sink(limits.maxBinaryBytes());
        in.readBase64(sink, what);
        return Value.binary(sink.bytes());
    }

    private ObjectKey key(String kind, String id, Object what) {
        try {
            return new ObjectKey(kind, id);
        } catch (IllegalArgumentException e) {
            throw in.malformed("invalid " + what + ": " + e.getMessage(), e);
        }
    }
}
