package io.dibex.xml;

import com.ctc.wstx.api.WstxInputProperties;
import io.dibex.codec.Limits;
import java.io.Reader;
import java.util.ServiceLoader;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLResolver;
import javax.xml.stream.XMLStreamException;
import org.codehaus.stax2.XMLInputFactory2;
import org.codehaus.stax2.XMLStreamReader2;

/**
 * The one Woodstox factory configuration every reader uses, built once per {@link Limits} and
 * never handed out (R16). Woodstox's defaults would read a DTD and resolve external entities;
 * here DTDs are not processed, no entity is ever resolved (only the five predefined entities and
 * character references expand), names are namespace-checked, and text arrives in segments so that
 * a long value never has to be held twice. Woodstox copies the factory's settings into each
 * reader it creates, so one stream's reader cannot change another's.
 *
 * <p>What the parser would accept but dibex refuses (a DOCTYPE at all, processing instructions,
 * XML 1.1, a declared encoding other than UTF-8) is refused by {@link XmlInput}; what the parser
 * would trust (the bytes' encoding) is checked before it by {@link Utf8Source}.
 */
final class SafeStax {

    /** Refuses every external resource: no DTD, entity or schema is ever fetched. */
    private static final XMLResolver NO_RESOLVER = (publicId, systemId, baseUri, namespace) -> {
        throw new XMLStreamException("external resources are never resolved (" + systemId + ")");
    };

    private final XMLInputFactory2 factory;

    SafeStax(Limits limits) {
        XMLInputFactory2 f = woodstox();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, true);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_VALIDATING, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, false);
        f.setProperty(XMLInputFactory.RESOLVER, NO_RESOLVER);
        f.setProperty(WstxInputProperties.P_DTD_RESOLVER, NO_RESOLVER);
        f.setProperty(WstxInputProperties.P_ENTITY_RESOLVER, NO_RESOLVER);
        f.setProperty(WstxInputProperties.P_UNDECLARED_ENTITY_RESOLVER, null);
        f.setProperty(WstxInputProperties.P_TREAT_CHAR_REFS_AS_ENTS, false);
        f.setProperty(WstxInputProperties.P_ALLOW_XML11_ESCAPED_CHARS_IN_XML10, false);
        f.setProperty(WstxInputProperties.P_INPUT_PARSING_MODE, WstxInputProperties.PARSING_MODE_DOCUMENT);
        f.setProperty(XMLInputFactory2.P_REPORT_PROLOG_WHITESPACE, false);
        f.setProperty(XMLInputFactory2.P_AUTO_CLOSE_INPUT, false);
        f.setProperty(XMLInputFactory2.P_INTERN_NAMES, true);
        f.setProperty(XMLInputFactory2.P_INTERN_NS_URIS, true);
        f.setProperty(WstxInputProperties.P_MIN_TEXT_SEGMENT, 512);
        f.setProperty(WstxInputProperties.P_INPUT_BUFFER_LENGTH, 16_000);
        // Limits the parser enforces itself; errors are turned into LimitExceededException by XmlInput.
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, limits.maxAttributes());
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTE_SIZE, limits.maxAttributeLength());
        // Depth and element count are counted exactly by XmlInput; these are backstops one above.
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, limits.maxDepth() + 1);
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_COUNT, saturated(limits.maxElements() + 1));
        // A text node may be a whole base64 value; strings are held to maxTextLength by the readers.
        f.setProperty(WstxInputProperties.P_MAX_TEXT_LENGTH, (int) Math.min(Integer.MAX_VALUE,
                Math.max(limits.maxTextLength(), base64Length(limits.maxBinaryBytes()))));
        f.setProperty(WstxInputProperties.P_MAX_CHARACTERS, Long.MAX_VALUE);
        f.setProperty(WstxInputProperties.P_MAX_ENTITY_COUNT, 1L);
        f.setProperty(WstxInputProperties.P_MAX_ENTITY_DEPTH, 1);
        this.factory = f;
    }

    /**
     * A new Woodstox factory, chosen by type among the StAX providers (so that another StAX
     * implementation on the path is never picked up by accident), and named only as a string: the
     * class carries an annotation whose class javac would miss at compile time.
     */
    private static XMLInputFactory2 woodstox() {
        return ServiceLoader.load(XMLInputFactory.class, SafeStax.class.getClassLoader()).stream()
                .filter(p -> p.type().getName().equals("com.ctc.wstx.stax.WstxInputFactory"))
                .findFirst()
                .map(p -> (XMLInputFactory2) p.get())
                .orElseThrow(() -> new IllegalStateException("Woodstox (com.fasterxml.woodstox:woodstox-core) is not"
                        + " on the class or module path; dibex-xml needs it"));
    }

    /** A reader of these characters, with this factory's settings copied into it. */
    XMLStreamReader2 reader(Reader chars) throws XMLStreamException {
        return (XMLStreamReader2) factory.createXMLStreamReader(chars);
    }

    /** The characters of a base64 value of {@code bytes} bytes, with room for line breaks. */
    static long base64Length(long bytes) {
        long plain = (bytes + 2) / 3 * 4;
        return plain + plain / 8;
    }

    private static long saturated(long v) {
        return v < 0 ? Long.MAX_VALUE : v;
    }
}
