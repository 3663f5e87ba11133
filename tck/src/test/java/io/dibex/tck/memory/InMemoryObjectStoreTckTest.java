package io.dibex.tck.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.memory.InMemoryStorage;
import io.dibex.spi.Storage;
import io.dibex.tck.ObjectStoreContract;
import org.junit.jupiter.api.AfterEach;

/** The reference storage passes the object store contract and leaves no transaction or stream open. */
class InMemoryObjectStoreTckTest extends ObjectStoreContract {

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
