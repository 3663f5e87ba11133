package io.dibex.jdbc;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.ExchangeScenarios;
import io.dibex.tck.NetworkConfig;
import org.junit.jupiter.api.AfterEach;

/** The exchange scenarios with every node on its own in-memory H2 store, through the binary codec. */
class H2ScenariosTest extends ExchangeScenarios {

    private final H2NetworkConfig config = new H2NetworkConfig(MessageCodec.binary());

    @Override
    protected NetworkConfig config() {
        return config;
    }

    @AfterEach
    void freeTheDatabases() {
        config.shutdown();
    }
}
