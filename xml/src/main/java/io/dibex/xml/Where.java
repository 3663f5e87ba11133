package io.dibex.xml;

/**
 * Names the value a reader is reading, for error messages: "field Price of Item/A", "field Qty
 * in a row of tabular part Lines of Sale/S1". One instance per reader is updated as it goes, and
 * the text is built only when an error is thrown, so that reading builds no message per value.
 */
final class Where {

    private String field;
    private Object key;
    private Object context;

    /** Points at a field of an object (or of a row of {@code context}, when not null). */
    Where at(String field, Object key, Object context) {
        this.field = field;
        this.key = key;
        this.context = context;
        return this;
    }

    @Override
    public String toString() {
        return context == null ? "field " + field + " of " + key : "field " + field + " in a row of " + context;
    }

    /** A fixed description built on demand from four parts: {@code a + b + c + d}. */
    static Object lazy(String a, Object b, String c, Object d) {
        return new Object() {
            @Override
            public String toString() {
                return a + b + c + d;
            }
        };
    }

    /** A fixed description built on demand from two parts: {@code prefix + subject}. */
    static Object lazy(String prefix, Object subject) {
        return new Object() {
            @Override
            public String toString() {
                return prefix + subject;
            }
        };
    }
}
