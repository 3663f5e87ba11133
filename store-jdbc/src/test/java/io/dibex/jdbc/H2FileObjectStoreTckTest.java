package io.dibex.jdbc;

import io.dibex.spi.Storage;
import io.dibex.tck.ObjectStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;

/** The JDBC store on H2 (file mode) passes the ObjectStore contract and leaves no transaction or stream open. */
class H2FileObjectStoreTckTest extends ObjectStoreContract {

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

    @AfterEach
    void leftNothingOpen() {
        H2.checkClosed(storage());
    }
}
