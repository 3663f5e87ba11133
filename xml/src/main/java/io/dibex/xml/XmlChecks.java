package io.dibex.xml;

import com.ctc.wstx.io.WstxInputData;
import io.dibex.InvalidValueException;
import io.dibex.model.ObjectKey;

/**
 * What the writers check before they write any byte of an item (SPEC §4): every string must be
 * one that XML 1.0 can carry, and every name that becomes an element name must be one that the
 * reader (Woodstox, XML 1.0 names) accepts. A failure is an {@link InvalidValueException} naming
 * the value, the object and the message.
 */
final class XmlChecks {

    private XmlChecks() {
    }

    /**
     * The index of the first character of {@code s} that XML 1.0 cannot carry, or -1. XML 1.0
     * allows tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD and U+10000..U+10FFFF (surrogate pairs).
     */
    static int firstIllegal(String s) {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0xD800) {
                continue;
            }
            if (c < 0x20) {
                if (c == '\t' || c == '\n' || c == '\r') {
                    continue;
                }
                return i;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
                return i;
            }
        }
        return -1;
    }

    /** Refuses a string XML 1.0 cannot carry. */
    static void text(String s, String what, ObjectKey owner, String message) {
        int at = firstIllegal(s);
        if (at >= 0) {
            char c = s.charAt(at);
            String kind = Character.isSurrogate(c) ? "a lone surrogate" : "character U+"
                    + String.format("%04X", (int) c);
            throw new InvalidValueException("cannot write " + what + (owner == null ? "" : " of " + owner) + " into "
                    + message + ": it holds " + kind + " at index " + at + ", which XML 1.0 cannot carry;"
                    + " remove it or store the value as binary");
        }
    }

    /** Refuses a name that is not an XML 1.0 name without a colon (it becomes an element name). */
    static void name(String name, String what, ObjectKey owner, String message) {
        refuseName(name.isEmpty() ? 0 : WstxInputData.findIllegalNameChar(name, true, false), name, what, owner,
                message);
    }

    /**
     * Refuses a name that, written after a fixed prefix such as {@code CatalogObject.}, would not
     * make an XML 1.0 name: any name character may start it.
     */
    static void nameTail(String name, String what, ObjectKey owner, String message) {
        refuseName(name.isEmpty() ? 0 : WstxInputData.findIllegalNameChar("a" + name, true, false) - 1, name, what,
                owner, message);
    }

    private static void refuseName(int at, String name, String what, ObjectKey owner, String message) {
        if (at >= 0) {
            throw new InvalidValueException("cannot write " + what + " '" + printable(name) + "'"
                    + (owner == null ? "" : " of " + owner) + " into " + message + ": it is not an XML 1.0 name"
                    + (name.isEmpty() ? "" : " (character " + at + " is not allowed)")
                    + "; rename it or use the seed dialect, which keeps names in attributes");
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
