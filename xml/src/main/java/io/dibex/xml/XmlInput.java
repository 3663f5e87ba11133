package io.dibex.xml;

import com.ctc.wstx.exc.WstxLazyException;
import io.dibex.LimitExceededException;
import io.dibex.MalformedMessageException;
import io.dibex.codec.Limits;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import javax.xml.stream.Location;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import org.codehaus.stax2.XMLStreamReader2;

/**
 * The pull reader every dialect reads through: Woodstox over {@link Utf8Source}, with the checks
 * that the parser does not make (R16). It refuses a DOCTYPE, processing instructions, entity
 * references, XML 1.1 and any declared encoding but UTF-8; counts depth and elements exactly;
 * holds each text value to a limit while it arrives; and turns every parser and stream failure
 * into a {@link MalformedMessageException} (or {@link LimitExceededException}) naming the message
 * and the line and column. Comments are allowed and skipped anywhere.
 *
 * <p>Navigation is by element: {@link #nextChild()} moves to the next child of the current
 * element, {@link #readText} reads a simple element's text, {@link #skip()} skips an element.
 */
final class XmlInput {

    private final XMLStreamReader2 r;
    private final Utf8Source bytes;
    private final Limits limits;
    private final String source;
    private int depth;
    private long elements;
    private boolean inBinary;
    /** The text last read by {@link #readText}: {@code text[0..textLength)}. */
    private char[] text = new char[256];
    private int textLength;

    private XmlInput(XMLStreamReader2 r, Utf8Source bytes, Limits limits, String source) {
        this.r = r;
        this.bytes = bytes;
        this.limits = limits;
        this.source = source;
    }

    /**
     * Opens a document and moves to its root element, refusing anything but comments and
     * whitespace before it.
     */
    static XmlInput open(SafeStax stax, InputStream in, Limits limits, String source) {
        Utf8Source chars = new Utf8Source(in, limits, source);
        XMLStreamReader2 reader;
        try {
            reader = stax.reader(chars);
        } catch (XMLStreamException | RuntimeException e) {
            throw translate(e, null, chars, limits, source, false);
        }
        XmlInput x = new XmlInput(reader, chars, limits, source);
        x.prolog();
        return x;
    }

    private void prolog() {
        String version = r.getVersion();
        if (version != null && !version.equals("1.0")) {
            throw malformed("XML " + version + " is not accepted; write XML 1.0");
        }
        String encoding = r.getCharacterEncodingScheme();
        if (encoding != null && !encoding.equalsIgnoreCase("UTF-8")) {
            throw malformed("the declared encoding is " + encoding + "; only UTF-8 is accepted");
        }
        while (true) {
            int e = advance();
            if (e == XMLStreamConstants.START_ELEMENT) {
                return;
            }
            if (e != XMLStreamConstants.COMMENT && e != XMLStreamConstants.SPACE && !(isText(e) && r.isWhiteSpace())) {
                throw malformed("unexpected " + describe(e) + " before the root element");
            }
        }
    }

    // ---- where we are

    /** The local name of the current element. */
    String localName() {
        return r.getLocalName();
    }

    /** The namespace of the current element, "" for none. */
    String namespace() {
        String ns = r.getNamespaceURI();
        return ns == null ? "" : ns;
    }

    /** The current element's name for messages: {@code {ns}local} or {@code local}. */
    String qualifiedName() {
        String ns = namespace();
        return ns.isEmpty() ? r.getLocalName() : "{" + ns + "}" + r.getLocalName();
    }

    /** The number of attributes of the current element. */
    int attributeCount() {
        return r.getAttributeCount();
    }

    /** The local name of attribute {@code i}. */
    String attributeName(int i) {
        return r.getAttributeLocalName(i);
    }

    /** The namespace of attribute {@code i}, "" for none. */
    String attributeNamespace(int i) {
        String ns = r.getAttributeNamespace(i);
        return ns == null ? "" : ns;
    }

    /** The value of attribute {@code i}. */
    String attributeValue(int i) {
        return r.getAttributeValue(i);
    }

    /** The value of an attribute of the current element, or null. */
    String attribute(String namespace, String local) {
        return r.getAttributeValue(namespace.isEmpty() ? null : namespace, local);
    }

    /** The namespace a prefix is bound to where the reader is, or null if unbound. */
    String namespaceOf(String prefix) {
        return r.getNamespaceURI(prefix);
    }

    /** The number of bytes read so far. */
    long bytesRead() {
        return bytes.bytesRead();
    }

    // ---- moving

    /**
     * Moves to the next child element of the current element. Call it on the parent's start
     * tag, or on the end tag of the previous child.
     *
     * @return true on a child's start tag; false on the parent's end tag
     */
    boolean nextChild() {
        while (true) {
            int e = advance();
            switch (e) {
                case XMLStreamConstants.START_ELEMENT:
                    return true;
                case XMLStreamConstants.END_ELEMENT:
                    return false;
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE:
                    if (!r.isWhiteSpace()) {
                        throw malformed("unexpected text " + quote(r.getText()) + ": this element holds only elements");
                    }
                    break;
                case XMLStreamConstants.COMMENT:
                    break;
                default:
                    throw malformed("unexpected " + describe(e));
            }
        }
    }

    /**
     * Reads the text of the current element, which must hold no element, up to its end tag.
     * The characters are then in {@link #text()}[0..{@link #textLength()}).
     *
     * @param what the value read, for errors; its {@code toString()} is called only on a failure, so
     *     that the hot path builds no message
     * @return the number of characters
     */
    int readText(Object what) {
        int max = limits.maxTextLength();
        int n = 0;
        while (true) {
            int e = advance();
            switch (e) {
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE: {
                    int len = r.getTextLength();
                    if ((long) n + len > max) {
                        throw limit("maxTextLength", max, (long) n + len, what);
                    }
                    if (n + len > text.length) {
                        text = Arrays.copyOf(text, Math.max(n + len, Math.min(max, 2 * text.length)));
                    }
                    System.arraycopy(r.getTextCharacters(), r.getTextStart(), text, n, len);
                    n += len;
                    break;
                }
                case XMLStreamConstants.END_ELEMENT:
                    textLength = n;
                    return n;
                case XMLStreamConstants.COMMENT:
                    break;
                case XMLStreamConstants.START_ELEMENT:
                    throw malformed("element " + qualifiedName() + " is not allowed here: " + what + " holds only text");
                default:
                    throw malformed("unexpected " + describe(e) + " in " + what);
            }
        }
    }

    /**
     * Reads the text of the current element like {@link #readText}, or stops on its first child
     * element if it has one: then only whitespace may come before that child.
     *
     * @return the number of characters of text, or -1 on a child's start tag
     */
    int readTextOrChild(Object what) {
        int max = limits.maxTextLength();
        int n = 0;
        while (true) {
            int e = advance();
            switch (e) {
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE: {
                    int len = r.getTextLength();
                    if ((long) n + len > max) {
                        throw limit("maxTextLength", max, (long) n + len, what);
                    }
                    if (n + len > text.length) {
                        text = Arrays.copyOf(text, Math.max(n + len, Math.min(max, 2 * text.length)));
                    }
                    System.arraycopy(r.getTextCharacters(), r.getTextStart(), text, n, len);
                    n += len;
                    break;
                }
                case XMLStreamConstants.END_ELEMENT:
                    textLength = n;
                    return n;
                case XMLStreamConstants.COMMENT:
                    break;
                case XMLStreamConstants.START_ELEMENT:
                    for (int i = 0; i < n; i++) {
                        char c = text[i];
                        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                            throw malformed(what + " holds both text and elements");
                        }
                    }
                    textLength = 0;
                    return -1;
                default:
                    throw malformed("unexpected " + describe(e) + " in " + what);
            }
        }
    }

    /**
     * Reads the text of the current element as a String, like {@link #readText}: a text that
     * arrives in one piece becomes a String straight from the parser's buffer, without passing
     * through this reader's own.
     */
    String readString(Object what) {
        String first = null;
        int max = limits.maxTextLength();
        int n = 0;
        while (true) {
            int e = advance();
            switch (e) {
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE: {
                    int len = r.getTextLength();
                    if ((long) n + len > max) {
                        throw limit("maxTextLength", max, (long) n + len, what);
                    }
                    if (n == 0 && first == null) {
                        first = r.getText();
                    } else {
                        if (first != null) {
                            // A second piece: gather them all in the buffer after all.
                            if (first.length() > text.length) {
                                text = Arrays.copyOf(text, Math.max(first.length(), Math.min(max, 2 * text.length)));
                            }
                            first.getChars(0, first.length(), text, 0);
                            first = null;
                        }
                        if (n + len > text.length) {
                            text = Arrays.copyOf(text, Math.max(n + len, Math.min(max, 2 * text.length)));
                        }
                        System.arraycopy(r.getTextCharacters(), r.getTextStart(), text, n, len);
                    }
                    n += len;
                    break;
                }
                case XMLStreamConstants.END_ELEMENT:
                    textLength = 0;
                    return first != null ? first : n == 0 ? "" : new String(text, 0, n);
                case XMLStreamConstants.COMMENT:
                    break;
                case XMLStreamConstants.START_ELEMENT:
                    throw malformed("element " + qualifiedName() + " is not allowed here: " + what + " holds only text");
                default:
                    throw malformed("unexpected " + describe(e) + " in " + what);
            }
        }
    }

    /** The buffer of the text last read; valid until the next read. */
    char[] text() {
        return text;
    }

    /** The length of the text last read. */
    int textLength() {
        return textLength;
    }

    /** The text last read, as a string. */
    String textString() {
        return new String(text, 0, textLength);
    }

    /** Whether the text last read is empty. */
    boolean textIsEmpty() {
        return textLength == 0;
    }

    /**
     * Reads the current element's text as base64 into {@code sink}, segment by segment, never
     * holding the whole text.
     */
    void readBase64(Base64Sink sink, Object what) {
        inBinary = true;
        try {
            while (true) {
                int e = advance();
                switch (e) {
                    case XMLStreamConstants.CHARACTERS:
                    case XMLStreamConstants.CDATA:
                    case XMLStreamConstants.SPACE:
                        sink.accept(r.getTextCharacters(), r.getTextStart(), r.getTextLength(), this, what);
                        break;
                    case XMLStreamConstants.END_ELEMENT:
                        sink.end(this, what);
                        return;
                    case XMLStreamConstants.COMMENT:
                        break;
                    case XMLStreamConstants.START_ELEMENT:
                        throw malformed("element " + qualifiedName() + " is not allowed here: " + what
                                + " holds only base64 text");
                    default:
                        throw malformed("unexpected " + describe(e) + " in " + what);
                }
            }
        } finally {
            inBinary = false;
        }
    }

    /** Skips the current element and everything in it; limits still apply. */
    void skip() {
        int level = 1;
        while (level > 0) {
            int e = advance();
            if (e == XMLStreamConstants.START_ELEMENT) {
                level++;
            } else if (e == XMLStreamConstants.END_ELEMENT) {
                level--;
            }
        }
    }

    /** After the root's end tag: refuses anything but comments and whitespace up to the end. */
    void finish() {
        while (true) {
            int e = advance();
            if (e == XMLStreamConstants.END_DOCUMENT) {
                return;
            }
            if (e != XMLStreamConstants.COMMENT && e != XMLStreamConstants.SPACE && !(isText(e) && r.isWhiteSpace())) {
                throw malformed("unexpected " + describe(e) + " after the root element");
            }
        }
    }

    /** Releases the parser; never closes the stream. */
    void close() {
        try {
            r.close();
        } catch (XMLStreamException | RuntimeException e) {
            // Closing the parser frees its buffers; it holds no resource of the caller's.
        }
    }

    /** The next event, with the checks of every event applied. */
    private int advance() {
        int e;
        try {
            e = r.next();
        } catch (XMLStreamException | RuntimeException ex) {
            throw translate(ex, r, bytes, limits, source, inBinary);
        }
        switch (e) {
            case XMLStreamConstants.START_ELEMENT:
                if (++depth > limits.maxDepth()) {
                    throw limit("maxDepth", limits.maxDepth(), depth, "element " + qualifiedName());
                }
                if (++elements > limits.maxElements()) {
                    throw limit("maxElements", limits.maxElements(), elements, "element " + qualifiedName());
                }
                break;
            case XMLStreamConstants.END_ELEMENT:
                depth--;
                break;
            case XMLStreamConstants.DTD:
                throw malformed("a DOCTYPE declaration is not accepted: messages have no DTD");
            case XMLStreamConstants.PROCESSING_INSTRUCTION:
                throw malformed("processing instruction <?" + r.getPITarget() + "?> is not accepted");
            case XMLStreamConstants.ENTITY_REFERENCE:
                throw malformed("entity reference &" + r.getLocalName() + "; is not accepted: only the five"
                        + " predefined entities and character references are");
            default:
                break;
        }
        return e;
    }

    // ---- errors

    /** The position of the current event. */
    String position() {
        return position(r.getLocation());
    }

    /** A malformed-message error at the current event. */
    MalformedMessageException malformed(String problem) {
        return new MalformedMessageException(source, position(), problem);
    }

    /** A malformed-message error at the current event, with a cause. */
    MalformedMessageException malformed(String problem, Throwable cause) {
        return new MalformedMessageException(source, position(), problem, cause);
    }

    /** A limit error at the current event. */
    LimitExceededException limit(String limit, long allowed, long seen, Object where) {
        return new LimitExceededException(source, position() + " (" + where + ")", limit, allowed, seen);
    }

    private static String position(Location l) {
        return l == null ? "an unknown position" : "line " + l.getLineNumber() + ", column " + l.getColumnNumber();
    }

    /**
     * Turns a parser failure into the library's exception: the strict decoder's own failure as it
     * is, a limit of the parser as a {@link LimitExceededException}, anything else as malformed.
     */
    private static MalformedMessageException translate(Exception e, XMLStreamReader2 r, Utf8Source chars,
            Limits limits, String source, boolean inBinary) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Utf8Source.Failure) {
                return ((Utf8Source.Failure) t).exception;
            }
        }
        XMLStreamException x = e instanceof XMLStreamException ? (XMLStreamException) e
                : e instanceof WstxLazyException && e.getCause() instanceof XMLStreamException
                        ? (XMLStreamException) e.getCause() : null;
        Location where = x != null && x.getLocation() != null ? x.getLocation() : r != null ? r.getLocation() : null;
        String position = where != null ? position(where) : chars.position();
        String message = problem(e);
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.startsWith("attribute limit")) {
            return new LimitExceededException(source, position, "maxAttributes", limits.maxAttributes(),
                    limits.maxAttributes() + 1L);
        }
        if (lower.startsWith("maximum attribute size limit")) {
            return new LimitExceededException(source, position, "maxAttributeLength", limits.maxAttributeLength(),
                    limits.maxAttributeLength() + 1L);
        }
        if (lower.startsWith("text size limit")) {
            return inBinary
                    ? new LimitExceededException(source, position, "maxBinaryBytes", limits.maxBinaryBytes(),
                            limits.maxBinaryBytes() + 1L)
                    : new LimitExceededException(source, position, "maxTextLength", limits.maxTextLength(),
                            limits.maxTextLength() + 1L);
        }
        if (lower.startsWith("maximum element depth limit")) {
            return new LimitExceededException(source, position, "maxDepth", limits.maxDepth(), limits.maxDepth() + 1L);
        }
        if (lower.startsWith("maximum element count limit")) {
            return new LimitExceededException(source, position, "maxElements", limits.maxElements(),
                    limits.maxElements() + 1L);
        }
        if (x instanceof com.ctc.wstx.exc.WstxEOFException) {
            return new MalformedMessageException(source, position, "the message ends too early (truncated?): " + message,
                    e);
        }
        if (e instanceof RuntimeException && x == null) {
            return new MalformedMessageException(source, position, "the parser failed: " + message, e);
        }
        return new MalformedMessageException(source, position, message, e);
    }

    /** The parser's message without its own location suffix. */
    private static String problem(Exception e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int at = m.indexOf("\n at [");
        if (at < 0) {
            at = m.indexOf(" at [row,col");
        }
        String text = at >= 0 ? m.substring(0, at) : m;
        if (text.startsWith("[com.ctc.wstx.exc.WstxLazyException] ")) {
            text = text.substring("[com.ctc.wstx.exc.WstxLazyException] ".length());
        }
        if (text.startsWith("javax.xml.stream.XMLStreamException: ")) {
            text = text.substring("javax.xml.stream.XMLStreamException: ".length());
        }
        return text.strip();
    }

    private static boolean isText(int e) {
        return e == XMLStreamConstants.CHARACTERS || e == XMLStreamConstants.CDATA;
    }

    private String describe(int e) {
        switch (e) {
            case XMLStreamConstants.START_ELEMENT:
                return "element " + qualifiedName();
            case XMLStreamConstants.END_ELEMENT:
                return "end tag of " + qualifiedName();
            case XMLStreamConstants.CHARACTERS:
            case XMLStreamConstants.CDATA:
            case XMLStreamConstants.SPACE:
                return "text " + quote(r.getText());
            case XMLStreamConstants.END_DOCUMENT:
                return "end of the message";
            case XMLStreamConstants.COMMENT:
                return "comment";
            default:
                return "XML event " + e;
        }
    }

    /** A short, printable quotation of untrusted text. */
    static String quote(String s) {
        StringBuilder q = new StringBuilder("'");
        int n = Math.min(s.length(), 40);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            q.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return q.append(s.length() > n ? "...'" : "'").toString();
    }
}
