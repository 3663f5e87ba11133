package io.dibex.jdbc;

import io.dibex.StorageException;
import io.dibex.model.DataObject;
import io.dibex.model.ObjectKey;
import io.dibex.spi.ExchangeStore;
import io.dibex.spi.ObjectStore;
import io.dibex.spi.StoreTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One transaction of a {@link JdbcStorage}: one connection, auto-commit off, until commit or
 * close. After either, the transaction, its stores and its streams refuse every use.
 */
final class JdbcTransaction implements StoreTransaction {

    /** Maps the current row of a result set to a value. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Work on the connection that may fail with a driver exception. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run() throws SQLException;
    }

    private final JdbcStorage storage;
    private final Connection connection;
    private final JdbcExchange exchange;
    private final ObjectStore objects;
    private final Set<AutoCloseable> cursors = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean ended;
    private boolean committed;

    JdbcTransaction(JdbcStorage storage, Connection connection) {
        this.storage = storage;
        this.connection = connection;
        this.exchange = new JdbcExchange(this);
        JdbcObjects defaults = new JdbcObjects(this);
        ObjectStore host = storage.objects().open(connection, defaults);
        this.objects = host == defaults ? defaults : new Guarded(host);
    }

    @Override
    public ExchangeStore exchange() {
        check();
        return exchange;
    }

    @Override
    public ObjectStore objects() {
        check();
        return objects;
    }

    @Override
    public void commit() {
        check();
        exchange.flush();
        try {
            connection.commit();
            committed = true;
        } catch (SQLException e) {
            throw storage.failure("commit", e);
        } finally {
            end();
        }
    }

    @Override
    public void close() {
        if (!ended) {
            end();
        }
    }

    /** Rolls back unless committed, closes the cursors and returns the connection. */
    private void end() {
        ended = true;
        storage.transactionCounter().decrementAndGet();
        StorageException failure = null;
        for (AutoCloseable cursor : cursors.toArray(new AutoCloseable[0])) {
            try {
                cursor.close();
            } catch (Exception e) {
                // The connection closes below and takes the cursor with it.
            }
        }
        try {
            if (!committed) {
                connection.rollback();
            }
        } catch (SQLException e) {
            failure = storage.failure("roll back", e);
        }
        try {
            connection.setAutoCommit(true);
            connection.close();
        } catch (SQLException e) {
            if (failure == null) {
                failure = storage.failure("release its connection", e);
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    void check() {
        if (ended) {
            throw new IllegalStateException("this transaction of a JdbcStorage was already "
                    + (committed ? "committed" : "closed") + "; begin a new one");
        }
    }

    Connection connection() {
        return connection;
    }

    JdbcStorage storage() {
        return storage;
    }

    /** Runs work on the connection, a driver failure becoming a {@link StorageException} saying what failed. */
    <T> T sql(String what, SqlWork<T> work) {
        check();
        try {
            return work.run();
        } catch (SQLException e) {
            throw storage.failure(what, e);
        }
    }

    /**
     * Runs an insert that another transaction may have beaten: whether it inserted, false on a
     * duplicate key. Where a failed statement aborts the transaction, it runs under a savepoint.
     */
    boolean insertUnlessDuplicate(PreparedStatement insert) throws SQLException {
        Savepoint savepoint = storage.dialect().failureAbortsTransaction() ? connection.setSavepoint() : null;
        try {
            insert.executeUpdate();
        } catch (SQLException e) {
            if (!storage.dialect().isDuplicateKey(e)) {
                throw e;
            }
            if (savepoint != null) {
                connection.rollback(savepoint);
            }
            return false;
        }
        if (savepoint != null) {
            connection.releaseSavepoint(savepoint);
        }
        return true;
    }

    /**
     * A lazy stream over the rows {@code statement} selects, mapped one at a time. Closing the
     * stream closes the result set and the statement; so does the end of the transaction.
     */
    <T> Stream<T> stream(String what, PreparedStatement statement, RowMapper<T> mapper) {
        ResultSet rows;
        try {
            rows = statement.executeQuery();
        } catch (SQLException e) {
            closeQuietly(statement, e);
            throw storage.failure(what, e);
        }
        AutoCloseable cursor = () -> {
            try (statement; rows) {
                // closes both, the result set first
            }
        };
        cursors.add(cursor);
        storage.streamCounter().incrementAndGet();
        Spliterator<T> spliterator = new Spliterators.AbstractSpliterator<T>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super T> action) {
                check();
                try {
                    if (!rows.next()) {
                        return false;
                    }
                    action.accept(mapper.map(rows));
                    return true;
                } catch (SQLException e) {
                    throw storage.failure(what, e);
                }
            }
        };
        boolean[] closed = new boolean[1];
        return StreamSupport.stream(spliterator, false).onClose(() -> {
            if (closed[0]) {
                return;
            }
            closed[0] = true;
            storage.streamCounter().decrementAndGet();
            cursors.remove(cursor);
            try {
                cursor.close();
            } catch (Exception e) {
                if (!ended) {
                    throw new StorageException("cannot close a cursor of " + what + ": " + e.getMessage(), e);
                }
            }
        });
    }

    private static void closeQuietly(AutoCloseable c, Exception failure) {
        try {
            c.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** A host's object store, refused once the transaction has ended. */
    private final class Guarded implements ObjectStore {
        private final ObjectStore host;

        Guarded(ObjectStore host) {
            this.host = host;
        }

        @Override
        public Optional<DataObject> get(ObjectKey key) {
            check();
            return host.get(key);
        }

        @Override
        public Map<ObjectKey, DataObject> getAll(Collection<ObjectKey> keys) {
            check();
            return host.getAll(keys);
        }

        @Override
        public void put(DataObject object) {
            check();
            host.put(object);
        }

        @Override
        public boolean delete(ObjectKey key) {
            check();
            return host.delete(key);
        }

        @Override
        public Stream<DataObject> list(String kind) {
            check();
            return host.list(kind);
        }
    }
}
