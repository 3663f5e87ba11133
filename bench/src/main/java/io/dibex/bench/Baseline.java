package io.dibex.bench;

import io.dibex.codec.MessageItem;
import io.dibex.model.DataObject;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

/**
 * The SPEC §6 baseline: a Woodstox pull over the same bytes that reads every text (and every
 * attribute value) as a {@code String}, and for reference a Woodstox writer writing the same
 * element tree from the same objects.
 */
final class Baseline {

    private static final XMLInputFactory INPUT = woodstox(XMLInputFactory.newFactory());
    private static final XMLOutputFactory OUTPUT = repairing(XMLOutputFactory.newFactory());

    private Baseline() {
    }

    private static XMLInputFactory woodstox(XMLInputFactory f) {
        if (!f.getClass().getName().startsWith("com.ctc.wstx")) {
            throw new IllegalStateException("the baseline must be Woodstox, found " + f.getClass().getName());
        }
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        return f;
    }

    private static XMLOutputFactory repairing(XMLOutputFactory f) {
        if (!f.getClass().getName().startsWith("com.ctc.wstx")) {
            throw new IllegalStateException("the writer must be Woodstox, found " + f.getClass().getName());
        }
        // Jackson writes attributes in namespaces it does not declare itself.
        f.setProperty(XMLOutputFactory.IS_REPAIRING_NAMESPACES, true);
        return f;
    }

    /** Woodstox's parser, for the Jackson run. */
    static XMLInputFactory input() {
        return INPUT;
    }

    /** Woodstox's writer factory. */
    static XMLOutputFactory output() {
        return OUTPUT;
    }

    /**
     * Pulls every event and reads every text and attribute value as a String.
     *
     * @return the characters read, so that nothing is optimized away
     */
    static long pullStrings(byte[] bytes) throws XMLStreamException {
        XMLStreamReader r = INPUT.createXMLStreamReader(new ByteArrayInputStream(bytes));
        long chars = 0;
        while (r.hasNext()) {
            int e = r.next();
            if (e == XMLStreamConstants.START_ELEMENT) {
                for (int i = 0, n = r.getAttributeCount(); i < n; i++) {
                    chars += r.getAttributeValue(i).length();
                }
            } else if (e == XMLStreamConstants.CHARACTERS && !r.isWhiteSpace()) {
                String text = r.getText();
                chars += text.length();
            }
        }
        r.close();
        return chars;
    }

    /** Writes the items' element tree with Woodstox's writer, as 1C lays it out, without typing. */
    static void write(List<MessageItem> items, OutputStream out) throws XMLStreamException {
        XMLStreamWriter w = OUTPUT.createXMLStreamWriter(out, "UTF-8");
        w.writeStartDocument("UTF-8", "1.0");
        w.writeStartElement("v8msg", "Message", "http://v8.1c.ru/messages");
        w.writeNamespace("v8msg", "http://v8.1c.ru/messages");
        w.writeStartElement("v8msg", "Body", "http://v8.1c.ru/messages");
        for (MessageItem item : items) {
            if (item instanceof MessageItem.Upsert u) {
                DataObject o = u.object();
                w.writeStartElement("CatalogObject." + o.key().kind());
                w.writeStartElement("Ref");
                w.writeCharacters(o.key().id());
                w.writeEndElement();
                fields(w, o.fields());
                for (Map.Entry<String, List<Row>> table : o.tables().entrySet()) {
                    w.writeStartElement(table.getKey());
                    for (Row row : table.getValue()) {
                        w.writeStartElement("Row");
                        fields(w, row.fields());
                        w.writeEndElement();
                    }
                    w.writeEndElement();
                }
                w.writeEndElement();
            } else {
                w.writeStartElement("ObjectDeletion");
                w.writeStartElement("Ref");
                w.writeCharacters(item.key().id());
                w.writeEndElement();
                w.writeEndElement();
            }
        }
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndDocument();
        w.flush();
    }

    private static void fields(XMLStreamWriter w, Map<String, Value> fields) throws XMLStreamException {
        for (Map.Entry<String, Value> f : fields.entrySet()) {
            w.writeStartElement(f.getKey());
            Value v = f.getValue();
            w.writeCharacters(v instanceof Value.Text t ? t.value() : v instanceof Value.Ref r ? r.key().id()
                    : v instanceof Value.Decimal d ? d.value().toPlainString() : String.valueOf(v));
            w.writeEndElement();
        }
    }
}
