package io.dibex.xml;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes UTF-8 XML into a buffer that goes to the stream as it fills. Markup is written as given;
 * text and attribute values are escaped so that a reader gets exactly the characters back: in text
 * {@code & < >} and CR (as {@code &#13;}, which no parser normalizes away); in attributes also
 * {@code "}, tab and LF. Strings must have been checked ({@link XmlChecks}): a lone surrogate is
 * not expected here.
 */
final class XmlOutput {

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final byte[] BASE64 =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final Map<String, byte[]> names = new HashMap<>();
    private final byte[] buf = new byte[BUFFER_SIZE];
    private int n;

    XmlOutput(OutputStream out) {
        this.out = out;
    }

    /** Writes markup (names, fixed strings) unescaped. */
    XmlOutput raw(String s) throws IOException {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (n == buf.length) {
                    drain();
                }
                buf[n++] = (byte) c;
            } else {
                i = encode(s, i, c);
            }
        }
        return this;
    }

    /**
     * Writes a name (of an element, or a dibex name in an attribute, which needs no escaping):
     * names repeat, so their UTF-8 bytes are kept and copied.
     */
    XmlOutput name(String s) throws IOException {
        byte[] bytes = names.get(s);
        if (bytes == null) {
            bytes = s.getBytes(StandardCharsets.UTF_8);
            if (names.size() >= 4096) {
                names.clear();
            }
            names.put(s, bytes);
        }
        if (n + bytes.length > buf.length) {
            drain();
            if (bytes.length > buf.length) {
                out.write(bytes);
                return this;
            }
        }
        System.arraycopy(bytes, 0, buf, n, bytes.length);
        n += bytes.length;
        return this;
    }

    /** Writes one ASCII character of markup. */
    XmlOutput raw(char c) throws IOException {
        if (n == buf.length) {
            drain();
        }
        buf[n++] = (byte) c;
        return this;
    }

    /** Writes a line break and {@code depth} tabs, as 1C indents. */
    XmlOutput indent(int depth) throws IOException {
        if (n + depth + 1 > buf.length) {
            drain();
        }
        buf[n++] = '\n';
        for (int i = 0; i < depth; i++) {
            buf[n++] = '\t';
        }
        return this;
    }

    /** Writes element text, escaped. */
    XmlOutput text(String s) throws IOException {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (n + 6 > buf.length) {
                    drain();
                }
                switch (c) {
                    case '&':
                        put("&amp;");
                        break;
                    case '<':
                        put("&lt;");
                        break;
                    case '>':
                        put("&gt;");
                        break;
                    case '\r':
                        put("&#13;");
                        break;
                    default:
                        buf[n++] = (byte) c;
                }
            } else {
                i = encode(s, i, c);
            }
        }
        return this;
    }

    /** Writes an attribute value, escaped; the caller writes the quotes. */
    XmlOutput attr(String s) throws IOException {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (n + 6 > buf.length) {
                    drain();
                }
                switch (c) {
                    case '&':
                        put("&amp;");
                        break;
                    case '<':
                        put("&lt;");
                        break;
                    case '>':
                        put("&gt;");
                        break;
                    case '"':
                        put("&quot;");
                        break;
                    case '\t':
                        put("&#9;");
                        break;
                    case '\n':
                        put("&#10;");
                        break;
                    case '\r':
                        put("&#13;");
                        break;
                    default:
                        buf[n++] = (byte) c;
                }
            } else {
                i = encode(s, i, c);
            }
        }
        return this;
    }

    /** Writes {@code name="value"} with a leading space. */
    XmlOutput attribute(String name, String value) throws IOException {
        raw(' ').raw(name).raw("=\"").attr(value).raw('"');
        return this;
    }

    /** Writes {@code <name>text</name>}. */
    XmlOutput element(String name, String text) throws IOException {
        raw('<').raw(name).raw('>').text(text).raw("</").raw(name).raw('>');
        return this;
    }

    /**
     * Writes bytes as base64 text (one line, the canonical form), a chunk at a time: the encoded
     * text never exists as a whole.
     */
    XmlOutput base64(byte[] data) throws IOException {
        int len = data.length;
        int j = 0;
        while (j + 3 <= len) {
            if (n + 4 > buf.length) {
                drain();
            }
            int v = (data[j] & 0xFF) << 16 | (data[j + 1] & 0xFF) << 8 | (data[j + 2] & 0xFF);
            buf[n++] = BASE64[v >>> 18];
            buf[n++] = BASE64[(v >>> 12) & 0x3F];
            buf[n++] = BASE64[(v >>> 6) & 0x3F];
            buf[n++] = BASE64[v & 0x3F];
            j += 3;
        }
        if (n + 4 > buf.length) {
            drain();
        }
        int rest = len - j;
        if (rest == 1) {
            int v = (data[j] & 0xFF) << 16;
            buf[n++] = BASE64[v >>> 18];
            buf[n++] = BASE64[(v >>> 12) & 0x3F];
            buf[n++] = '=';
            buf[n++] = '=';
        } else if (rest == 2) {
            int v = (data[j] & 0xFF) << 16 | (data[j + 1] & 0xFF) << 8;
            buf[n++] = BASE64[v >>> 18];
            buf[n++] = BASE64[(v >>> 12) & 0x3F];
            buf[n++] = BASE64[(v >>> 6) & 0x3F];
            buf[n++] = '=';
        }
        return this;
    }

    /** Writes the buffer out and flushes the stream. */
    void flush() throws IOException {
        drain();
        out.flush();
    }

    private void put(String ascii) {
        for (int k = 0; k < ascii.length(); k++) {
            buf[n++] = (byte) ascii.charAt(k);
        }
    }

    /** Encodes a non-ASCII character (a pair if it is a high surrogate); returns the index of its last char. */
    private int encode(String s, int i, char c) throws IOException {
        if (n + 4 > buf.length) {
            drain();
        }
        if (c < 0x800) {
            buf[n++] = (byte) (0xC0 | c >> 6);
            buf[n++] = (byte) (0x80 | c & 0x3F);
            return i;
        }
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, s.charAt(i + 1));
            buf[n++] = (byte) (0xF0 | cp >> 18);
            buf[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
            buf[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
            buf[n++] = (byte) (0x80 | cp & 0x3F);
            return i + 1;
        }
        if (Character.isSurrogate(c)) {
            // XmlChecks refuses these before anything is written; never emit invalid UTF-8.
            throw new IllegalStateException("unchecked lone surrogate at index " + i);
        }
        buf[n++] = (byte) (0xE0 | c >> 12);
        buf[n++] = (byte) (0x80 | c >> 6 & 0x3F);
        buf[n++] = (byte) (0x80 | c & 0x3F);
        return i;
    }

    private void drain() throws IOException {
        if (n > 0) {
            out.write(buf, 0, n);
            n = 0;
        }
    }
}
