package io.dibex.internal;

import java.util.Objects;

/** Validation of the names used for kinds, fields, registers and nodes. */
public final class Names {

    public static final int MAX_LENGTH = 128;

    /**
     * Names already found valid, by hash: a parser hands the same names over and over, and a hit
     * costs a hash and a comparison instead of a character class lookup per character. A slot is
     * overwritten by a later name of the same hash, so the cache holds at most its size whatever
     * the input. Unsynchronized on purpose: a String is immutable, so a racing reader sees either
     * slot value, and a miss only means checking again.
     */
    private static final String[] VALID = new String[1024];

    private Names() {
    }

    /**
     * Checks that {@code name} is a usable name: 1 to 128 characters, letters, digits, '_', '.'
     * or '-', starting with a letter or '_'. Cyrillic names are letters too.
     */
    public static String requireName(String name, String what) {
        Objects.requireNonNull(name, what);
        int slot = name.hashCode() & (VALID.length - 1);
        String known = VALID[slot];
        if (known == name || name.equals(known)) {
            return name;
        }
        check(name, what);
        VALID[slot] = name;
        return name;
    }

    private static void check(String name, String what) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " must have 1 to " + MAX_LENGTH
                    + " characters: '" + name + "'");
        }
        char first = name.charAt(0);
        if (!Character.isLetter(first) && first != '_') {
            throw new IllegalArgumentException(what + " must start with a letter or '_': '" + name + "'");
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '_' && c != '.' && c != '-') {
                throw new IllegalArgumentException(what + " '" + name
                        + "' may hold only letters, digits, '_', '.' and '-'");
            }
        }
    }
}
