package io.dibex.xml;

import io.dibex.ExchangePlan;
import io.dibex.InvalidValueException;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What both dialects' writers share: the state machine, checking an item completely before any
 * byte of it is written (so a refused item leaves nothing behind and the writer usable), and
 * turning a stream failure into a {@link TransportException} that leaves the writer failed.
 */
abstract class XmlMessageWriter implements MessageWriter {

    private enum State { OPEN, FINISHED, FAILED, CLOSED }

    /** The output. */
    final XmlOutput out;
    /** The message, for errors. */
    final String name;
    /** Whether dibex's additions are written. */
    final boolean additions;
    private State state = State.OPEN;

    XmlMessageWriter(OutputStream stream, MessageHeader header, boolean additions) {
        this.name = "message " + header.messageNo() + " from " + header.from() + " to " + header.to();
        this.additions = additions;
        Headers.check(header, additions, name);
        this.out = new XmlOutput(stream);
    }

    /** Writes the declaration, the root and the header; called once by the constructor of a subclass. */
    final void start(MessageHeader header) {
        try {
            writeStart(header);
        } catch (IOException e) {
            state = State.FAILED;
            throw new TransportException("cannot write the header of " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public final void write(MessageItem item) {
        requireOpen("write an item");
        Objects.requireNonNull(item, "item");
        check(item);
        try {
            writeItem(item);
        } catch (IOException e) {
            state = State.FAILED;
            throw new TransportException("cannot write " + item.key() + " into " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public final void finish() {
        requireOpen("finish");
        try {
            writeEnd();
            out.flush();
            state = State.FINISHED;
        } catch (IOException e) {
            state = State.FAILED;
            throw new TransportException("cannot finish " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Releases the writer. Closing before {@link #finish()} abandons the message: the end tags are
     * not written and buffered bytes are dropped, so no reader takes the rest for a whole message.
     */
    @Override
    public final void close() {
        state = State.CLOSED;
    }

    private void requireOpen(String action) {
        if (state != State.OPEN) {
            throw new IllegalStateException("cannot " + action + ": the writer of " + name + " is "
                    + state.name().toLowerCase(Locale.ROOT));
        }
    }

    abstract void writeStart(MessageHeader header) throws IOException;

    abstract void writeItem(MessageItem item) throws IOException;

    abstract void writeEnd() throws IOException;

    /** Checks what the dialect cannot write of an object, beyond names and strings. */
    void checkObject(DataObject object) {
    }

    /**
     * Checks a name the dialect writes.
     *
     * @param standalone true for a field or tabular part name, false for a kind, register or
     *     enumeration, which v8msg writes after a fixed prefix such as {@code CatalogObject.}
     */
    abstract void checkName(String name, boolean standalone, String what, ObjectKey owner);

    // ---- checks, before any byte of an item; messages are built only when one fails

    private void check(MessageItem item) {
        ObjectKey key = item.key();
        checkKey(key, key, null, null);
        if (item instanceof MessageItem.Retraction && !additions) {
            throw new InvalidValueException("cannot write the retraction of " + key + " into " + name
                    + " without dibex's additions: a strict 1C reader has no retraction; a plan served without"
                    + " additions must not use routing that stops sending an object to a node (R9)");
        }
        if (!additions && item.repair()) {
            throw new InvalidValueException("cannot write the repair of " + key + " into " + name
                    + " without dibex's additions: a strict 1C reader has no repair flag; a plan served without"
                    + " additions must not have reconciliation settings (SPEC §5)");
        }
        if (!additions && key.kind().startsWith(ExchangePlan.RESERVED_KIND_PREFIX)) {
            throw new InvalidValueException("cannot write " + key + " into " + name + " without dibex's additions:"
                    + " it is dibex's own control item, which a strict 1C reader would take for an object; a plan"
                    + " served without additions must not have reconciliation settings (SPEC §5)");
        }
        if (item instanceof MessageItem.Upsert) {
            DataObject o = ((MessageItem.Upsert) item).object();
            checkObject(o);
            checkFields(o.fields(), key, null);
            for (Map.Entry<String, List<Row>> table : o.tables().entrySet()) {
                String t = table.getKey();
                if (!knownNames.contains(t)) {
                    checkName(t, true, "the name of tabular part", key);
                    remember(knownNames, t);
                }
                for (Row row : table.getValue()) {
                    checkFields(row.fields(), key, "tabular part " + t);
                }
            }
            for (RecordSet set : o.recordSets()) {
                if (!knownPrefixed.contains(set.register())) {
                    checkName(set.register(), false, "the name of register", key);
                    remember(knownPrefixed, set.register());
                }
                for (Row record : set.records()) {
                    checkFields(record.fields(), key, "register " + set.register());
                }
            }
        }
    }

    /** Names already checked: fields and tabular parts, and kinds, registers and enumerations. */
    private final Set<String> knownNames = new HashSet<>();
    private final Set<String> knownPrefixed = new HashSet<>();

    private static void remember(Set<String> names, String name) {
        if (names.size() >= 4096) {
            names.clear();
        }
        names.add(name);
    }

    /** Checks a key: of the item when field is null, else of the reference in that field. */
    private void checkKey(ObjectKey key, ObjectKey owner, String field, String part) {
        if (!knownPrefixed.contains(key.kind())) {
            checkName(key.kind(), false, "the kind of " + describe("the reference in", field, part), owner);
            remember(knownPrefixed, key.kind());
        }
        if (XmlChecks.firstIllegal(key.id()) >= 0) {
            XmlChecks.text(key.id(), "the id of " + describe("the reference in", field, part), owner, name);
        }
    }

    private static String describe(String what, String field, String part) {
        return field == null ? "the object" : what + " field " + field + (part == null ? "" : " of " + part);
    }

    private void checkFields(Map<String, Value> fields, ObjectKey owner, String part) {
        for (Map.Entry<String, Value> field : fields.entrySet()) {
            String f = field.getKey();
            if (!knownNames.contains(f)) {
                checkName(f, true, "the name of " + describe("", f, part).strip(), owner);
                remember(knownNames, f);
            }
            Value v = field.getValue();
            if (v instanceof Value.Text) {
                String text = ((Value.Text) v).value();
                if (XmlChecks.firstIllegal(text) >= 0) {
                    XmlChecks.text(text, describe("", f, part).strip(), owner, name);
                }
            } else if (v instanceof Value.Decimal) {
                long digits = Lexical.plainDigits(((Value.Decimal) v).value());
                if (digits > Lexical.MAX_DECIMAL_DIGITS) {
                    throw new InvalidValueException("cannot write " + describe("", f, part).strip() + " of " + owner
                            + " into " + name + ": written without exponent it has " + digits + " digits, more than"
                            + " the " + Lexical.MAX_DECIMAL_DIGITS + " the XML format allows");
                }
            } else if (v instanceof Value.Ref) {
                checkKey(((Value.Ref) v).key(), owner, f, part);
            } else if (v instanceof Value.EnumValue) {
                Value.EnumValue e = (Value.EnumValue) v;
                if (!knownPrefixed.contains(e.enumeration())) {
                    checkName(e.enumeration(), false, "the enumeration in " + describe("", f, part).strip(), owner);
                    remember(knownPrefixed, e.enumeration());
                }
                if (XmlChecks.firstIllegal(e.name()) >= 0) {
                    XmlChecks.text(e.name(), "the enum value in " + describe("", f, part).strip(), owner, name);
                }
            }
        }
    }
}
