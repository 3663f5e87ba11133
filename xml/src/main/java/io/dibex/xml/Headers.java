package io.dibex.xml;

import io.dibex.InvalidValueException;
import io.dibex.codec.MessageHeader;
import io.dibex.codec.MessageItem;
import io.dibex.model.ObjectKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The header both dialects share: five elements named by the dialect (plan, recipient, sender,
 * number, received number), then dibex's additions in the {@link Wire#DX} namespace. Numbers are
 * read strictly (R16); ids that a message does not carry are implied from the header
 * ({@link XmlCodec#impliedMessageId}).
 */
final class Headers {

    /** The names of the five header elements in one dialect, in the order they are written. */
    static final class Names {
        final String namespace;
        final String plan;
        final String to;
        final String from;
        final String messageNo;
        final String receivedNo;

        Names(String namespace, String plan, String to, String from, String messageNo, String receivedNo) {
            this.namespace = namespace;
            this.plan = plan;
            this.to = to;
            this.from = from;
            this.messageNo = messageNo;
            this.receivedNo = receivedNo;
        }
    }

    private Headers() {
    }

    // ---- writing

    /** Refuses a header that the message cannot carry: strings XML 1.0 cannot, or additions when they are off. */
    static void check(MessageHeader h, boolean additions, String message) {
        XmlChecks.text(h.plan(), "the plan name", null, message);
        XmlChecks.text(h.from(), "the sender's name", null, message);
        XmlChecks.text(h.to(), "the recipient's name", null, message);
        for (ObjectKey key : h.rejectedKeys()) {
            XmlChecks.text(key.kind(), "a rejected key's kind", null, message);
            XmlChecks.text(key.id(), "a rejected key's id", null, message);
        }
        if (!additions && (h.restored() || !h.rejectedKeys().isEmpty())) {
            throw new InvalidValueException("cannot write " + message + " without dibex's additions: its header carries "
                    + (h.restored() ? "the restored flag (R4)" : "rejected keys (R6 quarantine)")
                    + ", which a strict 1C reader has no place for; a plan served without additions must not use"
                    + " restore detection or quarantine");
        }
    }

    /** Writes the header's elements (the caller writes the header element itself). */
    static void write(XmlOutput out, Names names, String prefix, MessageHeader h, boolean additions, int depth)
            throws IOException {
        out.indent(depth).element(prefix + names.plan, h.plan());
        out.indent(depth).element(prefix + names.to, h.to());
        out.indent(depth).element(prefix + names.from, h.from());
        out.indent(depth).element(prefix + names.messageNo, Long.toString(h.messageNo()));
        out.indent(depth).element(prefix + names.receivedNo, Long.toString(h.receivedNo()));
        if (!additions) {
            return;
        }
        out.indent(depth).element("dx:MessageId", h.messageId().toString());
        if (h.receivedId() != null) {
            out.indent(depth).element("dx:ReceivedId", h.receivedId().toString());
        }
        if (h.previousId() != null) {
            out.indent(depth).element("dx:PreviousId", h.previousId().toString());
        }
        for (UUID id : h.earlierIds()) {
            out.indent(depth).element("dx:EarlierId", id.toString());
        }
        if (h.restored()) {
            out.indent(depth).element("dx:Restored", "true");
            if (h.restoredSinceNo() > 0) {
                out.indent(depth).element("dx:RestoredSince", Long.toString(h.restoredSinceNo()));
            }
        }
        for (ObjectKey key : h.rejectedKeys()) {
            out.indent(depth).raw("<dx:Rejected").attribute("kind", key.kind()).attribute("id", key.id()).raw("/>");
        }
    }

    /** Writes {@code xmlns:dx} and {@code dx:format} on the root when additions are on. */
    static void writeRootAttributes(XmlOutput out, boolean additions) throws IOException {
        if (additions) {
            out.attribute("xmlns:dx", Wire.DX).attribute("dx:format", Wire.FORMAT);
        }
    }

    // ---- reading

    /** Checks the root's {@code dx:format}, if any: only {@link Wire#FORMAT} is known. */
    static void checkFormat(XmlInput in) {
        String format = in.attribute(Wire.DX, "format");
        if (format != null && !format.equals(Wire.FORMAT)) {
            throw in.malformed("dibex format version " + XmlInput.quote(format) + " is not known to this reader,"
                    + " which reads version " + Wire.FORMAT + ": both nodes of a link must run the same version of"
                    + " dibex's additions; upgrade the older one");
        }
    }

    /**
     * Reads the header's children; the reader is on the header's start tag and ends on its end
     * tag.
     */
    static MessageHeader read(XmlInput in, Names names) {
        String plan = null;
        String to = null;
        String from = null;
        long messageNo = -1;
        long receivedNo = -1;
        UUID messageId = null;
        UUID receivedId = null;
        UUID previousId = null;
        List<UUID> earlierIds = new ArrayList<>();
        long restoredSince = -1;
        boolean restored = false;
        boolean restoredSeen = false;
        List<ObjectKey> rejected = new ArrayList<>();
        String headerName = in.qualifiedName();
        while (in.nextChild()) {
            String ns = in.namespace();
            String name = in.localName();
            if (ns.equals(names.namespace)) {
                if (name.equals(names.plan)) {
                    once(in, plan == null);
                    plan = text(in, name);
                } else if (name.equals(names.to)) {
                    once(in, to == null);
                    to = text(in, name);
                } else if (name.equals(names.from)) {
                    once(in, from == null);
                    from = text(in, name);
                } else if (name.equals(names.messageNo)) {
                    once(in, messageNo < 0);
                    messageNo = number(in, name, false);
                } else if (name.equals(names.receivedNo)) {
                    once(in, receivedNo < 0);
                    receivedNo = number(in, name, true);
                } else {
                    throw in.malformed("unknown header element " + in.qualifiedName());
                }
            } else if (ns.equals(Wire.DX)) {
                switch (name) {
                    case "MessageId":
                        once(in, messageId == null);
                        messageId = uuid(in, name);
                        break;
                    case "ReceivedId":
                        once(in, receivedId == null);
                        receivedId = uuid(in, name);
                        break;
                    case "RestoredSince":
                        once(in, restoredSince < 0);
                        restoredSince = number(in, name, false);
                        break;
                    case "PreviousId":
                        once(in, previousId == null);
                        previousId = uuid(in, name);
                        break;
                    case "EarlierId":
                        earlierIds.add(uuid(in, name));
                        break;
                    case "Restored":
                        once(in, !restoredSeen);
                        restoredSeen = true;
                        in.readText(name);
                        if (Lexical.is(in.text(), 0, in.textLength(), "true")) {
                            restored = true;
                        } else if (!Lexical.is(in.text(), 0, in.textLength(), "false")) {
                            throw in.malformed("dx:Restored must be true or false, got " + XmlInput.quote(in.textString()));
                        }
                        break;
                    case "Rejected":
                        rejected.add(key(in, "a rejected key"));
                        if (in.nextChild()) {
                            throw in.malformed("dx:Rejected holds no element");
                        }
                        break;
                    default:
                        throw in.malformed("unknown dibex header element dx:" + name
                                + ": the message was written by a newer version; upgrade this node");
                }
            } else {
                throw in.malformed("unexpected element " + in.qualifiedName() + " in " + headerName);
            }
        }
        String missing = plan == null ? names.plan : to == null ? names.to : from == null ? names.from
                : messageNo < 0 ? names.messageNo : null;
        if (missing != null) {
            throw in.malformed("the header has no " + missing);
        }
        if (receivedNo < 0) {
            receivedNo = 0;
        }
        if (receivedNo == 0 && receivedId != null) {
            throw in.malformed("dx:ReceivedId is given but " + names.receivedNo + " is 0: nothing was received");
        }
        if (messageId == null) {
            messageId = XmlCodec.impliedMessageId(plan, from, to, messageNo);
        }
        if (messageNo == 1 && previousId != null) {
            throw in.malformed("dx:PreviousId is given but this is message 1: nothing came before it");
        }
        if (!earlierIds.isEmpty() && (previousId == null || earlierIds.size() > MessageHeader.MAX_EARLIER_IDS
                || earlierIds.size() > messageNo - 2)) {
            throw in.malformed("dx:EarlierId needs dx:PreviousId and names at most " + MessageHeader.MAX_EARLIER_IDS
                    + " messages before message " + (messageNo - 1) + ", got " + earlierIds.size());
        }
        if (restoredSince > 0 && (!restored || restoredSince > messageNo)) {
            throw in.malformed("dx:RestoredSince " + restoredSince + " needs dx:Restored true and a number up to"
                    + " this message's " + messageNo);
        }
        if (receivedNo > 0 && receivedId == null) {
            receivedId = XmlCodec.impliedMessageId(plan, to, from, receivedNo);
        }
        return new MessageHeader(plan, from, to, messageNo, messageId, receivedNo, receivedId, restored, rejected,
                previousId, Math.max(restoredSince, 0), earlierIds);
    }

    /**
     * Writes an item's {@code dx:since} attribute, when the additions are on and it is known, its
     * {@code dx:repair="true"} when it is a repair (the writer refuses a repair without additions),
     * and {@code dx:backup="true"} when the sender may hold the state from its backup (R4; without
     * the additions the flag is not carried, and the weaker rule applies).
     */
    static void writeItemAttributes(XmlOutput out, MessageItem item, boolean additions) throws IOException {
        if (additions && item.since() > 0) {
            out.raw(" dx:since=\"").raw(Long.toString(item.since())).raw('"');
        }
        if (additions && item.repair()) {
            out.raw(" dx:repair=\"true\"");
        }
        if (additions && item.fromBackup()) {
            out.raw(" dx:backup=\"true\"");
        }
    }

    /**
     * An item's {@code dx:repair} attribute where the reader is: true for {@code "true"}, false when
     * absent. Any other value, {@code "false"} included, is malformed: a writer writes the attribute
     * only on a repair, so each item has one form.
     */
    static boolean repair(XmlInput in) {
        String value = in.attributeCount() == 0 ? null : in.attribute(Wire.DX, "repair");
        if (value == null) {
            return false;
        }
        if (!value.equals("true")) {
            throw in.malformed("dx:repair must be \"true\" (or absent, for an item that is no repair), got "
                    + XmlInput.quote(value));
        }
        return true;
    }

    /**
     * An item's {@code dx:backup} attribute where the reader is (R4): true for {@code "true"}, false
     * when absent; any other value is malformed, as for {@code dx:repair}.
     */
    static boolean fromBackup(XmlInput in) {
        String value = in.attributeCount() == 0 ? null : in.attribute(Wire.DX, "backup");
        if (value == null) {
            return false;
        }
        if (!value.equals("true")) {
            throw in.malformed("dx:backup must be \"true\" (or absent), got " + XmlInput.quote(value));
        }
        return true;
    }

    /**
     * An item's {@code dx:since} attribute where the reader is: the number of the message that
     * first carried the item, or 0 if the attribute is absent.
     */
    static long since(XmlInput in) {
        String value = in.attributeCount() == 0 ? null : in.attribute(Wire.DX, "since");
        if (value == null) {
            return 0;
        }
        long n = Lexical.headerNumber(value.toCharArray(), value.length(), false);
        if (n < 0) {
            throw in.malformed("dx:since must be a number matching [1-9][0-9]{0,18} that fits a long, got "
                    + XmlInput.quote(value));
        }
        return n;
    }

    /** Reads a key from the {@code kind} and {@code id} attributes of a dibex element. */
    static ObjectKey key(XmlInput in, String what) {
        String kind = null;
        String id = null;
        for (int i = 0; i < in.attributeCount(); i++) {
            String ns = in.attributeNamespace(i);
            String name = in.attributeName(i);
            if (ns.isEmpty() && name.equals("kind")) {
                kind = in.attributeValue(i);
            } else if (ns.isEmpty() && name.equals("id")) {
                id = in.attributeValue(i);
            } else if (ns.equals(Wire.DX) && (name.equals("since") || name.equals("repair") || name.equals("backup"))) {
                continue; // read by since(), repair() and fromBackup()
            } else {
                throw in.malformed("unknown attribute " + name + " on " + in.qualifiedName());
            }
        }
        if (kind == null || id == null) {
            throw in.malformed(what + " needs the attributes kind and id");
        }
        try {
            return new ObjectKey(kind, id);
        } catch (IllegalArgumentException e) {
            throw in.malformed("invalid " + what + ": " + e.getMessage(), e);
        }
    }

    private static void once(XmlInput in, boolean first) {
        if (!first) {
            throw in.malformed("element " + in.qualifiedName() + " appears twice in the header");
        }
    }

    private static String text(XmlInput in, String name) {
        in.readText(name);
        return in.textString();
    }

    private static long number(XmlInput in, String name, boolean zero) {
        in.readText(name);
        long n = Lexical.headerNumber(in.text(), in.textLength(), zero);
        if (n < 0) {
            throw in.malformed(name + " must be " + (zero ? "0 or " : "") + "a number matching [1-9][0-9]{0,18} that fits"
                    + " a long, got " + XmlInput.quote(in.textString()));
        }
        return n;
    }

    private static UUID uuid(XmlInput in, String name) {
        in.readText(name);
        try {
            return Lexical.uuid(in.text(), 0, in.textLength());
        } catch (IllegalArgumentException e) {
            throw in.malformed("dx:" + name + ": " + e.getMessage(), e);
        }
    }
}
