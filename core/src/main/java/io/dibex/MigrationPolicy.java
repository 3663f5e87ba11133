package io.dibex;

/** Whether the records of a register travel with their recorder document (R11). */
public enum MigrationPolicy {
    /** The records are part of the document's state and travel with it. */
    MIGRATE,
    /** The records never leave the node where they were made. */
    LOCAL
}
