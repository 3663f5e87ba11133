package io.dibex.jdbc;

import io.dibex.spi.ObjectStore;
import java.sql.Connection;

/**
 * Makes the host's {@link ObjectStore} for one transaction, over the host's own tables. It reads
 * and writes through {@code connection}, the transaction's connection, so that its writes commit
 * together with dibex's own (SPEC §2). See {@code docs/store-jdbc.md} for a worked example.
 */
@FunctionalInterface
public interface ObjectStoreFactory {

    /**
     * The object store of one transaction.
     *
     * @param connection the transaction's connection: use it for every statement, and never
     *     commit, roll back or close it; {@link JdbcStorage} does
     * @param defaults dibex's own object table within the same transaction, for the kinds the host
     *     does not map onto tables of its own
     * @return the store; {@link JdbcStorage} refuses its use once the transaction has ended
     */
    ObjectStore open(Connection connection, ObjectStore defaults);
}
