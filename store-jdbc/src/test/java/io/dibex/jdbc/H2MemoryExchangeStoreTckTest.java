package io.dibex.jdbc;

import io.dibex.spi.Storage;
import io.dibex.tck.ExchangeStoreContract;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;

/** The JDBC store on H2 (memory mode) passes the ExchangeStore contract and leaves no transaction or stream open. */
class H2MemoryExchangeStoreTckTest extends ExchangeStoreContract {

    private JdbcConnectionPool db;

    @Override
    protected Storage newStorage() {
        db = H2.memory();
        return H2.storage(db, "Central");
    }

    @Override
    protected void dispose(Storage storage) {
        H2.shutdown(db);
    }

    @AfterEach
    void leftNothingOpen() {
        H2.checkClosed(storage());
    }
}
