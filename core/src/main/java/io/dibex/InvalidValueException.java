package io.dibex;

/**
 * A value cannot be written in the chosen wire format: a string holding a character that
 * XML 1.0 cannot carry (U+0000, most control characters, U+FFFE, U+FFFF, a lone surrogate),
 * a name that is not a valid XML name, or a feature the format was configured without. The
 * writer checks an item before writing any byte of it, so after this exception the item is not
 * in the message and the writer can go on. Names the object and the field.
 */
public class InvalidValueException extends DibexException {

    private static final long serialVersionUID = 1L;

    /** With a message naming the value, the object and what to do. */
    public InvalidValueException(String message) {
        super(message);
    }
}
