package io.dibex.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.dibex.memory.InMemoryStorage;
import io.dibex.spi.Storage;
import org.junit.jupiter.api.AfterEach;

/** With no failure injected, {@link FailingStorage} forwards faithfully: it passes the exchange store contract. */
class FailingStorageTckTest extends ExchangeStoreContract {

    private InMemoryStorage inner;

    @Override
    protected Storage newStorage() {
        inner = new InMemoryStorage();
        return new FailingStorage(inner);
    }

    @AfterEach
    void leftNothingOpenAndCountedEveryCall() {
        assertThat(inner.openTransactions()).isZero();
        assertThat(inner.openStreams()).isZero();
        assertThat(((FailingStorage) storage()).calls()).isPositive();
    }
}
