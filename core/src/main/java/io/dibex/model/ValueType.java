package io.dibex.model;

/** The types a field value can have (SPEC §4). */
public enum ValueType {
    /** A string of characters that XML 1.0 can carry. */
    STRING,
    /** A decimal number of any precision and scale. */
    DECIMAL,
    /** A signed 64-bit integer. */
    LONG,
    /** True or false. */
    BOOLEAN,
    /** A calendar date without time or zone. */
    DATE,
    /** A date and time without zone, as 1C keeps them. */
    DATE_TIME,
    /** A point on the time line. */
    INSTANT,
    /** A reference to another object: its kind and id. */
    REFERENCE,
    /** A value of an enumeration, by name. */
    ENUM,
    /** Binary data. */
    BINARY,
    /** No value. */
    NULL
}
