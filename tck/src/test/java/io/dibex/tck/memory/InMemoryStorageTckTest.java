package io.dibex.tck.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.memory.InMemoryStorage;
import io.dibex.spi.Storage;
import io.dibex.tck.ExchangeStoreContract;
import org.junit.jupiter.api.AfterEach;

/**
 * The reference storage passes the exchange store contract and leaves no transaction or stream
 * open. In its own package, as an implementer's test would be, which also proves that the
 * contract's tests are inherited across packages.
 */
class InMemoryStorageTckTest extends ExchangeStoreContract {

    @Override
    protected Storage newStorage() {
        return new InMemoryStorage();
    }

    @AfterEach
    void leftNothingOpen() {
        InMemoryStorage s = (InMemoryStorage) storage();
        assertThat(s.openTransactions()).as("open transactions").isZero();
        assertThat(s.openStreams()).as("open streams").isZero();
    }
}
