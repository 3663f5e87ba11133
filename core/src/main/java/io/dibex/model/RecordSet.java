package io.dibex.model;

import io.dibex.internal.Names;
import java.util.List;

/**
 * The records of one register made by one recorder document (R11). A record set belongs to
 * its recorder's {@link DataObject}; whether it travels is the register's migration policy.
 *
 * @param register the register's name
 * @param records the records, in order; unmodifiable
 */
public record RecordSet(String register, List<Row> records) {

    /** Validates the register name and copies the records. */
    public RecordSet {
        Names.requireName(register, "register");
        records = List.copyOf(records);
    }
}
