package io.dibex.tck;

import io.dibex.memory.InMemoryStorage;
import io.dibex.spi.Storage;

/** With no failure injected, {@link FailingStorage} passes the object store contract. */
class FailingObjectStoreTckTest extends ObjectStoreContract {

    @Override
    protected Storage newStorage() {
        return new FailingStorage(new InMemoryStorage());
    }
}
