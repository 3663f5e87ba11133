package io.dibex.internal;

/** Checks that strings can be carried as UTF-8, before any byte of them is written. */
final class BinaryStrings {

    private BinaryStrings() {
    }

    /**
     * The index of the first surrogate in {@code s} that is not half of a pair, or -1. Such a
     * string has no UTF-8 form, so it cannot be written exactly.
     */
    static int firstLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Text that holds untrusted input, made fit for an error message and a journal: control
     * characters, line breaks included, are escaped as a backslash, 'u' and four hex digits. The
     * reader bounds names and ids before it quotes them, so the text stays short.
     */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
