package io.dibex.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What differs between the databases dibex-store-jdbc runs on, all in one place: the column types
 * the schema scripts leave open, and how to read the SQL states of a failure. Everything else is
 * plain SQL that every supported database accepts. {@link #H2} is the only dialect for now;
 * {@link JdbcStorage.Builder} picks it from the database's product name.
 */
public final class Dialect {

    /** H2 2.x (MVStore), embedded or in memory. */
    public static final Dialect H2 = new Dialect("H2",
            Map.of("uuid", "UUID", "digest", "VARBINARY(32)", "bytes", "BLOB", "text", "CLOB"),
            false, "23505", new String[] {"42S02", "42S03", "42S04"}, new String[] {"40001", "HYT00"});

    private final String name;
    private final Map<String, String> types;
    private final boolean failureAbortsTransaction;
    private final String duplicateKey;
    private final String[] undefinedTable;
    private final String[] transientStates;

    private Dialect(String name, Map<String, String> types, boolean failureAbortsTransaction, String duplicateKey,
            String[] undefinedTable, String[] transientStates) {
        this.name = name;
        this.types = types;
        this.failureAbortsTransaction = failureAbortsTransaction;
        this.duplicateKey = duplicateKey;
        this.undefinedTable = undefinedTable;
        this.transientStates = transientStates;
    }

    /**
     * The dialect of a database by its {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
     *
     * @throws io.dibex.StorageException when no dialect fits
     */
    static Dialect forProduct(String product) {
        if (product != null && product.toUpperCase(Locale.ROOT).startsWith("H2")) {
            return H2;
        }
        throw new io.dibex.StorageException("dibex-store-jdbc has no dialect for database '" + product
                + "'; it supports H2 2.x");
    }

    /** The dialect's name, e.g. {@code "H2"}. */
    public String name() {
        return name;
    }

    /** Fills the type placeholders {@code ${uuid}}, {@code ${digest}}, {@code ${bytes}}, {@code ${text}} of a script. */
    String types(String script) {
        String s = script;
        for (Map.Entry<String, String> t : types.entrySet()) {
            s = s.replace("${" + t.getKey() + "}", t.getValue());
        }
        if (s.contains("${")) {
            throw new IllegalStateException("unknown type placeholder in a schema script for " + name + ": "
                    + s.substring(s.indexOf("${"), Math.min(s.length(), s.indexOf("${") + 20)));
        }
        return s;
    }

    /**
     * Whether a failed statement aborts the whole transaction (PostgreSQL) rather than only
     * itself (H2): then a statement that may fail and be recovered from runs under a savepoint.
     */
    boolean failureAbortsTransaction() {
        return failureAbortsTransaction;
    }

    /** Whether {@code e} is a duplicate key: another transaction inserted the same row. */
    boolean isDuplicateKey(SQLException e) {
        return duplicateKey.equals(e.getSQLState());
    }

    /** Whether {@code e} says that a table does not exist. */
    boolean isUndefinedTable(SQLException e) {
        for (String state : undefinedTable) {
            if (state.equals(e.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why a transaction this database reports committed might not survive a killed process, or null
     * when it will. H2 writes a file database's commits to the file up to {@code WRITE_DELAY}
     * milliseconds later (500 by default), so a process killed meanwhile loses them; an in-memory
     * database has nothing to lose.
     */
    String lateCommits(Connection c) throws SQLException {
        if (this != H2) {
            return null;
        }
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT DATABASE_PATH(), (SELECT MAX(CAST(SETTING_VALUE AS INT))"
                        + " FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY')")) {
            r.next();
            int delay = r.getInt(2);
            if (r.getString(1) == null || delay == 0) {
                return null;
            }
            return "is an H2 file database that writes commits to its file up to " + delay + " ms late (WRITE_DELAY="
                    + delay + "), so a killed process would lose transactions reported committed, message numbers"
                    + " already sent included (R1); add ;WRITE_DELAY=0 to its JDBC URL, or run SET WRITE_DELAY 0 once";
        }
    }

    /** Whether {@code e} is a deadlock, a lock timeout or a serialization failure: retrying may succeed. */
    boolean isTransient(SQLException e) {
        for (SQLException c = e; c != null; c = c.getNextException()) {
            for (String state : transientStates) {
                if (state.equals(c.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Dialect[" + Objects.requireNonNull(name) + "]";
    }
}
