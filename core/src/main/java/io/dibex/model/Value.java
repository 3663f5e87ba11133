package io.dibex.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A typed field value. Values are immutable; {@code equals} is exact (a decimal's scale
 * counts), while equal <em>content</em> is decided by the canonical digest, which ignores
 * the scale of an equal number (SPEC §4, §5).
 */
public sealed interface Value {

    /** This value's type. */
    ValueType type();

    /** The null value. */
    Null NULL = new Null();

    /** A string value. */
    static Value of(String s) {
        return new Text(s);
    }

    /** A decimal value. */
    static Value of(BigDecimal d) {
        return new Decimal(d);
    }

    /** A long value. */
    static Value of(long l) {
        return new Int64(l);
    }

    /** A boolean value. */
    static Value of(boolean b) {
        return b ? Bool.TRUE : Bool.FALSE;
    }

    /** A date value. */
    static Value of(LocalDate d) {
        return new Date(d);
    }

    /** A zone-less date-time value. */
    static Value of(LocalDateTime t) {
        return new DateTime(t);
    }

    /** An instant value. */
    static Value of(Instant t) {
        return new Timestamp(t);
    }

    /** A reference to the object with this key. */
    static Value ref(ObjectKey key) {
        return new Ref(key);
    }

    /** An enumeration value. */
    static Value enumValue(String enumeration, String name) {
        return new EnumValue(enumeration, name);
    }

    /** A binary value; the array is copied. */
    static Value binary(byte[] bytes) {
        return new Binary(bytes.clone());
    }

    /** A string. */
    record Text(String value) implements Value {
        /** Rejects null. */
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public ValueType type() {
            return ValueType.STRING;
        }
    }

    /** A decimal; its scale is kept exactly. */
    record Decimal(BigDecimal value) implements Value {
        /** Rejects null. */
        public Decimal {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public ValueType type() {
            return ValueType.DECIMAL;
        }

        @Override
        public String toString() {
            return value.toPlainString();
        }
    }

    /** A 64-bit integer. */
    record Int64(long value) implements Value {
        @Override
        public ValueType type() {
            return ValueType.LONG;
        }
    }

    /** A boolean. */
    record Bool(boolean value) implements Value {
        static final Bool TRUE = new Bool(true);
        static final Bool FALSE = new Bool(false);

        @Override
        public ValueType type() {
            return ValueType.BOOLEAN;
        }
    }

    /** A date. */
    record Date(LocalDate value) implements Value {
        /** Rejects null. */
        public Date {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public ValueType type() {
            return ValueType.DATE;
        }
    }

    /** A date-time without zone. */
    record DateTime(LocalDateTime value) implements Value {
        /** Rejects null. */
        public DateTime {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public ValueType type() {
            return ValueType.DATE_TIME;
        }
    }

    /** An instant. */
    record Timestamp(Instant value) implements Value {
        /** Rejects null. */
        public Timestamp {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public ValueType type() {
            return ValueType.INSTANT;
        }
    }

    /** A reference to another object. */
    record Ref(ObjectKey key) implements Value {
        /** Rejects null. */
        public Ref {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public ValueType type() {
            return ValueType.REFERENCE;
        }
    }

    /**
     * An enumeration value.
     *
     * @param enumeration the enumeration's name
     * @param name the value's name
     */
    record EnumValue(String enumeration, String name) implements Value {
        /** Rejects null or empty parts. */
        public EnumValue {
            if (enumeration == null || enumeration.isEmpty() || name == null || name.isEmpty()) {
                throw new IllegalArgumentException("an enum value needs an enumeration and a name");
            }
        }

        @Override
        public ValueType type() {
            return ValueType.ENUM;
        }
    }

    /** Binary data; the bytes are never shared with callers. */
    final class Binary implements Value {
        private final byte[] bytes;

        Binary(byte[] bytes) {
            this.bytes = bytes;
        }

        /** A copy of the bytes. */
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The number of bytes. */
        public int length() {
            return bytes.length;
        }

        @Override
        public ValueType type() {
            return ValueType.BINARY;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return bytes.length <= 32
                    ? "Binary[" + Base64.getEncoder().encodeToString(bytes) + "]"
                    : "Binary[" + bytes.length + " bytes]";
        }
    }

    /** The absence of a value; distinct from an empty string. */
    final class Null implements Value {
        private Null() {
        }

        @Override
        public ValueType type() {
            return ValueType.NULL;
        }

        @Override
        public String toString() {
            return "null";
        }
    }
}
