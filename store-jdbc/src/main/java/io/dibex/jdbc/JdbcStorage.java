package io.dibex.jdbc;

import io.dibex.StorageException;
import io.dibex.spi.Storage;
import io.dibex.spi.StoreTransaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A durable {@link Storage} over a JDBC {@link DataSource} that the host passes in: dibex's own
 * state in tables of its own ({@code dibex_*}), the host's objects in dibex's object table or in
 * the host's own tables ({@link Builder#objects}), all in one database transaction per
 * {@link StoreTransaction}.
 *
 * <p>{@link Builder#build()} creates the schema or upgrades it to this library's version, and
 * records which plan and node the database belongs to; opening it later as another node, or
 * with an older library than the schema's, is an {@link IncompatibleStoreException} that changes
 * nothing. So is a database that acknowledges commits before they are in its file (H2's
 * {@code WRITE_DELAY}, 500 ms by default: open H2 files with {@code ;WRITE_DELAY=0}), since a
 * killed process would then lose committed host writes and message numbers already sent (R1).
 *
 * <p>Isolation: each transaction takes a connection of its own, with auto-commit off, at read
 * committed. What the engine needs beyond that (SPEC §2, {@link Storage}) comes from locks: a
 * peer's counters are written only if no other transaction changed them since this one read them
 * (otherwise a {@link StorageException} says to retry), and {@link io.dibex.spi.ExchangeStore#lock}
 * locks a row of {@code dibex_key_lock} until the end of the transaction. A deadlock or a lock
 * timeout of the database is a {@link StorageException}; the engine rolls back. See
 * {@code docs/store-jdbc.md}.
 *
 * <p>Streams read through a database cursor and must be closed; they are closed at the latest when
 * their transaction ends. {@link #openTransactions()} and {@link #openStreams()} find leaks.
 * Thread-safe; each transaction is for one thread at a time.
 */
public final class JdbcStorage implements Storage {

    private final DataSource dataSource;
    private final Dialect dialect;
    private final ObjectStoreFactory objects;
    private final String where;
    private final AtomicInteger openTransactions = new AtomicInteger();
    private final AtomicInteger openStreams = new AtomicInteger();

    private JdbcStorage(Builder b, Dialect dialect) {
        this.dataSource = b.dataSource;
        this.dialect = dialect;
        this.objects = b.objects;
        this.where = "the dibex store of node " + b.node + " (" + dialect.name() + ")";
    }

    /**
     * Starts a storage over {@code dataSource} for node {@code node} of plan {@code plan}.
     *
     * @param dataSource where connections come from; the storage never closes the data source
     * @param plan the exchange plan's name, recorded in the database and checked on every open
     * @param node this node's name, likewise
     */
    public static Builder builder(DataSource dataSource, String plan, String node) {
        return new Builder(dataSource, plan, node);
    }

    /**
     * Begins a transaction on a connection of its own.
     *
     * @throws StorageException when no connection can be had or configured
     */
    @Override
    public StoreTransaction begin() {
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw failure("get a connection", e);
        }
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException again) {
                e.addSuppressed(again);
            }
            throw failure("begin a transaction", e);
        }
        openTransactions.incrementAndGet();
        return new JdbcTransaction(this, c);
    }

    /** The number of transactions begun and not yet committed or closed. */
    public int openTransactions() {
        return openTransactions.get();
    }

    /** The number of streams opened and not yet closed. */
    public int openStreams() {
        return openStreams.get();
    }

    /** The dialect in use. */
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public String toString() {
        return "JdbcStorage[" + where + ", openTransactions=" + openTransactions.get() + ", openStreams="
                + openStreams.get() + "]";
    }

    ObjectStoreFactory objects() {
        return objects;
    }

    AtomicInteger transactionCounter() {
        return openTransactions;
    }

    AtomicInteger streamCounter() {
        return openStreams;
    }

    /** A library exception for a failed statement, with the driver's exception as the cause. */
    StorageException failure(String what, SQLException e) {
        String retry = dialect.isTransient(e) ? "; another transaction held what it needed, retry the operation" : "";
        return new StorageException(where + " cannot " + what + ": " + e.getMessage() + retry, e);
    }


    /** Builds a {@link JdbcStorage}. */
    public static final class Builder {
        private final DataSource dataSource;
        private final String plan;
        private final String node;
        private Dialect dialect;
        private ObjectStoreFactory objects = (connection, defaults) -> defaults;

        private Builder(DataSource dataSource, String plan, String node) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.plan = requireName(plan, "plan");
            this.node = requireName(node, "node");
        }

        private static String requireName(String name, String what) {
            Objects.requireNonNull(name, what);
            if (name.isEmpty() || name.length() > 128) {
                throw new IllegalArgumentException(what + " name must have 1 to 128 characters, got '" + name + "'");
            }
            return name;
        }

        /** The dialect (default: chosen by the database's product name). */
        public Builder dialect(Dialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /**
         * The host's object store over its own tables (default: every object in dibex's table
         * {@code dibex_object}).
         */
        public Builder objects(ObjectStoreFactory objects) {
            this.objects = Objects.requireNonNull(objects, "objects");
            return this;
        }

        /**
         * Opens the storage: creates or upgrades dibex's tables and records or checks the identity.
         *
         * @throws IncompatibleStoreException when the database has a newer schema, belongs to
         *     another plan or node, or would lose commits to a killed process (an H2 file database
         *     with a {@code WRITE_DELAY}); nothing is changed then
         * @throws StorageException when the database fails
         */
        public JdbcStorage build() {
            String what = "the dibex store of node " + node;
            try (Connection c = dataSource.getConnection()) {
                Dialect d = dialect != null ? dialect : Dialect.forProduct(c.getMetaData().getDatabaseProductName());
                String late = d.lateCommits(c);
                if (late != null) {
                    throw new IncompatibleStoreException(what + " cannot be opened: the database " + late + ".");
                }
                c.setAutoCommit(false);
                try {
                    Schema.open(c, d, plan, node, what + " (" + d.name() + ")");
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.rollback();
                    } catch (SQLException again) {
                        e.addSuppressed(again);
                    }
                    throw e;
                }
                return new JdbcStorage(this, d);
            } catch (SQLException e) {
                throw new StorageException(what + " cannot be opened: " + e.getMessage(), e);
            }
        }
    }
}
