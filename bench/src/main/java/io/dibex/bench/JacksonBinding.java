package io.dibex.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlText;
import io.dibex.codec.MessageItem;
import io.dibex.model.DataObject;
import io.dibex.model.Row;
import io.dibex.model.Value;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

/**
 * Jackson's XmlMapper binding the same objects (SPEC §6), one at a time over a Woodstox stream,
 * as a large message must be read: classes mirroring what the message holds, with decimals as
 * BigDecimal and (more leniently than dibex) dates and references left as strings.
 */
final class JacksonBinding {

    private static final XmlMapper MAPPER = new XmlMapper();

    private JacksonBinding() {
    }

    /** A goods item. */
    @JacksonXmlRootElement(localName = "CatalogObject.Номенклатура")
    @JsonPropertyOrder({"Ref", "Code", "Description", "Артикул", "ЕдиницаИзмерения", "Цена"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Goods {
        @JacksonXmlProperty(localName = "Ref") public String ref;
        @JacksonXmlProperty(localName = "Code") public String code;
        @JacksonXmlProperty(localName = "Description") public String description;
        @JacksonXmlProperty(localName = "Артикул") public String article;
        @JacksonXmlProperty(localName = "ЕдиницаИзмерения") public String unit;
        @JacksonXmlProperty(localName = "Цена") public BigDecimal price;
    }

    /** A customer. */
    @JacksonXmlRootElement(localName = "CatalogObject.Контрагенты")
    @JsonPropertyOrder({"Ref", "Code", "Description", "ИНН"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Customer {
        @JacksonXmlProperty(localName = "Ref") public String ref;
        @JacksonXmlProperty(localName = "Code") public String code;
        @JacksonXmlProperty(localName = "Description") public String description;
        @JacksonXmlProperty(localName = "ИНН") public String inn;
    }

    /** A line of a sale. */
    @JsonPropertyOrder({"Номенклатура", "Количество", "Цена", "Сумма", "СтавкаНДС"})
    public static final class Line {
        @JacksonXmlProperty(localName = "Номенклатура") public String goods;
        @JacksonXmlProperty(localName = "Количество") public BigDecimal quantity;
        @JacksonXmlProperty(localName = "Цена") public BigDecimal price;
        @JacksonXmlProperty(localName = "Сумма") public BigDecimal sum;
        @JacksonXmlProperty(localName = "СтавкаНДС") public String vat;
    }

    /** A sale. */
    @JacksonXmlRootElement(localName = "DocumentObject.Реализация")
    @JsonPropertyOrder({"Ref", "Date", "Number", "Posted", "Контрагенты", "Комментарий", "СуммаДокумента", "Товары"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Sale {
        @JacksonXmlProperty(localName = "Ref") public String ref;
        @JacksonXmlProperty(localName = "Date") public String date;
        @JacksonXmlProperty(localName = "Number") public String number;
        @JacksonXmlProperty(localName = "Posted") public boolean posted;
        @JacksonXmlProperty(localName = "Контрагенты") public String customer;
        @JacksonXmlProperty(localName = "Комментарий") public String comment;
        @JacksonXmlProperty(localName = "СуммаДокумента") public BigDecimal total;
        @JacksonXmlElementWrapper(localName = "Товары")
        @JacksonXmlProperty(localName = "Row")
        public List<Line> lines;
    }

    /** A typed reference, as in ObjectDeletion. */
    public static final class TypedRef {
        @JacksonXmlProperty(isAttribute = true, localName = "type",
                namespace = "http://www.w3.org/2001/XMLSchema-instance") public String type;
        @JacksonXmlText public String id;
    }

    /** A deletion. */
    @JacksonXmlRootElement(localName = "ObjectDeletion")
    public static final class Deletion {
        @JacksonXmlProperty(localName = "Ref") public TypedRef ref;
    }

    /**
     * Reads a v8msg message's body, binding each object as it comes.
     *
     * @return the number of objects bound
     */
    static long read(byte[] bytes) throws XMLStreamException, IOException {
        XMLStreamReader r = Baseline.input().createXMLStreamReader(new ByteArrayInputStream(bytes));
        long objects = 0;
        r.nextTag(); // Message
        while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
            if (!r.getLocalName().equals("Body")) {
                skip(r);
                continue;
            }
            while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
                Class<?> type = type(r.getLocalName());
                if (type == null) {
                    skip(r);
                } else if (MAPPER.readValue(r, type) != null) {
                    objects++; // Jackson leaves the reader on the object's end tag
                }
            }
        }
        r.close();
        return objects;
    }

    private static void skip(XMLStreamReader r) throws XMLStreamException {
        for (int depth = 1; depth > 0; ) {
            int e = r.next();
            depth += e == XMLStreamConstants.START_ELEMENT ? 1 : e == XMLStreamConstants.END_ELEMENT ? -1 : 0;
        }
    }

    private static Class<?> type(String element) {
        switch (element) {
            case "CatalogObject.Номенклатура":
                return Goods.class;
            case "CatalogObject.Контрагенты":
                return Customer.class;
            case "DocumentObject.Реализация":
                return Sale.class;
            case "ObjectDeletion":
                return Deletion.class;
            default:
                return null;
        }
    }

    /** The same objects as Jackson's classes. */
    static List<Object> pojos(List<MessageItem> items) {
        List<Object> all = new ArrayList<>(items.size());
        for (MessageItem item : items) {
            all.add(pojo(item));
        }
        return all;
    }

    /** One object as Jackson's class. */
    static Object pojo(MessageItem item) {
        if (item instanceof MessageItem.Deletion) {
            Deletion d = new Deletion();
            d.ref = new TypedRef();
            d.ref.type = "DocumentRef." + item.key().kind();
            d.ref.id = item.key().id();
            return d;
        }
        {
            DataObject o = ((MessageItem.Upsert) item).object();
            switch (o.key().kind()) {
                case "Номенклатура": {
                    Goods g = new Goods();
                    g.ref = o.key().id();
                    g.code = text(o.get("Code"));
                    g.description = text(o.get("Description"));
                    g.article = text(o.get("Артикул"));
                    g.unit = text(o.get("ЕдиницаИзмерения"));
                    g.price = ((Value.Decimal) o.get("Цена")).value();
                    return g;
                }
                case "Контрагенты": {
                    Customer c = new Customer();
                    c.ref = o.key().id();
                    c.code = text(o.get("Code"));
                    c.description = text(o.get("Description"));
                    c.inn = text(o.get("ИНН"));
                    return c;
                }
                default: {
                    Sale s = new Sale();
                    s.ref = o.key().id();
                    s.date = ((Value.DateTime) o.get("Date")).value().toString();
                    s.number = text(o.get("Number"));
                    s.posted = ((Value.Bool) o.get("Posted")).value();
                    s.customer = ((Value.Ref) o.get("Контрагенты")).key().id();
                    s.comment = text(o.get("Комментарий"));
                    s.total = ((Value.Decimal) o.get("СуммаДокумента")).value();
                    s.lines = new ArrayList<>();
                    for (Row row : o.tables().get("Товары")) {
                        Line l = new Line();
                        l.goods = ((Value.Ref) row.get("Номенклатура")).key().id();
                        l.quantity = ((Value.Decimal) row.get("Количество")).value();
                        l.price = ((Value.Decimal) row.get("Цена")).value();
                        l.sum = ((Value.Decimal) row.get("Сумма")).value();
                        l.vat = text(row.get("СтавкаНДС"));
                        s.lines.add(l);
                    }
                    return s;
                }
            }
        }
    }

    private static String text(Value v) {
        return ((Value.Text) v).value();
    }

    /** Writes the objects into one message, binding each with Jackson. */
    static void write(Iterator<?> pojos, OutputStream out) throws XMLStreamException, IOException {
        XMLStreamWriter w = Baseline.output().createXMLStreamWriter(out, "UTF-8");
        w.writeStartDocument("UTF-8", "1.0");
        w.writeStartElement("v8msg", "Message", "http://v8.1c.ru/messages");
        w.writeNamespace("v8msg", "http://v8.1c.ru/messages");
        w.writeStartElement("v8msg", "Body", "http://v8.1c.ru/messages");
        while (pojos.hasNext()) {
            MAPPER.writeValue(w, pojos.next());
        }
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndDocument();
        w.flush();
    }
}
