package io.dibex.jdbc;

import io.dibex.codec.MessageCodec;
import io.dibex.tck.TreeScenarios;
import io.dibex.tck.NetworkConfig;
import org.junit.jupiter.api.AfterEach;

/** The tree scenarios with every node on its own in-memory H2 store, through the binary codec. */
class H2TreeScenariosTest extends TreeScenarios {

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
