package io.dibex.jdbc;

import io.dibex.spi.Storage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/** H2 databases for tests: in memory or in a file, each behind a small connection pool. */
final class H2 {

    static final String PLAN = "tck";

    private H2() {
    }

    /** A new, empty in-memory database that lives until {@link #shutdown}. */
    static JdbcConnectionPool memory() {
        return pool("jdbc:h2:mem:dibex-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
    }

    /**
     * A new, empty database in a file under {@code dir}, writing each commit to the file before it
     * returns ({@code WRITE_DELAY=0}), as {@link JdbcStorage} requires of a file.
     */
    static JdbcConnectionPool file(Path dir) {
        return pool("jdbc:h2:file:" + dir.resolve("db-" + UUID.randomUUID()).toAbsolutePath()
                + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0");
    }

    static JdbcConnectionPool pool(String url) {
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        pool.setMaxConnections(32);
        return pool;
    }

    /** A storage for node {@code node} of the test plan over {@code db}. */
    static JdbcStorage storage(DataSource db, String node) {
        return JdbcStorage.builder(db, PLAN, node).build();
    }

    /** Closes the database: frees an in-memory one, closes a file. */
    static void shutdown(JdbcConnectionPool db) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot shut the test database down", e);
        } finally {
            db.dispose();
        }
    }

    /** Fails when a storage left a transaction or a stream open. */
    static void checkClosed(Storage storage) {
        JdbcStorage s = (JdbcStorage) storage;
        if (s.openTransactions() != 0 || s.openStreams() != 0) {
            throw new AssertionError("left open: " + s.openTransactions() + " transactions, " + s.openStreams()
                    + " streams");
        }
    }
}
