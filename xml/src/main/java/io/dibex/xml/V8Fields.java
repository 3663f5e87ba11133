package io.dibex.xml;

import io.dibex.ExchangePlan;
import io.dibex.ObjectKind;
import io.dibex.model.ValueType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What a bare value (one without {@code xsi:type}) means in the {@code v8msg} dialect: the type
 * a field has by the plan's metadata or, failing that, by 1C's conventions for its standard
 * fields. The writer writes a value bare exactly when reading it back bare gives the same value,
 * so both sides use this one table (docs/wire-format.md, "Typing").
 *
 * <ul>
 *   <li>Metadata: {@link ObjectKind#fields()} of the object's kind, by field name; a field of a
 *       tabular part is looked up as {@code Part.Field}. A {@link ValueType#NULL} declaration
 *       declares nothing.</li>
 *   <li>Conventions, object fields: {@code DeletionMark}, {@code IsFolder}, {@code Posted} are
 *       booleans; {@code Date} a date-time; {@code Number}, {@code Code}, {@code Description}
 *       strings; {@code Parent} a reference to the object's own kind.</li>
 *   <li>Conventions, register records: {@code Recorder} a reference to the recorder's kind,
 *       {@code Period} a date-time, {@code Active} a boolean, {@code MovementType} (or 1C's
 *       {@code RecordType}) a value of the enumeration {@code AccumulationRecordType}.</li>
 *   <li>A reference field's kind: its convention's, or else the kind named like the field (1C's
 *       {@code Номенклатура} refers to {@code Справочник.Номенклатура}); an enum field's
 *       enumeration: its convention's. The plan's metadata gives types only, not these targets,
 *       so a reference or enum field without one reads a bare value as text.</li>
 * </ul>
 *
 * <p>Not thread-safe: each writer and reader has its own, caching what it resolved.
 */
final class V8Fields {

    /** How to read a bare value of one field. */
    static final class Slot {
        /** The type, or null when the field has none (a bare value is text). */
        final ValueType type;
        /** For a reference: the kind it refers to, or null if unknown. */
        final String refKind;
        /** For an enum: the enumeration, or null if unknown. */
        final String enumeration;

        Slot(ValueType type, String refKind, String enumeration) {
            this.type = type;
            this.refKind = refKind;
            this.enumeration = enumeration;
        }
    }

    /** The fields of one context: an object of a kind, a tabular part of it, or a record set. */
    final class Context {
        private final String kind;
        private final String table;
        private final boolean record;
        private final Map<String, Slot> slots = new HashMap<>();
        private final ObjectKind declared;
        /**
         * The fields in the order they were first met, with their slots: the parser interns names,
         * and objects and rows of one kind list their fields in one order, so {@link #slot} usually
         * finds the next field at {@code cursor} by one identity comparison.
         */
        private String[] order = new String[8];
        private Slot[] orderSlots = new Slot[8];
        private int orderSize;
        private int cursor;
        /** The last tabular part asked for, and its context. */
        private String lastTable;
        private Context lastTableContext;

        private Context(String kind, String table, boolean record) {
            this.kind = kind;
            this.table = table;
            this.record = record;
            this.declared = record ? null : plan.kind(kind).orElse(null);
        }

        /** Starts an object or a row: the next field is expected to be the first met so far. */
        void begin() {
            cursor = 0;
        }

        /** The slot of a field. */
        Slot slot(String field) {
            int c = cursor;
            if (c < orderSize && order[c] == field) {
                cursor = c + 1;
                return orderSlots[c];
            }
            return slotByName(field);
        }

        private Slot slotByName(String field) {
            Slot s = slots.get(field);
            if (s == null) {
                s = resolve(field);
                if (slots.size() < 1024) {
                    slots.put(field, s);
                }
            }
            for (int i = 0; i < orderSize; i++) {
                if (order[i] == field) {
                    cursor = i + 1;
                    return s;
                }
            }
            if (orderSize < 64) {
                if (orderSize == order.length) {
                    order = Arrays.copyOf(order, orderSize * 2);
                    orderSlots = Arrays.copyOf(orderSlots, orderSize * 2);
                }
                order[orderSize] = field;
                orderSlots[orderSize] = s;
                orderSize++;
                cursor = orderSize;
            }
            return s;
        }

        /** The fields of the rows of tabular part {@code table} of this context's object kind. */
        Context table(String table) {
            if (table != lastTable) {
                lastTableContext = row(kind, table);
                lastTable = table;
            }
            return lastTableContext;
        }

        private Slot resolve(String field) {
            ValueType type = null;
            if (declared != null) {
                type = declared.fields().get(table == null ? field : table + "." + field);
                if (type == ValueType.NULL) {
                    type = null;
                }
            }
            if (type == null) {
                type = convention(field);
            }
            String refKind = null;
            String enumeration = null;
            if (type == ValueType.REFERENCE) {
                if (record && field.equals("Recorder") || !record && table == null && field.equals("Parent")) {
                    refKind = kind;
                } else if (plan.kind(field).isPresent()) {
                    refKind = field;
                }
            } else if (type == ValueType.ENUM && record && (field.equals("MovementType") || field.equals("RecordType"))) {
                enumeration = "AccumulationRecordType";
            }
            return new Slot(type, refKind, enumeration);
        }

        private ValueType convention(String field) {
            if (record) {
                switch (field) {
                    case "Recorder":
                        return ValueType.REFERENCE;
                    case "Period":
                        return ValueType.DATE_TIME;
                    case "Active":
                        return ValueType.BOOLEAN;
                    case "MovementType":
                    case "RecordType":
                        return ValueType.ENUM;
                    default:
                        return null;
                }
            }
            if (table != null) {
                return null;
            }
            switch (field) {
                case "DeletionMark":
                case "IsFolder":
                case "Posted":
                    return ValueType.BOOLEAN;
                case "Date":
                    return ValueType.DATE_TIME;
                case "Number":
                case "Code":
                case "Description":
                    return ValueType.STRING;
                case "Parent":
                    return ValueType.REFERENCE;
                default:
                    return null;
            }
        }
    }

    private final ExchangePlan plan;
    private final Map<String, Context> contexts = new HashMap<>();
    /** The last kind {@link #object} was asked for, and its context. */
    private String lastKind;
    private Context lastObject;

    V8Fields(ExchangePlan plan) {
        this.plan = plan;
    }

    /** The fields of an object of {@code kind}. */
    Context object(String kind) {
        if (kind != lastKind) {
            lastObject = context(kind, null, false, kind);
            lastKind = kind;
        }
        return lastObject;
    }

    /** The fields of the rows of tabular part {@code table} of an object of {@code kind}. */
    Context row(String kind, String table) {
        return context(kind, table, false, kind + '\u0000' + table);
    }

    /** The fields of the records a recorder of {@code recorderKind} made. */
    Context record(String recorderKind) {
        return context(recorderKind, null, true, '\u0000' + recorderKind);
    }

    private Context context(String kind, String table, boolean record, String cacheKey) {
        Context c = contexts.get(cacheKey);
        if (c == null) {
            c = new Context(kind, table, record);
            if (contexts.size() < 4096) {
                contexts.put(cacheKey, c);
            }
        }
        return c;
    }

    /** Whether {@code kind} is a document kind of the plan (objects of unknown kinds travel as catalogs). */
    boolean isDocument(String kind) {
        return plan.kind(kind).map(k -> k.category() == ObjectKind.Category.DOCUMENT).orElse(false);
    }
}
